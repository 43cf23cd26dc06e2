"""Values checked against references that share no code with lstmref.

Each test names the bug it would catch: a derivative copied from the wrong
activation, a Dense head that ignores its activation, a masked first step
that repeats a state instead of Keras's zeros, a quadrature rule with the
wrong end weights.
"""

import itertools
import math

import numpy as np
import pytest
import tensorflow as tf

import lstmref
from lstmref import attribution as A
from lstmref.activations import get_activation
from lstmref.grad import DERIVATIVES, backward, input_gradient
from helpers import keras_lstm, random_params

#: Where each activation has a kink; central differences skip them.
KINKS = {"hard_sigmoid": (-3.0, 3.0), "hard_sigmoid_keras2": (-2.5, 2.5),
         "relu": (0.0,)}


@pytest.mark.parametrize("name", sorted(DERIVATIVES))
def test_each_activation_derivative_matches_central_differences(name):
    z = np.linspace(-6, 6, 241)
    z = z[np.all([np.abs(z - k) > 1e-3 for k in KINKS.get(name, ())],
                 axis=0)]
    act = get_activation(name)
    eps = 1e-6
    numeric = (act(z + eps) - act(z - eps)) / (2 * eps)
    # central differences: O(eps^2) truncation plus ~1e-16 / eps round-off
    np.testing.assert_allclose(DERIVATIVES[name](z, act(z)), numeric,
                               rtol=0, atol=1e-8)


@pytest.mark.parametrize("recurrent", ["hard_sigmoid_keras2",
                                       "hard_sigmoid", "sigmoid"])
def test_backward_with_each_recurrent_activation_matches_differences(
        recurrent):
    rng = np.random.default_rng(11)
    params = random_params(rng, 3, 2, recurrent_activation=recurrent,
                           scale=1.5)
    x = rng.normal(size=(2, 6, 2))
    a = rng.normal(size=(2, 3))
    g = backward(x, params, a)
    eps = 1e-6
    for index in [(0, 0, 0), (1, 3, 1), (0, 5, 1), (1, 1, 0)]:
        step = np.zeros_like(x)
        step[index] = eps
        up, down = (np.sum(a * lstmref.lstm(x + s, params))
                    for s in (step, -step))
        # the piecewise-linear gates have kinks; these points are off them
        # (checked: no pre-activation within 1e-4 of a kink)
        assert abs((up - down) / (2 * eps) - g.x[index]) < 1e-8


def keras_forecaster(params, n_out, activation, rng):
    """A Keras Sequential LSTM -> Dense(activation), float64."""
    import keras
    model = keras.Sequential([
        keras.Input((None, params.input_dim), dtype="float64"),
        keras_lstm(params),
        keras.layers.Dense(n_out, activation=activation, dtype="float64")])
    dense = model.layers[-1]
    dense.set_weights([rng.normal(size=(params.units, n_out)),
                       rng.uniform(0.1, 1, n_out)])
    return model


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu",
                                        "hard_sigmoid", "linear"])
def test_network_head_applies_the_dense_activation_like_keras(activation):
    rng = np.random.default_rng(12)
    params = random_params(rng, 4, 3)
    model = keras_forecaster(params, 3, activation, rng)
    net = lstmref.from_keras_model(model)
    assert net.dense_activation == activation
    x = rng.normal(size=(5, 6, 3))
    np.testing.assert_allclose(net.predict(x), np.asarray(model(x)),
                               rtol=0, atol=1e-12)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(model(xt)[:, 1])
    np.testing.assert_allclose(input_gradient(net, x, 1),
                               np.asarray(tape.gradient(y, xt)),
                               rtol=0, atol=1e-10)


FLAGS = ("mask", "initial_state", "return_sequences", "go_backwards",
         "zero_output_for_mask")


@pytest.mark.parametrize("on", list(itertools.product([False, True],
                                                      repeat=len(FLAGS))),
                         ids=lambda on: "-".join(
                             f for f, v in zip(FLAGS, on) if v) or "none")
def test_masked_first_steps_equal_keras_under_every_flag_combination(on):
    """A mask whose first steps are False (and with holes), or none,
    crossed with every combination of the other flags, against Keras 3 in
    float64 (2^5 combinations)."""
    flags = dict(zip(FLAGS, on))
    rng = np.random.default_rng(13)
    params = random_params(rng, 3, 2)
    batch, T = 4, 6
    x = rng.normal(size=(batch, T, 2))
    mask = rng.random((batch, T)) > 0.4
    mask[:, 0] = False  # masked first step, in reading order
    mask[0, -1] = False  # and last: go_backwards processes it first
    mask[1, :2] = False
    mask[:, 3] = True
    mask = mask if flags["mask"] else None
    state = [rng.normal(size=(batch, 3)) for _ in range(2)] \
        if flags["initial_state"] else None
    layer = keras_lstm(params, batch=batch, return_state=True,
                       return_sequences=flags["return_sequences"],
                       go_backwards=flags["go_backwards"])
    layer.zero_output_for_mask = flags["zero_output_for_mask"]
    theirs = layer(x, mask=mask, initial_state=state)
    ours = lstmref.lstm(x, params, mask=mask, initial_state=state,
                        return_state=True,
                        **{f: flags[f] for f in FLAGS[2:]})
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, np.asarray(t), rtol=0, atol=1e-12)


# Nodes and weights worked by hand for small n (on [0, 1]).
RULES = {
    ("riemann_left", 4): ([0, 1 / 4, 1 / 2, 3 / 4], [1 / 4] * 4),
    ("riemann_right", 4): ([1 / 4, 1 / 2, 3 / 4, 1], [1 / 4] * 4),
    ("riemann_middle", 4): ([1 / 8, 3 / 8, 5 / 8, 7 / 8], [1 / 4] * 4),
    ("riemann_trapezoid", 5): ([0, 1 / 4, 1 / 2, 3 / 4, 1],
                               [1 / 8, 1 / 4, 1 / 4, 1 / 4, 1 / 8]),
    ("gausslegendre", 2): ([(1 - 3 ** -0.5) / 2, (1 + 3 ** -0.5) / 2],
                           [1 / 2, 1 / 2]),
}


@pytest.mark.parametrize("rule", list(RULES), ids=lambda r: r[0])
def test_integrated_gradients_uses_each_rules_nodes_and_weights(rule):
    """IG = (x - x') * sum_k w_k grad f(x' + a_k (x - x')), with the
    nodes a_k and weights w_k worked by hand, and the gradients from
    ``input_gradient`` (itself checked against GradientTape)."""
    method, n = rule
    nodes, weights = (np.array(v) for v in RULES[rule])
    rng = np.random.default_rng(14)
    net = lstmref.Network(random_params(rng, 3, 2), rng.normal(size=(3, 2)),
                          rng.normal(size=2))
    x = rng.normal(size=(2, 4, 2))
    base = rng.normal(size=(4, 2))
    expected = sum(w * input_gradient(net, base + a * (x - base), 1)
                   for a, w in zip(nodes, weights)) * (x - base)
    ours = A.integrated_gradients(net, x, base, output=1, n_steps=n,
                                  method=method)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("method,n,bound", [
    # error bounds of each rule on this smooth path: Riemann sums O(1/n),
    # midpoint and trapezoid O(1/n^2), Gauss-Legendre exponentially small
    ("riemann_left", 64, 3e-2), ("riemann_right", 64, 3e-2),
    ("riemann_middle", 64, 1e-4), ("riemann_trapezoid", 64, 1e-4),
    ("gausslegendre", 32, 1e-11)])
def test_integrated_gradients_completeness_within_each_rules_error(
        method, n, bound):
    rng = np.random.default_rng(15)
    net = lstmref.Network(random_params(rng, 4, 3, scale=1.2),
                          rng.normal(size=(4, 2)), rng.normal(size=2))
    x = rng.normal(size=(3, 5, 3))
    ig = A.integrated_gradients(net, x, output=0, n_steps=n, method=method)
    gap = ig.sum(axis=(1, 2)) - (net.predict(x)[:, 0]
                                 - net.predict(np.zeros_like(x))[:, 0])
    assert np.max(np.abs(gap)) < bound


def test_a_float32_run_gives_float32_gradients_whatever_dh_is():
    """dh (float64) is cast to the run's type like dh_T and dc_T; the
    values match the same run's with dh given in float32."""
    rng = np.random.default_rng(16)
    params = random_params(rng, 3, 2, dtype=np.float32)
    x = rng.normal(size=(2, 5, 2)).astype(np.float32)
    dh = rng.normal(size=(2, 5, 3))
    g64 = backward(x, params, dh=dh)
    g32 = backward(x, params, dh=dh.astype(np.float32))
    for name in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0"):
        assert getattr(g64, name).dtype == np.float32, name
        np.testing.assert_array_equal(getattr(g64, name),
                                      getattr(g32, name), err_msg=name)


@pytest.mark.parametrize("name,module", [("hard_sigmoid", "keras"),
                                         ("hard_sigmoid_keras2", "tf_keras")])
def test_hard_sigmoid_derivatives_equal_tensorflow_at_and_beside_kinks(
        name, module):
    """At a kink the slope is a convention: TensorFlow keeps it for Keras
    2's clip (0.2 at z = +-2.5) and drops it for Keras 3's relu6 (0 at
    z = +-3); BPTT through a gate sitting on a kink must agree."""
    import importlib
    import tensorflow as tf
    library = importlib.import_module(module)
    near = [np.nextafter(k, s) for k in (-3.0, -2.5, 2.5, 3.0)
            for s in (-np.inf, np.inf)]
    z = np.array([-4.0, -3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0, 4.0] + near)
    for dtype in (np.float64, np.float32):
        zt = tf.constant(z.astype(dtype))
        with tf.GradientTape() as tape:
            tape.watch(zt)
            y = library.activations.hard_sigmoid(zt)
        expected = tape.gradient(y, zt).numpy()
        got = DERIVATIVES[name](z.astype(dtype), None)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=["1-D", "2-D", "3-D"])
def test_gates_accept_any_leading_axes_and_slice_i_f_c_o(shape):
    """``cell.gates`` reads z (..., 4u) in Keras's order i, f, c, o, each
    gate worked out here from its own slice with the textbook formulas."""
    from lstmref.cell import gates
    rng = np.random.default_rng(14)
    params = random_params(rng, 3, 2)
    z = rng.normal(size=(*shape, 12))
    expected = [1 / (1 + np.exp(-z[..., 0:3])), 1 / (1 + np.exp(-z[..., 3:6])),
                np.tanh(z[..., 6:9]), 1 / (1 + np.exp(-z[..., 9:12]))]
    for got, want in zip(gates(z, params), expected):
        assert got.shape == (*shape, 3)
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_sigmoid_gives_0_exactly_where_its_docstring_says_exp_overflows():
    from lstmref.activations import sigmoid
    # no overflow warning escapes (a subnormal result may underflow)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert sigmoid(np.float64(-709.79)) == 0.0
        assert sigmoid(np.float64(-709.77)) > 0
        assert sigmoid(np.float32(-88.73)) == 0.0
        assert sigmoid(np.float32(-88.71)) > 0
    # where it is 0 the true value is smaller than the docstring's bounds
    assert 0 < math.exp(-709.79) < 5.6e-309
    assert 0 < math.exp(-88.73) < 2.95e-39
