"""lstmref.grad.backward equals TensorFlow's gradients and finite
differences, in float64."""

import numpy as np
import pytest
import tensorflow as tf

import lstmref
from lstmref.grad import backward
from helpers import keras_lstm, random_mask, random_params

CASES = {
    "plain": {},
    "mask_holes": dict(mask="holes"),
    "mask_right": dict(mask="right"),
    "go_backwards": dict(go_backwards=True),
    "go_backwards_masked": dict(go_backwards=True, mask="holes"),
    "hard_sigmoid": dict(recurrent_activation="hard_sigmoid"),
    "relu_no_bias": dict(activation="relu", use_bias=False),
    "sequence_loss": dict(sequence_loss=True),
    "sequence_loss_backwards": dict(sequence_loss=True, go_backwards=True),
}


def tape_gradients(params, x, h0, c0, mask, go_backwards, a, b, s):
    """dL/d(x, kernel, recurrent_kernel, bias, h0, c0) by tf.GradientTape,
    for L = sum(a h_T) + sum(b c_T) + sum(s outputs)."""
    layer = keras_lstm(params, return_sequences=True, return_state=True,
                       go_backwards=go_backwards)
    xs, h0t, c0t = (tf.constant(v) for v in (x, h0, c0))
    with tf.GradientTape() as tape:
        tape.watch([xs, h0t, c0t])
        out, h, c = layer(xs, initial_state=[h0t, c0t], mask=mask)
        loss = tf.reduce_sum(a * h) + tf.reduce_sum(b * c)
        if s is not None:
            loss += tf.reduce_sum(s * out)
    grads = tape.gradient(loss, [xs, *layer.trainable_weights, h0t, c0t])
    return [np.asarray(g) for g in grads]


@pytest.mark.parametrize("case", list(CASES))
def test_backward_matches_gradient_tape(case):
    opts = CASES[case]
    rng = np.random.default_rng(len(case) * 7919)
    units, F, batch, T = 4, 3, 5, 9
    params = random_params(
        rng, units, F, use_bias=opts.get("use_bias", True),
        activation=opts.get("activation", "tanh"),
        recurrent_activation=opts.get("recurrent_activation", "sigmoid"),
        scale=1.5)
    x = rng.normal(size=(batch, T, F))
    h0, c0 = (rng.normal(0, 0.5, (batch, units)) for _ in range(2))
    mask = random_mask(rng, batch, T, opts["mask"]) if "mask" in opts \
        else None
    a, b = rng.normal(size=(batch, units)), rng.normal(size=(batch, units))
    s = rng.normal(size=(batch, T, units)) if opts.get("sequence_loss") \
        else None
    backwards = opts.get("go_backwards", False)
    theirs = tape_gradients(params, x, h0, c0, mask, backwards, a, b, s)
    g = backward(x, params, a, b, dh=s, initial_state=[h0, c0], mask=mask,
                 go_backwards=backwards)
    ours = [g.x, g.kernel, g.recurrent_kernel]
    ours += [g.bias] if params.use_bias else []
    ours += [g.h0, g.c0]
    assert len(ours) == len(theirs)
    for name, o, t in zip(["x", "kernel", "recurrent_kernel", "bias", "h0",
                           "c0"] if params.use_bias else
                          ["x", "kernel", "recurrent_kernel", "h0", "c0"],
                          ours, theirs):
        # float64 on both sides; the sums run in another order (1e-16 each)
        np.testing.assert_allclose(o, t, rtol=0, atol=1e-10, err_msg=name)


def test_backward_matches_central_differences():
    rng = np.random.default_rng(5)
    params = random_params(rng, 3, 2, scale=1.5)
    x = rng.normal(size=(2, 6, 2))
    a = rng.normal(size=(2, 3))

    def loss(x_, kernel):
        p = lstmref.LSTMParams(kernel, params.recurrent_kernel, params.bias)
        return float(np.sum(a * lstmref.lstm(x_, p)))

    g = backward(x, params, a)
    eps = 1e-6
    for index in [(0, 0, 0), (1, 3, 1), (0, 5, 1)]:
        step = np.zeros_like(x)
        step[index] = eps
        numeric = (loss(x + step, params.kernel)
                   - loss(x - step, params.kernel)) / (2 * eps)
        # central differences err by O(eps^2) plus round-off / eps
        assert abs(numeric - g.x[index]) < 1e-8
    for index in [(0, 0), (1, 7), (0, 11)]:
        step = np.zeros_like(params.kernel)
        step[index] = eps
        numeric = (loss(x, params.kernel + step)
                   - loss(x, params.kernel - step)) / (2 * eps)
        assert abs(numeric - g.kernel[index]) < 1e-8
