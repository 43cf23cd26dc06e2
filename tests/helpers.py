"""Shared test helpers: seeded random weights and the real Keras layer.

``random_params`` is the project's one recipe for random LSTM weights:
benchmarks/common.py loads this file by its path to use it too, so the
module imports nothing at the top but NumPy and lstmref.
"""

import numpy as np

import lstmref


def random_params(rng, units, input_dim, *, use_bias=True, dtype=np.float64,
                  activation="tanh", recurrent_activation="sigmoid",
                  scale=0.6):
    """Random non-zero weights; every bias block has no zero entry.

    Weights are N(0, scale^2 / fan_in) so gates neither saturate at once
    nor sit at their midpoint; bias entries are +-U(0.1, 1).
    """
    fan_in = input_dim + units
    kernel = rng.normal(0, scale * 2 / np.sqrt(fan_in), (input_dim, 4 * units))
    recurrent = rng.normal(0, scale * 2 / np.sqrt(fan_in), (units, 4 * units))
    bias = None
    if use_bias:
        bias = rng.uniform(0.1, 1.0, 4 * units)
        bias = bias * rng.choice([-1, 1], 4 * units)  # drawn after, as ever
        assert np.all(bias != 0)
    return lstmref.LSTMParams(
        kernel.astype(dtype), recurrent.astype(dtype),
        None if bias is None else bias.astype(dtype),
        activation=activation, recurrent_activation=recurrent_activation)


def random_mask(rng, batch, T, kind):
    """A bool mask (batch, T): ``"right"`` padding or ``"holes"``."""
    if kind == "right":
        lengths = rng.integers(1, T + 1, batch)
        lengths[0] = max(1, T - 1)  # at least one padded row when T > 1
        return np.arange(T)[None, :] < lengths[:, None]
    mask = rng.random((batch, T)) > 0.35
    mask[0, 0] = False  # a masked first step: output starts at zeros
    if T > 2:
        mask[0, 1] = True
    return mask


def keras_lstm(params, *, framework="keras", batch=2, **flags):
    """A built Keras 3 (or ``tf_keras``) LSTM layer holding ``params``."""
    if framework == "keras":
        import keras as module
    else:
        import tf_keras as module
    ra = params.recurrent_activation
    if ra == "hard_sigmoid_keras2":
        assert framework == "tf_keras", "only tf_keras has the 0.2 slope"
        ra = "hard_sigmoid"
    layer = module.layers.LSTM(
        params.units, activation=params.activation, recurrent_activation=ra,
        use_bias=params.use_bias, dtype=params.dtype.name, **flags)
    layer.build((batch, None, params.input_dim))
    layer.set_weights(lstmref.to_keras(params))
    return layer


def as_list(result):
    """Keras's result as a list of NumPy arrays."""
    if isinstance(result, (list, tuple)):
        return [np.asarray(r) for r in result]
    return [np.asarray(result)]


def max_abs_error(ours, theirs):
    """Largest absolute difference over matching lists of arrays."""
    ours, theirs = as_list(ours), as_list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape, (a.shape, b.shape)
    return max(float(np.max(np.abs(a - b))) for a, b in zip(ours, theirs))


def keras_twin(net):
    """The Keras Sequential LSTM -> Dense that computes ``net`` (a
    ``Network``), float64, holding the same weights."""
    import keras
    p = net.params
    lstm = keras_lstm(p, go_backwards=net.go_backwards)
    dense = keras.layers.Dense(net.n_out, activation=net.dense_activation,
                               use_bias=net.dense_bias is not None,
                               dtype="float64")
    model = keras.Sequential([keras.Input((None, p.input_dim),
                                          dtype="float64"), lstm, dense])
    dense.set_weights([net.dense_kernel] + (
        [] if net.dense_bias is None else [net.dense_bias]))
    return model


def tape_gradient(model, x, output):
    """d sum(model(x)[:, output]) / dx by tf.GradientTape, as NumPy."""
    import tensorflow as tf
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(model(xt)[:, output])
    return np.asarray(tape.gradient(y, xt))
