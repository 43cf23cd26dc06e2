"""The old layouts: Keras 1's twelve arrays and TensorFlow 1's LSTMCell."""

import warnings

import numpy as np
import pytest

import lstmref
from lstmref.activations import hard_sigmoid_keras2
from helpers import max_abs_error, random_params

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
