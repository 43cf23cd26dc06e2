"""The layouts: the gate-order helper, Keras 1's twelve arrays, TensorFlow
1's LSTMCell, and from_torch's activation."""

import warnings

import numpy as np
import pytest

import lstmref
from lstmref.activations import hard_sigmoid_keras2
from lstmref.layouts import KERAS1_ORDER, TF1_ORDER, TORCH_ORDER
from lstmref.layouts._gates import block, reorder
from lstmref.params import GATES
from helpers import max_abs_error, random_params

# Entries 10 + k, 20 + k, 30 + k, 40 + k mark unit k of the gates i, f, the
# candidate and o; units = 2. Each row: an order, an axis in that order.
IFCO = [10, 11, 20, 21, 30, 31, 40, 41]
MARKED = {
    "ijfo": [10, 11, 30, 31, 20, 21, 40, 41],  # TF1: j is the candidate
    "icfo": [10, 11, 30, 31, 20, 21, 40, 41],  # Keras 1's list
    "ifgo": IFCO,  # PyTorch: Keras's order, g for the candidate
    "iofc": [10, 11, 40, 41, 20, 21, 30, 31],  # ONNX: no swap, a cycle
    "ofci": [40, 41, 20, 21, 30, 31, 10, 11],
}


@pytest.mark.parametrize("order", sorted(MARKED))
def test_reorder_puts_each_gate_block_where_its_order_says(order):
    """Both ways, along the last axis and along the first (PyTorch's)."""
    marked = np.array(MARKED[order])
    np.testing.assert_array_equal(reorder(marked, order, "ifco"), IFCO)
    np.testing.assert_array_equal(reorder(np.array(IFCO), GATES, order),
                                  marked)
    rows = np.stack([marked, marked + 100], axis=1)  # (8, 2), gates on 0
    np.testing.assert_array_equal(
        reorder(rows, order, GATES, axis=0),
        np.stack([IFCO, np.add(IFCO, 100)], axis=1))


def test_the_layouts_state_the_documented_gate_orders():
    assert "".join(KERAS1_ORDER) == "icfo"
    assert "".join(TF1_ORDER) == "ijfo"
    assert "".join(TORCH_ORDER) == "ifgo"


@pytest.mark.parametrize("source", [GATES, KERAS1_ORDER, TF1_ORDER,
                                    TORCH_ORDER, "iofc", "ofci"])
@pytest.mark.parametrize("target", [GATES, "iofc", "ofci"])
def test_reorder_with_the_orders_swapped_is_its_inverse(source, target):
    rng = np.random.default_rng(26)
    a = rng.normal(size=(3, 4 * 5))
    there = reorder(a, source, target)
    assert not np.shares_memory(there, a)
    np.testing.assert_array_equal(reorder(there, target, source), a)


def test_a_cycle_is_not_its_own_inverse():
    """The control: undoing a reorder needs the swapped call, not the same
    one again (from TF1 or Keras 1 the two happen to agree: one swap)."""
    a = np.array(MARKED["iofc"])
    twice = reorder(reorder(a, "iofc", GATES), "iofc", GATES)
    assert not np.array_equal(twice, a)
    np.testing.assert_array_equal(
        reorder(reorder(a, "ijfo", GATES), "ijfo", GATES), a)


def test_block_is_the_slice_of_a_gate_in_an_order():
    assert block("ijfo", "f", 3) == slice(6, 9)  # TF1's third block
    assert block(GATES, "f", 3) == slice(3, 6)
    assert block("ifgo", "c", 2) == slice(4, 6)  # g is the candidate
    assert block(KERAS1_ORDER, "j", 2) == slice(2, 4)


@pytest.mark.parametrize("order", ["ifc", "iffo", "ifco!", "ixco"])
def test_reorder_refuses_an_order_that_is_not_the_four_gates(order):
    with pytest.raises(ValueError, match="^source: expected the gates"):
        reorder(np.zeros(8), order, GATES)


KERAS1_NAMES = ["W_i", "U_i", "b_i", "W_c", "U_c", "b_c",
                "W_f", "U_f", "b_f", "W_o", "U_o", "b_o"]


def keras1_run(named, x):
    """Keras 1's LSTM loop, written from its per-gate arrays by name.

    i = hs(x W_i + h U_i + b_i), f = hs(x W_f + h U_f + b_f),
    c = f c + i tanh(x W_c + h U_c + b_c), o = hs(x W_o + h U_o + b_o),
    h = o tanh(c), with hs Keras 1's hard sigmoid clip(0.2 z + 0.5, 0, 1).
    """
    units = named["U_i"].shape[0]
    h = c = np.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        def z(g):
            return x[:, t] @ named[f"W_{g}"] + h @ named[f"U_{g}"] + \
                named[f"b_{g}"]
        i, f, o = (hard_sigmoid_keras2(z(g)) for g in "ifo")
        c = f * c + i * np.tanh(z("c"))
        h = o * np.tanh(c)
    return h


def test_keras1_arrays_read_in_order_i_c_f_o():
    rng = np.random.default_rng(21)
    arrays = [rng.normal(size=s) for s in [(3, 4), (4, 4), (4,)] * 4]
    x = rng.normal(size=(5, 9, 3)) * 3  # large enough to reach the clips
    expected = keras1_run(dict(zip(KERAS1_NAMES, arrays)), x)
    params = lstmref.from_keras1(arrays)
    assert params.recurrent_activation == "hard_sigmoid_keras2"
    assert max_abs_error(lstmref.lstm(x, params), expected) <= 1e-12


def test_slicing_keras1_as_i_f_c_o_gives_another_model():
    """The trap: Keras 1's list is i, c, f, o, not the packed i, f, c, o."""
    rng = np.random.default_rng(22)
    arrays = [rng.normal(size=s) for s in [(3, 4), (4, 4), (4,)] * 4]
    wrong = lstmref.LSTMParams(
        np.concatenate(arrays[0::3], axis=1),
        np.concatenate(arrays[1::3], axis=1),
        np.concatenate(arrays[2::3]),
        recurrent_activation="hard_sigmoid_keras2")
    x = rng.normal(size=(5, 9, 3))
    right = lstmref.lstm(x, lstmref.from_keras1(arrays))
    assert max_abs_error(lstmref.lstm(x, wrong), right) > 1e-2


def test_keras1_round_trip_is_exact():
    rng = np.random.default_rng(23)
    arrays = [rng.normal(size=s) for s in [(2, 5), (5, 5), (5,)] * 4]
    back = lstmref.to_keras1(lstmref.from_keras1(arrays))
    assert len(back) == 12
    for name, ours, theirs in zip(KERAS1_NAMES, back, arrays):
        np.testing.assert_array_equal(ours, theirs, err_msg=name)


def test_to_keras1_lists_the_candidate_second():
    params = random_params(np.random.default_rng(24), 3, 2)
    arrays = lstmref.to_keras1(params)
    np.testing.assert_array_equal(arrays[3], params.gate("c")[0])
    np.testing.assert_array_equal(arrays[6], params.gate("f")[0])


def tf1_cell(kind, units, forget_bias):
    """A real TF1 LSTMCell or BasicLSTMCell (kept in tf_keras)."""
    from tf_keras.src.layers.rnn import legacy_cells
    cls = getattr(legacy_cells, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "deprecated" notice
        return cls(units, forget_bias=forget_bias, dtype="float64")


def tf1_run(cell, x, units):
    """Run a TF1 cell over x step by step; return the last h and c."""
    import tensorflow as tf
    from tf_keras.src.layers.rnn.legacy_cells import LSTMStateTuple
    state = LSTMStateTuple(tf.zeros((x.shape[0], units), tf.float64),
                           tf.zeros((x.shape[0], units), tf.float64))
    for t in range(x.shape[1]):
        h, state = cell(tf.constant(x[:, t]), state)
    return [np.asarray(state.h), np.asarray(state.c)]


@pytest.mark.parametrize("kind", ["LSTMCell", "BasicLSTMCell"])
@pytest.mark.parametrize("forget_bias", [1.0, 0.0, 2.5])
def test_from_tf1_matches_a_real_tf1_cell(kind, forget_bias):
    rng = np.random.default_rng(int(forget_bias * 10) + len(kind))
    units, input_dim = 4, 3
    cell = tf1_cell(kind, units, forget_bias)
    x = rng.normal(size=(5, 8, input_dim))
    tf1_run(cell, x[:, :1], units)  # builds the variables
    kernel = rng.normal(0, 0.5, (input_dim + units, 4 * units))
    bias = rng.uniform(0.1, 1, 4 * units) * rng.choice([-1, 1], 4 * units)
    cell.set_weights([kernel, bias])
    theirs = tf1_run(cell, x, units)
    params = lstmref.from_tf1(kernel, bias, forget_bias=forget_bias)
    _, h, c = lstmref.lstm(x, params, return_state=True)
    assert max_abs_error([h, c], theirs) <= 1e-12


def test_tf1_to_packed_moves_blocks_exactly():
    """TF1 -> packed copies each block unchanged; only b_f gains the
    forget bias, and back again with forget_bias=0 is the identity."""
    rng = np.random.default_rng(25)
    u, F = 3, 2
    kernel = rng.normal(size=(F + u, 4 * u))
    bias = rng.normal(size=4 * u)
    blocks = dict(zip("ijfo", np.split(kernel, 4, axis=1)))
    params = lstmref.from_tf1(kernel, bias, forget_bias=1.0)
    for ours, tf1 in (("i", "i"), ("f", "f"), ("c", "j"), ("o", "o")):
        W, U, _ = params.gate(ours)
        np.testing.assert_array_equal(np.concatenate([W, U]), blocks[tf1])
    b_f = np.split(bias, 4)[2]
    np.testing.assert_array_equal(params.gate("f")[2], b_f + 1.0)
    k2, b2 = lstmref.to_tf1(lstmref.from_tf1(kernel, bias, forget_bias=0.0),
                            forget_bias=0.0)
    np.testing.assert_array_equal(k2, kernel)
    np.testing.assert_array_equal(b2, bias)


@pytest.mark.parametrize("forget_bias", [2.5, -0.75])
def test_to_tf1_gives_a_real_tf1_cell_the_same_outputs(forget_bias):
    """Packed -> TF1 takes forget_bias out of b_f; TF1's own LSTMCell adds
    it back at run time, so h and c must equal lstmref's."""
    rng = np.random.default_rng(27 + int(forget_bias))
    units, input_dim = 4, 3
    params = random_params(rng, units, input_dim)
    x = rng.normal(size=(5, 8, input_dim))
    cell = tf1_cell("LSTMCell", units, forget_bias)
    tf1_run(cell, x[:, :1], units)  # builds the variables
    kernel, bias = lstmref.to_tf1(params, forget_bias=forget_bias)
    cell.set_weights([kernel, bias])
    _, h, c = lstmref.lstm(x, params, return_state=True)
    assert max_abs_error([h, c], tf1_run(cell, x, units)) <= 1e-12
    # The control: b_f (TF1's third block) with forget_bias added rather
    # than taken out is another model, and the comparison sees it.
    wrong = bias.copy()
    wrong[2 * units:3 * units] += 2 * forget_bias
    cell.set_weights([kernel, wrong])
    assert max_abs_error([h, c], tf1_run(cell, x, units)) > 1e-3


@pytest.mark.parametrize("forget_bias", [2.5, -0.75])
def test_tf1_round_trips_keep_the_weights(forget_bias):
    """Packed -> TF1 -> packed and TF1 -> packed -> TF1, forget_bias taken
    out and added back (or the other way): b_f differs by round-off only,
    one subtraction and one addition on numbers below 4, so < 1e-15; the
    other blocks are copied unchanged."""
    rng = np.random.default_rng(28)
    params = random_params(rng, 3, 2)
    back = lstmref.from_tf1(*lstmref.to_tf1(params, forget_bias),
                            forget_bias)
    for ours, theirs in zip(lstmref.to_keras(back),
                            lstmref.to_keras(params)):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(back.kernel, params.kernel)
    kernel = rng.normal(size=(2 + 3, 12))
    bias = rng.uniform(0.1, 1, 12) * rng.choice([-1, 1], 12)
    k2, b2 = lstmref.to_tf1(lstmref.from_tf1(kernel, bias, forget_bias),
                            forget_bias)
    np.testing.assert_array_equal(k2, kernel)
    np.testing.assert_allclose(b2, bias, rtol=0, atol=1e-15)


def test_from_torch_activation_labels_the_weights_only():
    """``activation`` says what the weights were trained with: the arrays
    are read as without it, the gates stay sigmoid, and lstm computes the
    named activation (relu here, another answer than tanh's)."""
    rng = np.random.default_rng(29)
    params = random_params(rng, 3, 2)
    state = lstmref.to_torch(params)
    assert lstmref.from_torch(state).activation == "tanh"
    relu = lstmref.from_torch(state, activation="relu")
    assert (relu.activation, relu.recurrent_activation) == ("relu",
                                                            "sigmoid")
    for ours, theirs in zip(lstmref.to_keras(relu),
                            lstmref.to_keras(params)):
        np.testing.assert_array_equal(ours, theirs)
    x = rng.normal(size=(4, 6, 2)) * 3
    by_hand = lstmref.LSTMParams(state["weight_ih_l0"].T,
                                 state["weight_hh_l0"].T,
                                 state["bias_ih_l0"] + state["bias_hh_l0"],
                                 activation="relu")
    np.testing.assert_array_equal(lstmref.lstm(x, relu),
                                  lstmref.lstm(x, by_hand))
    assert max_abs_error(lstmref.lstm(x, relu),
                         lstmref.lstm(x, params)) > 1e-2
    with pytest.raises(ValueError, match="^activation: expected one of"):
        lstmref.from_torch(state, activation="gelu")


def test_a_tf1_kernel_of_no_columns_is_refused_as_the_tf1_kernel():
    """from_tf1 names its own argument, not the recurrent kernel it would
    build: zero columns are a multiple of 4 but no layer."""
    with pytest.raises(ValueError) as caught:
        lstmref.from_tf1(np.zeros((3, 0)), np.zeros(0))
    assert str(caught.value) == (
        "kernel: expected shape (input_dim + units, 4 * units) with "
        "input_dim >= 1, got (3, 0)")
