"""lstmref.lstm returns what Keras 3's LSTM layer returns, flag for flag.

Every configuration draws its own seeded random weights with every bias
block non-zero, builds the real Keras layer (TensorFlow backend, CPU) with
those weights and the same flags, and compares all returned arrays.
"""

import itertools
import zlib

import numpy as np
import pytest

import lstmref
from helpers import (as_list, keras_lstm, max_abs_error, random_mask,
                     random_params)

# Tolerances. float64: both sides do the same arithmetic in a different
# order, so only rounding (about 1e-16 per operation) separates them.
# float32: the same, at float32's 6e-8 per operation, summed over up to 50
# steps and 20 terms per dot product.
ATOL = {np.float64: 1e-12, np.float32: 2e-6}

SHAPES = list(itertools.product(
    (1, 3, 16),  # units
    (1, 4),  # input_dim
    (1, 7, 50),  # T
    (1, 5),  # batch
))

# Each option set gives the layer's constructor flags, lstmref's call flags
# and what the call passes (mask kind, initial state, a second call).
OPTIONS = {
    "defaults": {},
    "return_sequences_and_state": dict(return_sequences=True,
                                       return_state=True),
    "mask_right_padded": dict(mask="right", return_state=True),
    "mask_with_holes": dict(mask="holes", return_sequences=True),
    "initial_state": dict(initial_state=True, return_state=True),
    "state_carried_across_two_calls": dict(stateful=True),
    "go_backwards_last_output": dict(go_backwards=True, return_state=True),
    "go_backwards_sequences_masked": dict(go_backwards=True,
                                          return_sequences=True,
                                          mask="holes"),
    "zero_output_for_mask": dict(zero_output_for_mask=True, mask="holes",
                                 return_sequences=True, return_state=True),
    "zero_output_for_mask_last": dict(zero_output_for_mask=True,
                                      mask="right"),
    "implementation_1": dict(implementation=1, return_sequences=True),
    "no_bias": dict(use_bias=False, return_state=True),
    "hard_sigmoid": dict(recurrent_activation="hard_sigmoid",
                         return_sequences=True),
    "relu": dict(activation="relu", return_sequences=True),
}
CALL_FLAGS = ("return_sequences", "return_state", "go_backwards",
              "zero_output_for_mask")


def run_both(option, units, input_dim, T, batch, dtype):
    """Run Keras and lstmref on one configuration; return (ours, keras)."""
    opts = OPTIONS[option]
    seed = zlib.crc32(f"{option}-{units}-{input_dim}-{T}-{batch}".encode())
    rng = np.random.default_rng(seed)
    params = random_params(
        rng, units, input_dim, dtype=dtype,
        use_bias=opts.get("use_bias", True),
        activation=opts.get("activation", "tanh"),
        recurrent_activation=opts.get("recurrent_activation", "sigmoid"))
    flags = {k: opts[k] for k in CALL_FLAGS if k in opts}
    layer_flags = dict(flags, implementation=opts.get("implementation", 2))
    x = rng.normal(size=(batch, T, input_dim)).astype(dtype)
    if opts.get("stateful"):
        layer = keras_lstm(params, stateful=True, batch=batch, **layer_flags)
        keras_out = as_list(layer(x)) + as_list(layer(2 * x))
        first, h, c = lstmref.lstm(x, params, return_state=True)
        ours = [first, lstmref.lstm(2 * x, params, initial_state=[h, c])]
        return ours, keras_out
    layer = keras_lstm(params, **layer_flags)
    call = {}
    if "mask" in opts:
        call["mask"] = random_mask(rng, batch, T, opts["mask"])
    if opts.get("initial_state"):
        call["initial_state"] = [
            rng.normal(0, 0.5, (batch, units)).astype(dtype)
            for _ in range(2)]
    keras_out = layer(x, **call)
    ours = lstmref.lstm(x, params, **flags, **call)
    return ours, keras_out


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("units,input_dim,T,batch", SHAPES)
def test_float64_layer_matches_keras(option, units, input_dim, T, batch):
    ours, theirs = run_both(option, units, input_dim, T, batch, np.float64)
    assert max_abs_error(ours, theirs) <= ATOL[np.float64]


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("units,input_dim,T,batch", [
    (1, 1, 1, 1), (3, 4, 7, 5), (16, 4, 50, 5), (16, 1, 50, 1)])
def test_float32_layer_matches_keras(option, units, input_dim, T, batch):
    ours, theirs = run_both(option, units, input_dim, T, batch, np.float32)
    assert all(a.dtype == np.float32 for a in as_list(ours))
    assert max_abs_error(ours, theirs) <= ATOL[np.float32]


def test_grid_has_at_least_200_configurations():
    assert len(SHAPES) * len(OPTIONS) >= 200


def test_mask_changes_the_result():
    """The masked configurations are not trivially equal to unmasked ones."""
    rng = np.random.default_rng(7)
    params = random_params(rng, 3, 4)
    x = rng.normal(size=(5, 7, 4))
    mask = random_mask(rng, 5, 7, "holes")
    assert not np.allclose(lstmref.lstm(x, params, mask=mask),
                           lstmref.lstm(x, params))


@pytest.mark.parametrize("units,T", [(1, 7), (3, 50), (16, 7)])
def test_keras2_hard_sigmoid_matches_tf_keras(units, T):
    """Keras 1-2's clip(0.2x + 1/2) equals tf_keras's ``hard_sigmoid``."""
    rng = np.random.default_rng(units * 100 + T)
    params = random_params(rng, units, 4,
                           recurrent_activation="hard_sigmoid_keras2",
                           scale=2.0)  # large enough to reach the clips
    layer = keras_lstm(params, framework="tf_keras", return_sequences=True,
                       return_state=True)
    x = rng.normal(size=(5, T, 4))
    theirs = layer(x)
    assert max_abs_error(lstmref.lstm(x, params, return_sequences=True,
                                      return_state=True), theirs) <= 1e-12
    keras3 = params.astype(np.float64)
    keras3 = lstmref.LSTMParams(keras3.kernel, keras3.recurrent_kernel,
                                keras3.bias,
                                recurrent_activation="hard_sigmoid")
    assert max_abs_error(lstmref.lstm(x, keras3, return_sequences=True,
                                      return_state=True), theirs) > 1e-3


def test_from_keras_reads_weights_and_activations():
    rng = np.random.default_rng(3)
    params = random_params(rng, 3, 2, activation="relu",
                           recurrent_activation="hard_sigmoid")
    layer = keras_lstm(params)
    read = lstmref.from_keras(layer)
    assert (read.activation, read.recurrent_activation) == (
        "relu", "hard_sigmoid")
    # Keras 3's own arrays are LSTMParams' layout (gate blocks i, f, c, o)
    kernel, recurrent_kernel, bias = layer.get_weights()
    for ours, theirs, original in (
            (read.kernel, kernel, params.kernel),
            (read.recurrent_kernel, recurrent_kernel,
             params.recurrent_kernel), (read.bias, bias, params.bias)):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(ours, original)


def test_from_keras_tells_tf_keras_hard_sigmoid_apart():
    rng = np.random.default_rng(4)
    params = random_params(rng, 2, 2,
                           recurrent_activation="hard_sigmoid_keras2")
    layer = keras_lstm(params, framework="tf_keras")
    assert lstmref.from_keras(layer).recurrent_activation == (
        "hard_sigmoid_keras2")


def test_from_keras_reads_a_get_weights_list():
    rng = np.random.default_rng(5)
    params = random_params(rng, 3, 2, use_bias=False)
    layer = keras_lstm(params)
    read = lstmref.from_keras(layer.get_weights())
    assert read.bias is None
    x = rng.normal(size=(2, 5, 2))
    assert max_abs_error(lstmref.lstm(x, read), layer(x)) <= 1e-12
