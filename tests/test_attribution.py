"""The whole model read from Keras, and each attribution method's
guarantee, in float64. The forecasts f(x) a guarantee is checked against
come from the same network built in Keras, not from lstmref."""

import math
from itertools import combinations

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstmref import attribution as A
from lstmref.grad import input_gradient
from lstmref.network import Network, from_keras_model
from helpers import random_params


def keras_model(rng, T=6, F=3, units=5, n_out=2, linear=True,
                **lstm_flags):
    """LSTM -> Dense (-> Activation("linear")) in float64, random weights."""
    layers = [keras.Input((T, F), dtype="float64"),
              keras.layers.LSTM(units, dtype="float64", **lstm_flags),
              keras.layers.Dense(n_out, dtype="float64")]
    if linear:
        layers.append(keras.layers.Activation("linear", dtype="float64"))
    model = keras.Sequential(layers)
    model.set_weights([rng.normal(0, 0.6, w.shape)
                       for w in model.get_weights()])
    return model


@pytest.mark.parametrize("go_backwards,linear", [
    (False, True), (True, True), (False, False)])
def test_network_predict_equals_calling_the_keras_model(go_backwards,
                                                        linear):
    rng = np.random.default_rng(1)
    model = keras_model(rng, linear=linear, go_backwards=go_backwards)
    net = from_keras_model(model)
    x = rng.normal(size=(7, 6, 3))
    # float64 layers: round-off only
    np.testing.assert_allclose(net.predict(x), np.asarray(model(x)),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("build,needle", [
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.GRU(
        3, name="gru"), keras.layers.Dense(1)]), "'gru' (GRU"),
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3),
                               keras.layers.Lambda(lambda t: t * 2),
                               keras.layers.Dense(1)]), "'lambda"),
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.Dense(3),
                               keras.layers.LSTM(3)]), "first layer"),
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(
        3, return_sequences=True), keras.layers.Conv1D(2, 1, name="conv")]),
     "'conv' (Conv1D"),
])
def test_other_models_are_refused_naming_the_layer(build, needle):
    with pytest.raises(ValueError, match="model: expected") as caught:
        from_keras_model(build())
    assert needle in str(caught.value)


def test_input_gradient_equals_gradient_tape():
    rng = np.random.default_rng(2)
    model = keras_model(rng)
    x = rng.normal(size=(4, 6, 3))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(model(xt)[:, 1])
    theirs = np.asarray(tape.gradient(y, xt))
    ours = input_gradient(from_keras_model(model), x, output=1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def make_net(scale):
    rng = np.random.default_rng(3)
    return Network(random_params(rng, 6, 3, scale=scale),
                   rng.normal(size=(6, 2)), rng.normal(size=2))


def as_keras(net):
    """The same network as a float64 Keras model: LSTM -> Dense. Keras's
    packed arrays are LSTMParams' own (i, f, c, o blocks), set directly."""
    p = net.params
    model = keras.Sequential([
        keras.Input((None, p.input_dim), dtype="float64"),
        keras.layers.LSTM(p.units, dtype="float64",
                          go_backwards=net.go_backwards),
        keras.layers.Dense(net.n_out, dtype="float64")])
    model.layers[0].set_weights([p.kernel, p.recurrent_kernel, p.bias])
    model.layers[1].set_weights([net.dense_kernel, net.dense_bias])
    return model


@pytest.fixture
def net():
    return make_net(0.6)  # weights of the size a trained model has


@pytest.fixture
def x():
    return np.random.default_rng(4).normal(size=(3, 10, 3))


def keras_f(net, x, output=0):
    """The forecast ``output`` of windows x, by Keras."""
    return np.asarray(as_keras(net)(x))[:, output]


def difference(net, x, baseline, output=0):
    """f(x) - f(baseline), by Keras."""
    model = as_keras(net)
    return (np.asarray(model(x))[:, output]
            - np.asarray(model(baseline))[:, output])


def ig_by_tape(net, x, baseline, output, n):
    """(x - x') * integral_0^1 df/dx(x' + a (x - x')) da, gradients by
    tf.GradientTape on the Keras model, n-point Gauss-Legendre on [0, 1]
    (NumPy's nodes)."""
    model = as_keras(net)
    nodes, weights = np.polynomial.legendre.leggauss(n)
    total = np.zeros_like(x)
    for a, w in zip((nodes + 1) / 2, weights / 2):
        point = tf.constant(baseline + a * (x - baseline))
        with tf.GradientTape() as tape:
            tape.watch(point)
            y = tf.reduce_sum(model(point)[:, output])
        total += w * np.asarray(tape.gradient(y, point))
    return (x - baseline) * total


def test_network_of_the_tests_is_the_keras_model(net, x):
    """Control for the Keras twin the guarantees below are checked on."""
    np.testing.assert_allclose(net.predict(x), np.asarray(as_keras(net)(x)),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["gausslegendre", "riemann_trapezoid"])
def test_ig_equals_gradient_tape_integrated_by_hand(net, x, method):
    """Per step and feature, against the tape's gradients summed with the
    same rule's nodes and weights (trapezoid: k/(n-1), ends halved)."""
    baseline = np.full_like(x, -0.2)
    ours = A.integrated_gradients(net, x, baseline, output=1, n_steps=8,
                                  method=method)
    if method == "gausslegendre":
        theirs = ig_by_tape(net, x, baseline, 1, 8)
    else:
        model = as_keras(net)
        total = np.zeros_like(x)
        for k in range(8):
            point = tf.constant(baseline + k / 7 * (x - baseline))
            with tf.GradientTape() as tape:
                tape.watch(point)
                y = tf.reduce_sum(model(point)[:, 1])
            weight = 1 / 7 / (2 if k in (0, 7) else 1)
            total += weight * np.asarray(tape.gradient(y, point))
        theirs = (x - baseline) * total
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_ig_completeness(net, x):
    baseline = np.full_like(x, 0.3)
    ig = A.integrated_gradients(net, x, baseline, output=1, n_steps=32)
    assert ig.shape == x.shape
    np.testing.assert_allclose(ig.sum(axis=(1, 2)),
                               difference(net, x, baseline, 1), atol=1e-8)


def test_ig_gauss_legendre_error_falls_exponentially(x):
    """Larger weights make the integrand sharper; the error still falls
    exponentially with n (here 1e-5 at n=32, round-off at n=128)."""
    sharp = make_net(1.5)
    errors = [np.abs(A.integrated_gradients(
        sharp, x, n_steps=n).sum(axis=(1, 2))
        - difference(sharp, x, np.zeros_like(x))).max() for n in (16, 128)]
    assert errors[1] < 1e-12 < errors[0]


def test_ig_riemann_error_falls_with_n(net, x):
    errors = [np.abs(A.integrated_gradients(
        net, x, n_steps=n, method="riemann_middle").sum(axis=(1, 2))
        - difference(net, x, np.zeros_like(x))).max() for n in (8, 64)]
    assert errors[1] < errors[0] / 10


def test_ig_gives_a_step_equal_to_the_baseline_exactly_zero(net, x):
    baseline = np.zeros_like(x)
    x = x.copy()
    x[:, 4] = 0.0
    ig = A.integrated_gradients(net, x, baseline)
    assert np.all(ig[:, 4] == 0.0)


def test_shapley_efficiency(net, x):
    phi = A.shapley_steps(net, x, output=1)
    assert phi.shape == (3, 10)
    np.testing.assert_allclose(phi.sum(axis=1),
                               difference(net, x, np.zeros_like(x), 1),
                               atol=1e-10)


def test_shapley_of_a_step_that_changes_nothing_is_zero(net, x):
    baseline = x.copy()
    baseline[:, 2] = 0.0
    phi = A.shapley_steps(net, x, baseline)
    np.testing.assert_allclose(phi[:, [0, 1, *range(3, 10)]], 0, atol=1e-15)


@pytest.mark.parametrize("output", [0, 1])
def test_occlusion_is_the_change_each_step_makes(net, x, output):
    """occ_t = f(x) - f(x with step t at the baseline), f by Keras."""
    baseline = np.full(3, 0.4)  # one day for all
    occ = A.occlusion(net, x, baseline, output=output)
    assert occ.shape == (3, 10)
    model = as_keras(net)
    cut = np.repeat(x[None], 10, axis=0)  # (t, batch, T, F)
    for t in range(10):
        cut[t, :, t] = baseline
    f_cut = np.asarray(model(cut.reshape(30, 10, 3)))[:, output]
    f_x = np.asarray(model(x))[:, output]
    np.testing.assert_allclose(occ, f_x[:, None] - f_cut.reshape(10, 3).T,
                               rtol=0, atol=1e-12)


def test_shapley_equals_the_formula_over_coalitions():
    """phi_t = sum over S of the other steps of |S|! (T-|S|-1)! / T!
    (v(S + t) - v(S)), v by Keras, for a short window and a baseline."""
    rng = np.random.default_rng(21)
    net = Network(random_params(rng, 3, 2), rng.normal(size=(3, 2)),
                  rng.normal(size=2))
    T = 4
    x = rng.normal(size=(2, T, 2))
    baseline = rng.normal(size=(T, 2))  # one window for all
    model = as_keras(net)
    v = {}
    for size in range(T + 1):
        for S in combinations(range(T), size):
            window = np.broadcast_to(baseline, x.shape).copy()
            window[:, list(S)] = x[:, list(S)]
            v[frozenset(S)] = np.asarray(model(window))[:, 1]
    expected = np.zeros((2, T))
    for t in range(T):
        for size in range(T):
            weight = (math.factorial(size) * math.factorial(T - size - 1)
                      / math.factorial(T))
            for S in combinations([s for s in range(T) if s != t], size):
                S = frozenset(S)
                expected[:, t] += weight * (v[S | {t}] - v[S])
    np.testing.assert_allclose(A.shapley_steps(net, x, baseline, output=1),
                               expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("steps", [[9], [0, 1, 2], [], list(range(10))])
def test_cd_parts_sum_to_the_forecast(net, x, steps):
    relevant, irrelevant = A.contextual_decomposition(net, x, steps)
    np.testing.assert_allclose(relevant + irrelevant, keras_f(net, x, 0),
                               atol=1e-10)
    if not steps:
        np.testing.assert_allclose(relevant, 0, atol=1e-15)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lrp_conserves_the_forecast_with_bias_factor_1(net, x, go_backwards):
    net = Network(net.params, net.dense_kernel, net.dense_bias,
                  go_backwards=go_backwards)
    r_x, r_h0, r_c0 = A.lrp(net, x, output=1, with_initial_state=True)
    total = r_x.sum(axis=(1, 2)) + r_h0.sum(axis=1) + r_c0.sum(axis=1)
    np.testing.assert_allclose(total, keras_f(net, x, 1), atol=1e-10)
    assert np.abs(r_h0).sum() > 0  # bias shares reach the zero h_0


def test_shapley_refuses_long_windows(net):
    with pytest.raises(ValueError, match="x: exact Shapley"):
        A.shapley_steps(net, np.zeros((1, 15, 3)))


def test_memory_horizon_is_the_product_of_later_forget_gates(net, x):
    import lstmref
    tr = lstmref.trace(x, net.params)
    retention, tau = A.memory_horizon(tr)
    assert retention.shape == tr.f.shape and tau.shape == (6,)
    np.testing.assert_array_equal(retention[:, -1], 1.0)
    np.testing.assert_allclose(retention[:, 3], tr.f[:, 4:].prod(axis=1),
                               rtol=1e-14)


def test_memory_horizon_is_dc_T_dc_t_with_the_input_gate_shut():
    """Shut input gate (bias -40): c_T = c_t * prod of later f exactly."""
    import lstmref
    rng = np.random.default_rng(8)
    p = random_params(rng, 3, 2)
    bias = p.bias.copy()
    bias[:3] = -40.0  # i = sigma(-40) ~ 4e-18: nothing written
    p = lstmref.LSTMParams(p.kernel, p.recurrent_kernel, bias)
    x = rng.normal(size=(2, 8, 2))
    c0 = rng.normal(size=(2, 3))
    tr = lstmref.trace(x, p, initial_state=[np.zeros((2, 3)), c0])
    retention, _ = A.memory_horizon(tr)
    np.testing.assert_allclose(tr.c[:, -1], c0 * tr.f[:, 0] * retention[:, 0],
                               rtol=1e-12)


def test_saturation_covers_the_three_gates(net, x):
    import lstmref
    sat = A.saturation(lstmref.trace(x, net.params))
    assert set(sat) == {"i", "f", "o"}
    for left, right in sat.values():
        assert np.all((left >= 0) & (right >= 0) & (left + right <= 1))
