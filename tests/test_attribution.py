"""The whole model read from Keras, and each attribution method's
guarantee, in float64."""

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
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(
        3, return_sequences=True), keras.layers.LSTM(3),
        keras.layers.Dense(1)]), "return_sequences=True"),
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3),
                               keras.layers.Lambda(lambda t: t * 2),
                               keras.layers.Dense(1)]), "'lambda"),
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.Dense(3),
                               keras.layers.LSTM(3)]), "first layer"),
    (lambda: keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3),
                               keras.layers.Dense(2),
                               keras.layers.Activation("relu")]),
     "linear Activation"),
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


@pytest.fixture
def net():
    return make_net(0.6)  # weights of the size a trained model has


@pytest.fixture
def x():
    return np.random.default_rng(4).normal(size=(3, 10, 3))


def difference(net, x, baseline, output=0):
    return net.predict(x)[:, output] - net.predict(baseline)[:, output]


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


def test_occlusion_of_the_last_step_is_the_change_it_makes(net, x):
    occ = A.occlusion(net, x)
    cut = x.copy()
    cut[:, -1] = 0.0
    np.testing.assert_allclose(occ[:, -1], difference(net, x, cut),
                               atol=1e-15)


@pytest.mark.parametrize("steps", [[9], [0, 1, 2], [], list(range(10))])
def test_cd_parts_sum_to_the_forecast(net, x, steps):
    relevant, irrelevant = A.contextual_decomposition(net, x, steps)
    np.testing.assert_allclose(relevant + irrelevant, net.predict(x)[:, 0],
                               atol=1e-10)
    if not steps:
        np.testing.assert_allclose(relevant, 0, atol=1e-15)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lrp_conserves_the_forecast_with_bias_factor_1(net, x, go_backwards):
    net = Network(net.params, net.dense_kernel, net.dense_bias,
                  go_backwards=go_backwards)
    r_x, r_h0, r_c0 = A.lrp(net, x, output=1, with_initial_state=True)
    total = r_x.sum(axis=(1, 2)) + r_h0.sum(axis=1) + r_c0.sum(axis=1)
    np.testing.assert_allclose(total, net.predict(x)[:, 1], atol=1e-10)
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
