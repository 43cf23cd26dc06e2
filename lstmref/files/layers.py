"""One converter per Keras layer class: its config and arrays -> Stack layers.

Each entry of ``CONVERTERS`` takes ``(layer, flow, context, built)``:
the layer's record (``name``, ``class_name``, ``position``, ``config``,
``weights``), the ``Flow`` of what reaches it (a sequence or one vector,
and its width), where it comes from (``context.prefix`` for messages,
``context.keras2`` for ``hard_sigmoid``), and the Stack layers built so
far; it returns them with its own added, and updates ``flow``.
Normalization, Rescaling and BatchNormalization all become
``Affine(scale, offset)``, y = x * scale + offset, with scale and offset
computed as Keras 3 (and tf_keras) compute them at prediction.
"""

from dataclasses import dataclass

import numpy as np

from ..activations import ACTIVATIONS
from ..layouts import from_keras1
from ..params import LSTMParams
from ..stack.functions import FUNCTIONS
from ..stack import (Activation, Affine, Bidirectional, Dense, Flatten,
                     LayerNorm, LeakyReLU, Masking, Recurrent, Reshape)
from .functions import keras_activation
from .safety import ModelFileError

__all__ = ["CONVERTERS", "Flow", "SUPPORTED", "refusal"]

SUPPORTED = (
    "LSTM and Bidirectional(LSTM) layers, with Masking, Normalization or "
    "Rescaling before them and Dense, TimeDistributed(Dense), Activation, "
    "LeakyReLU, ReLU, ELU, Softmax (default settings but LeakyReLU's "
    "slope), "
    "BatchNormalization, LayerNormalization, Flatten or Reshape after "
    "them, in a Sequential or a functional chain; Dropout, "
    "SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout and "
    "ActivityRegularization are skipped (inactive at prediction)")

#: Keras's ``backend.epsilon()``: Normalization divides by
#: max(sqrt(variance), it).
KERAS_EPSILON = 1e-7


@dataclass
class Flow:
    """What one layer passes to the next (the batch axis left out)."""

    recurrent: bool = False   # an LSTM has been read
    sequence: bool = True     # (T, width) rather than (width,)
    width: int | None = None  # size of the last axis, where known
    steps: int | None = None  # T, where the model states it


def refusal(where, layer, expected, supported):
    """The one-line message refusing ``layer``."""
    return (f"{where}: expected {expected}, got the layer {layer.name!r} "
            f"({layer.class_name}, position {layer.position} from 0); "
            f"lstmref reads {supported}")


def _function(context, layer, config, key, default, inner="",
              known=ACTIVATIONS):
    """The lstmref name of ``config[key]`` (``default`` if absent)."""
    what = f" ({inner})" if inner else ""
    return keras_activation(
        config.get(key, default), context.keras2,
        f"{context.prefix}: layer {layer.name!r} ({layer.class_name}"
        f"{what}) {key}", known)


def _refuse(context, layer, expected):
    raise ModelFileError(refusal(context.prefix, layer, expected,
                                 SUPPORTED))


def _arrays(layer):
    return [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind
            in "iu" else np.asarray(a) for a in layer.weights.values()]


def _made(context, layer, make):
    """``make()``, its ValueError/TypeError made one naming the layer."""
    try:
        return make()
    except (TypeError, ValueError) as error:
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(
            f"{context.prefix}: layer {layer.name!r} ({layer.class_name}, "
            f"position {layer.position} from 0): its weights do not fit "
            f"its configuration: {error}") from None


# --- recurrent layers ----------------------------------------------------

def _lstm_params(context, layer, config, arrays, inner=""):
    """``LSTMParams`` of one LSTM's config and arrays (Keras 1's twelve
    arrays, gates i, c, f, o, or the packed three of Keras 2-3)."""
    for flag in ("return_state", "stateful", "time_major"):
        if config.get(flag, False):
            why = {"return_state": "one output per model",
                   "stateful": "each window from zero states",
                   "time_major": "inputs (batch, T, features)"}[flag]
            _refuse(context, layer, f"an LSTM without {flag}=True "
                                    f"(lstmref computes {why})")
    functions = {
        "activation": _function(context, layer, config, "activation",
                                "tanh", inner),
        # Keras 1 named the gates' function inner_activation; Keras 1-2's
        # default was their hard sigmoid
        "recurrent_activation": _function(
            context, layer, config, "recurrent_activation",
            config.get("inner_activation", "hard_sigmoid"), inner)}
    if len(arrays) == 12:  # Keras 1: W, U, b of each gate i, c, f, o
        return _made(context, layer,
                     lambda: from_keras1(arrays, **functions))
    if len(arrays) not in (2, 3):
        _refuse(context, layer, "an LSTM with kernel, recurrent_kernel "
                f"and bias arrays, not {len(arrays)} arrays")
    return _made(context, layer, lambda: LSTMParams(*arrays, **functions))


def _recurrent(context, layer, config, arrays, zero_output=None,
               inner=""):
    params = _lstm_params(context, layer, config, arrays, inner)
    sequences = bool(config.get("return_sequences", False))
    if zero_output is None:
        zero_output = bool(config.get("zero_output_for_mask", False))
    return params, Recurrent(params, return_sequences=sequences,
                             go_backwards=bool(config.get("go_backwards")),
                             zero_output_for_mask=zero_output)


def _lstm(layer, flow, context, built):
    params, recurrent = _recurrent(context, layer, layer.config,
                                   _arrays(layer))
    flow.recurrent = True
    flow.sequence = recurrent.return_sequences
    flow.width = params.units
    return built + [recurrent]


def _bidirectional(layer, flow, context, built):
    config = layer.config
    inner = config.get("layer") or {}
    if inner.get("class_name") != "LSTM":
        _refuse(context, layer, "Bidirectional(LSTM), not Bidirectional("
                f"{inner.get('class_name')})")
    mode = config.get("merge_mode", "concat")
    if mode not in ("concat", "sum", "ave", "mul"):
        _refuse(context, layer, "a Bidirectional merge_mode concat, sum, "
                f"ave or mul, not {mode!r}")
    forward = inner.get("config") or {}
    backward = (config.get("backward_layer") or {}).get("config")
    if backward is None:  # Keras 2: a copy that reads the other way
        backward = {**forward,
                    "go_backwards": not forward.get("go_backwards")}
    arrays = _arrays(layer)
    half = len(arrays) // 2
    # Keras makes both layers output zeros at masked steps when they
    # return sequences
    zero = bool(forward.get("return_sequences", False))
    pf, f = _recurrent(context, layer, forward, arrays[:half], zero,
                       "forward LSTM")
    _, b = _recurrent(context, layer, backward, arrays[half:], zero,
                      "backward LSTM")
    both = _made(context, layer,
                 lambda: Bidirectional(f, b, merge_mode=mode))
    flow.recurrent = True
    flow.sequence = f.return_sequences
    flow.width = pf.units * (2 if mode == "concat" else 1)
    return built + [both]


# --- the head ------------------------------------------------------------

def _dense(layer, flow, context, built, config=None, inner=""):
    config = layer.config if config is None else config
    arrays = _arrays(layer)
    if len(arrays) not in (1, 2):
        _refuse(context, layer, "a Dense layer with a kernel and at most "
                f"a bias, not {len(arrays)} arrays")
    activation = _function(context, layer, config, "activation", "linear",
                           inner, FUNCTIONS)
    dense = _made(context, layer, lambda: Dense(
        arrays[0], arrays[1] if len(arrays) == 2 else None,
        activation=activation))
    flow.width = arrays[0].shape[-1]
    return built + [dense]


def _time_distributed(layer, flow, context, built):
    inner = layer.config.get("layer") or {}
    if inner.get("class_name") != "Dense":
        _refuse(context, layer, "TimeDistributed(Dense), not "
                f"TimeDistributed({inner.get('class_name')})")
    return _dense(layer, flow, context, built, inner.get("config") or {},
                  "Dense")


def _activation(layer, flow, context, built):
    name = _function(context, layer, layer.config, "activation", "linear",
                     known=FUNCTIONS)
    return built if name == "linear" else built + [Activation(name)]


def _leaky_relu(layer, flow, context, built):
    config = layer.config  # Keras 3 says negative_slope, Keras 2 alpha
    slope = config.get("negative_slope", config.get("alpha", 0.3))
    return built + [_made(context, layer, lambda: LeakyReLU(slope))]


#: Activation layers read at their default settings: function, settings.
DEFAULT_ONLY = {"ELU": ("elu", {"alpha": 1.0}),
                "Softmax": ("softmax", {"axis": -1}),
                "ReLU": ("relu", {"max_value": None, "negative_slope": 0.0,
                                  "threshold": 0.0})}


def _function_layer(layer, flow, context, built):
    name, defaults = DEFAULT_ONLY[layer.class_name]
    for key, value in defaults.items():
        given = layer.config.get(key, value)
        if given != value and not (key == "axis" and given == [-1]):
            _refuse(context, layer, f"{layer.class_name} with {key}="
                    f"{value!r} (its default), not {given!r}")
    return built + [Activation(name)]


def _last_axis(context, layer, flow, axis):
    """Refuse a normalization over any axis but the last."""
    rank = 3 if flow.sequence else 2  # with the batch axis
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if len(axes) != 1 or axes[0] not in (-1, rank - 1):
        _refuse(context, layer, f"{layer.class_name} over the last axis "
                f"(-1 or {rank - 1}), not axis={axis!r}")


def _batch_normalization(layer, flow, context, built):
    config, w = layer.config, layer.weights
    _last_axis(context, layer, flow, config.get("axis", -1))
    if config.get("mode") is not None or config.get(
            "virtual_batch_size") is not None:
        _refuse(context, layer, "a BatchNormalization of Keras 2-3 without "
                "mode or virtual_batch_size")
    mean = np.asarray(w["moving_mean"], np.float64)
    variance = np.asarray(w["moving_variance"], np.float64)
    gamma = np.asarray(w.get("gamma", np.ones_like(mean)), np.float64)
    beta = np.asarray(w.get("beta", np.zeros_like(mean)), np.float64)
    # tf.nn.batch_normalization: inv = gamma / sqrt(var + eps);
    # y = x * inv + (beta - mean * inv)
    inv = gamma / np.sqrt(variance + float(config.get("epsilon", 1e-3)))
    flow.width = mean.shape[-1]
    return built + [_made(context, layer,
                          lambda: Affine(inv, beta - mean * inv))]


def _layer_normalization(layer, flow, context, built):
    config, w = layer.config, layer.weights
    _last_axis(context, layer, flow, config.get("axis", -1))
    if config.get("rms_scaling"):
        _refuse(context, layer, "a LayerNormalization without "
                "rms_scaling=True")
    return built + [_made(context, layer, lambda: LayerNorm(
        w.get("gamma"), w.get("beta"), float(config.get("epsilon", 1e-3))))]


def _normalization(layer, flow, context, built):
    config, w = layer.config, layer.weights
    _last_axis(context, layer, flow, config.get("axis", -1))
    mean, variance = config.get("mean"), config.get("variance")
    if mean is not None and variance is not None and not context.keras2:
        # Keras 3 makes the numbers given a tensor of TensorFlow's
        # default type, float32, whatever the layer's dtype
        mean, variance = _float32(mean), _float32(variance)
    if mean is None or variance is None:
        mean, variance = w.get("mean"), w.get("variance")
    if mean is None or variance is None:
        _refuse(context, layer, "a Normalization with its mean and "
                "variance (adapted, or given)")
    mean = np.asarray(mean, np.float64).reshape(-1)
    variance = np.asarray(variance, np.float64).reshape(-1)
    # Keras: (x - mean) / max(sqrt(var), eps); invert=True: the inverse
    std = np.maximum(np.sqrt(variance), KERAS_EPSILON)
    if config.get("invert", False):
        scale, offset = std, mean
    else:
        scale = 1.0 / std
        offset = -mean * scale
    return built + [_affine(context, layer, flow, scale, offset)]


def _affine(context, layer, flow, scale, offset):
    """``Affine(scale, offset)``; one value is a number for every
    feature."""
    scale, offset = (a if np.size(a) > 1 else float(a.reshape(-1)[0])
                     for a in (scale, offset))
    return _made(context, layer, lambda: Affine(scale, offset))


def _rescaling(layer, flow, context, built):
    config = layer.config
    # Keras 3 and tf_keras cast the numbers as tensors of TensorFlow's
    # default type, float32, and only then to the layer's dtype
    scale = _float32(config.get("scale", 1.0)).reshape(-1)
    offset = _float32(config.get("offset", 0.0)).reshape(-1)
    return built + [_affine(context, layer, flow, scale, offset)]


def _float32(numbers):
    """Numbers as Keras's layers see them: rounded to float32."""
    return np.asarray(numbers, np.float32).astype(np.float64)


def _masking(layer, flow, context, built):
    value = float(layer.config.get("mask_value", 0.0))
    return built + [Masking(value)]


def _flatten(layer, flow, context, built):
    if layer.config.get("data_format") == "channels_first":
        _refuse(context, layer, "a Flatten with data_format "
                "channels_last (channels_first reorders the axes)")
    if flow.sequence:
        flow.width = (None if flow.steps is None or flow.width is None
                      else flow.steps * flow.width)
    flow.sequence = False
    return built + [Flatten()]


def _reshape(layer, flow, context, built):
    shape = tuple(layer.config.get("target_shape") or ())
    if len(shape) not in (1, 2):
        _refuse(context, layer, "a Reshape to (n,) or (T, n), not "
                f"{shape}")
    flow.sequence = len(shape) == 2
    flow.width = shape[-1] if shape[-1] != -1 else None
    return built + [_made(context, layer, lambda: Reshape(shape))]


CONVERTERS = {
    "LSTM": _lstm, "Bidirectional": _bidirectional,
    "Dense": _dense, "TimeDistributed": _time_distributed,
    "Activation": _activation, "BatchNormalization": _batch_normalization,
    "LayerNormalization": _layer_normalization,
    "Normalization": _normalization, "Rescaling": _rescaling,
    "Masking": _masking, "Flatten": _flatten, "Reshape": _reshape,
    "LeakyReLU": _leaky_relu, "ReLU": _function_layer,
    "ELU": _function_layer, "Softmax": _function_layer,
}
