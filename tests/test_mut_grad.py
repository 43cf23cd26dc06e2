"""Gradients in the cases the main parity tests leave out, each against
tf.GradientTape: a loss on c_T alone or on the outputs alone, float32
runs (whose gradients stay float32, as TensorFlow's do), a go_backwards
network's input gradient, the default output, and each activation's
derivative exactly at its kinks, where a slope is a convention and
TensorFlow's is the one to match.

Written to kill mutants that survived ``make mutation`` (see
benchmarks/mutation_report.txt); each test names the property it checks.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstmref.activations import ACTIVATIONS
from lstmref.grad import DERIVATIVES, backward, input_gradient
from lstmref.network import Network
from helpers import keras_lstm, keras_twin, random_mask, random_params


def tape(params, x, weights, *, mask=None, h0=None, c0=None,
         go_backwards=False):
    """dL/d(x, h0, c0) by tf.GradientTape for L = sum(a h_T) + sum(b c_T)
    + sum(s outputs), ``weights`` = (a, b, s), each None or an array."""
    layer = keras_lstm(params, return_sequences=True, return_state=True,
                       go_backwards=go_backwards)
    batch, units = x.shape[0], params.units
    dtype = params.dtype
    h0 = np.zeros((batch, units), dtype) if h0 is None else h0
    c0 = np.zeros((batch, units), dtype) if c0 is None else c0
    xs, h0t, c0t = (tf.constant(v) for v in (x, h0, c0))
    a, b, s = weights
    with tf.GradientTape() as t:
        t.watch([xs, h0t, c0t])
        out, h, c = layer(xs, initial_state=[h0t, c0t], mask=mask)
        loss = tf.constant(0.0, dtype=dtype.name)
        for weight, value in ((a, h), (b, c), (s, out)):
            if weight is not None:
                loss += tf.reduce_sum(weight * value)
    return [np.asarray(g) for g in t.gradient(loss, [xs, h0t, c0t])]


@pytest.mark.parametrize("which", ["c_T only", "outputs only",
                                   "outputs only, masked"])
def test_backward_with_some_gradients_absent_matches_gradient_tape(which):
    """dh_T or dc_T left out (None) count as zeros."""
    rng = np.random.default_rng(41)
    params = random_params(rng, 3, 2, scale=1.5)
    x = rng.normal(size=(4, 6, 2))
    h0, c0 = (rng.normal(0, 0.5, (4, 3)) for _ in range(2))
    b = rng.normal(size=(4, 3)) if which == "c_T only" else None
    s = None if which == "c_T only" else rng.normal(size=(4, 6, 3))
    mask = random_mask(rng, 4, 6, "holes") if "masked" in which else None
    theirs = tape(params, x, (None, b, s), mask=mask, h0=h0, c0=c0)
    if mask is not None:
        s = s * mask[..., None]  # Keras's output at a masked step is a copy
        theirs = tape(params, x, (None, b, s), mask=mask, h0=h0, c0=c0)
    g = backward(x, params, None, b, dh=s, initial_state=[h0, c0],
                 mask=mask)
    for name, ours, t in zip(("x", "h0", "c0"), (g.x, g.h0, g.c0), theirs):
        np.testing.assert_allclose(ours, t, rtol=0, atol=1e-10,
                                   err_msg=name)


def test_float32_gradients_are_float32_and_match_gradient_tape():
    rng = np.random.default_rng(42)
    params = random_params(rng, 3, 2, scale=1.5, dtype=np.float32)
    x = rng.normal(size=(4, 6, 2)).astype(np.float32)
    a, b = (rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2))
    for dh_T, dc_T in ((a, b), (None, b), (a, None)):
        theirs = tape(params, x, (dh_T, dc_T, None))
        g = backward(x, params, dh_T, dc_T)
        for name in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0"):
            assert getattr(g, name).dtype == np.float32, name
        # float32 round-off over 6 steps of products and sums
        for name, ours, t in zip(("x", "h0", "c0"), (g.x, g.h0, g.c0),
                                 theirs):
            np.testing.assert_allclose(ours, t, rtol=0, atol=2e-6,
                                       err_msg=name)


def keras_network(rng, go_backwards):
    """(Network, the same model in Keras): LSTM(3) -> Dense(2), float64."""
    params = random_params(rng, 3, 2, scale=1.5)
    D, d = rng.normal(size=(3, 2)), rng.normal(size=2)
    net = Network(params, D, d, go_backwards=go_backwards)
    return net, keras_twin(net)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_input_gradient_of_each_output_matches_gradient_tape(go_backwards):
    """Output 0 is the default; go_backwards reads the window reversed."""
    rng = np.random.default_rng(43)
    net, model = keras_network(rng, go_backwards)
    x = rng.normal(size=(3, 7, 2))
    for output in (0, 1):
        xt = tf.constant(x)
        with tf.GradientTape() as t:
            t.watch(xt)
            y = tf.reduce_sum(model(xt)[:, output])
        theirs = np.asarray(t.gradient(y, xt))
        ours = input_gradient(net, x, output) if output else \
            input_gradient(net, x)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


KINKS = {"hard_sigmoid": [-3.0, 3.0], "relu": [0.0],
         "sigmoid": [0.0], "tanh": [0.0], "linear": [0.0]}


@pytest.mark.parametrize("name", sorted(KINKS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_derivative_at_the_kinks_is_tensorflows(name, dtype):
    """At a kink the slope is a convention: TensorFlow's, from the tape of
    Keras 3's own activation, at the kink and either side of it. The
    result keeps the input's float type where TensorFlow's does (relu)."""
    points = []
    for k in KINKS[name]:
        points += [k, k - 1e-3, k + 1e-3, k - 0.5, k + 0.5]
    z = np.array(points, dtype)
    zt = tf.constant(z)
    with tf.GradientTape() as t:
        t.watch(zt)
        y = getattr(keras.activations, name)(zt)
    theirs = np.asarray(t.gradient(y, zt))
    ours = DERIVATIVES[name](z, ACTIVATIONS[name](z))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0)
    if name == "relu":
        assert ours.dtype == dtype


def test_a_layer_without_bias_has_no_bias_gradient():
    rng = np.random.default_rng(44)
    params = random_params(rng, 2, 2, use_bias=False)
    g = backward(rng.normal(size=(3, 4, 2)), params, np.ones((3, 2)))
    assert g.bias is None


def test_float32_run_keeps_float32_with_float64_gradients_given():
    """The gradients follow the run's float type, not that of dh_T and
    dc_T (here float64). (A float64 ``dh`` still turns h0's and c0's
    gradients into float64: reported, not asserted here.)"""
    rng = np.random.default_rng(45)
    params = random_params(rng, 2, 2, dtype=np.float32)
    x = rng.normal(size=(3, 4, 2)).astype(np.float32)
    a, b = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    g = backward(x, params, a, b)
    for name in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0"):
        assert getattr(g, name).dtype == np.float32, name
