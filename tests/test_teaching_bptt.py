"""The book's teaching BPTT (lstmref.teaching_bptt) equals TensorFlow's
gradients and the fast lstmref.grad, in float64."""

import numpy as np
import pytest
import tensorflow as tf

import lstmref
from lstmref import teaching_bptt
from lstmref.grad import backward, input_gradient
from helpers import keras_lstm, keras_twin, random_params

NAMES = ["x", "kernel", "recurrent_kernel", "bias", "h0", "c0"]


def case(seed, units=4, F=3, batch=5, T=7):
    rng = np.random.default_rng(seed)
    params = random_params(rng, units, F, scale=1.5)
    assert np.all(params.bias != 0)  # non-zero biases, as helpers promise
    x = rng.normal(size=(batch, T, F))
    a = rng.normal(size=(batch, units))  # L = sum(a h_T)
    return params, x, a


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bptt_matches_gradient_tape(seed):
    params, x, a = case(seed)
    batch = len(x)
    layer = keras_lstm(params, return_state=True)
    xs = tf.constant(x)
    h0, c0 = (tf.constant(np.zeros((batch, params.units))) for _ in "hc")
    with tf.GradientTape() as tape:
        tape.watch([xs, h0, c0])
        _, h, _ = layer(xs, initial_state=[h0, c0])
        loss = tf.reduce_sum(a * h)
    theirs = tape.gradient(loss, [xs, *layer.trainable_weights, h0, c0])
    ours = teaching_bptt.bptt(x, params, a)
    for name, t in zip(NAMES, theirs):
        # float64 on both sides; the sums run in another order (1e-16 each)
        np.testing.assert_allclose(getattr(ours, name), np.asarray(t),
                                   rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("seed", [3, 4])
def test_bptt_equals_the_fast_backward(seed):
    params, x, a = case(seed, T=11)
    ours = teaching_bptt.bptt(x, params, a)
    fast = backward(x, params, a)
    for name in NAMES:
        # the same sums, the fast one over all steps at once
        np.testing.assert_allclose(getattr(ours, name), getattr(fast, name),
                                   rtol=0, atol=1e-12, err_msg=name)


def test_input_gradient_matches_tape_and_fast_version():
    rng = np.random.default_rng(9)
    params = random_params(rng, 3, 4, scale=1.5)
    D = rng.normal(size=(3, 2))
    d = rng.uniform(0.1, 1, 2) * rng.choice([-1, 1], 2)
    net = lstmref.Network(params, D, d)
    x = rng.normal(size=(6, 5, 4))
    model = keras_twin(net)
    xs = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xs)
        total = tf.reduce_sum(model(xs)[:, 1])  # windows are independent
    tape_grad = np.asarray(tape.gradient(total, xs))
    ours = teaching_bptt.input_gradient(net, x, output=1)
    np.testing.assert_allclose(ours, tape_grad, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours, input_gradient(net, x, output=1),
                               rtol=0, atol=1e-12)


def test_refuses_what_it_does_not_teach():
    rng = np.random.default_rng(0)
    hard = random_params(rng, 2, 3, recurrent_activation="hard_sigmoid")
    with pytest.raises(ValueError, match=r"^params: expected the default "
                       r"LSTM .*recurrent_activation='hard_sigmoid'"):
        teaching_bptt.bptt(np.ones((1, 2, 3)), hard, np.ones((1, 2)))
    plain = random_params(rng, 2, 3)
    with pytest.raises(ValueError, match=r"^dh_T: "):
        teaching_bptt.bptt(np.ones((1, 2, 3)), plain, np.ones((1, 3)))
    net = lstmref.Network(plain, np.ones((2, 1)), np.ones(1),
                          dense_activation="relu")
    with pytest.raises(ValueError, match=r"^net: expected a Network with a "
                       r"linear output.*'relu'"):
        teaching_bptt.input_gradient(net, np.ones((1, 2, 3)))
    with pytest.raises(TypeError, match=r"^net: expected a Network"):
        teaching_bptt.input_gradient(plain, np.ones((1, 2, 3)))
