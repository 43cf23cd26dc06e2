"""Keras's activation functions for Dense layers, with their derivatives.

The gate activations of ``lstmref.activations`` are here too, under the
same names; Dense layers may also use every Keras 3 activation with a
closed form. Each entry of ``FUNCTIONS`` computes y = act(a) on the last
axis's values as Keras's TensorFlow backend does; ``vjp(name, a, y, dy)``
returns dL/da from dL/dy (an element-wise slope, or the Jacobian of
softmax and log_softmax). Keras names: ``keras/src/activations``.
"""

import math

import numpy as np

from ..activations import ACTIVATIONS as GATE_ACTIVATIONS
from ..activations import sigmoid
from ..derivatives import DERIVATIVES as GATE_DERIVATIVES

__all__ = ["FUNCTIONS", "LRP_PASS", "check_function", "vjp"]

# tf.nn.selu's constants (more digits than Keras's docstring shows)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# keras.activations.leaky_relu's negative_slope, 0.2, as TensorFlow's
# LeakyRelu op holds it: a float32 attribute
LEAKY_SLOPE = float(np.float32(0.2))
SHRINK = 0.5  # soft_shrink's and hard_shrink's default threshold
SQUAREPLUS_B = 4.0  # squareplus's default b
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _softplus(a):
    return np.logaddexp(0.0, a)  # log(1 + e^a) without overflow


# Keras's "gelu" is approximate=False: 0.5 a erfc(-a / sqrt 2), where
# TensorFlow's kernel holds 1 / sqrt 2 as a float32 (about 1.2e-8 off)
GELU_C = float(np.float32(1.0 / math.sqrt(2.0)))


def _gelu(a):
    # 0.5 a erfc(-a c), c = GELU_C, as tf.nn.gelu(approximate=False)
    return 0.5 * a * _erfc(-a * GELU_C).astype(a.dtype)


def _softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(a):
    shifted = a - a.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _hard_sigmoid(a):
    return GATE_ACTIVATIONS["hard_sigmoid"](a)


#: y = act(a) of every activation a Dense layer may have, by Keras name.
FUNCTIONS = {
    **{name: f for name, f in GATE_ACTIVATIONS.items()},
    "elu": lambda a: np.where(a > 0, a, np.expm1(np.minimum(a, 0.0))),
    "selu": lambda a: SELU_SCALE * np.where(
        a > 0, a, SELU_ALPHA * np.expm1(np.minimum(a, 0.0))),
    "celu": lambda a: np.maximum(a, 0.0) + np.expm1(np.minimum(a, 0.0)),
    "softplus": _softplus,
    "softsign": lambda a: a / (1.0 + np.abs(a)),
    "silu": lambda a: a * sigmoid(a),
    "swish": lambda a: a * sigmoid(a),
    "gelu": _gelu,
    "exponential": np.exp,
    "relu6": lambda a: np.clip(a, 0.0, 6.0),
    "leaky_relu": lambda a: np.where(a > 0, a, LEAKY_SLOPE * a),
    "hard_silu": lambda a: a * _hard_sigmoid(a),
    "hard_swish": lambda a: a * _hard_sigmoid(a),
    "mish": lambda a: a * np.tanh(_softplus(a)),
    "tanh_shrink": lambda a: a - np.tanh(a),
    "hard_tanh": lambda a: np.clip(a, -1.0, 1.0),
    "log_sigmoid": lambda a: -_softplus(-a),
    "squareplus": lambda a: (a + np.sqrt(a * a + SQUAREPLUS_B)) / 2,
    "soft_shrink": lambda a: np.where(
        a > SHRINK, a - SHRINK, np.where(a < -SHRINK, a + SHRINK, 0.0)),
    "hard_shrink": lambda a: np.where(np.abs(a) > SHRINK, a, 0.0),
    "sparse_plus": lambda a: np.where(
        a <= -1, 0.0, np.where(a < 1, 0.25 * (a + 1) ** 2, a)),
    "sparse_sigmoid": lambda a: np.where(
        a <= -1, 0.0, np.where(a >= 1, 1.0, 0.5 * (a + 1))),
    "softmax": _softmax,
    "log_softmax": _log_softmax,
}


def _d_gelu(a, y):
    # d/da [0.5 a erfc(-a c)] = 0.5 erfc(-a c) + a c exp(-(a c)^2) / sqrt pi
    ac = a * GELU_C
    return 0.5 * _erfc(-ac).astype(a.dtype) + ac * np.exp(-ac * ac) / \
        math.sqrt(math.pi)


def _d_mish(a, y):
    t = np.tanh(_softplus(a))
    return t + a * (1.0 - t * t) * sigmoid(a)


def _d_silu(a, y):
    s = sigmoid(a)
    return s + a * s * (1.0 - s)


def _d_hard_silu(a, y):
    return _hard_sigmoid(a) + a * GATE_DERIVATIVES["hard_sigmoid"](a, None)


#: dy/da of each element-wise activation, from a and y = act(a); the slope
#: at a kink is TensorFlow's (relu6: 0 at both ends, hard_tanh: 1).
SLOPES = {
    **GATE_DERIVATIVES,
    "elu": lambda a, y: np.where(a > 0, 1.0, y + 1.0),
    "selu": lambda a, y: np.where(a > 0, SELU_SCALE, y + SELU_SCALE
                                  * SELU_ALPHA),
    "celu": lambda a, y: np.where(a > 0, 1.0, np.exp(np.minimum(a, 0.0))),
    "softplus": lambda a, y: sigmoid(a),
    "softsign": lambda a, y: 1.0 / (1.0 + np.abs(a)) ** 2,
    "silu": _d_silu,
    "swish": _d_silu,
    "gelu": _d_gelu,
    "exponential": lambda a, y: y,
    "relu6": lambda a, y: ((a > 0) & (a < 6)).astype(a.dtype),
    "leaky_relu": lambda a, y: np.where(a > 0, 1.0, LEAKY_SLOPE),
    "hard_silu": _d_hard_silu,
    "hard_swish": _d_hard_silu,
    "mish": _d_mish,
    "tanh_shrink": lambda a, y: np.tanh(a) ** 2,
    "hard_tanh": lambda a, y: ((a >= -1) & (a <= 1)).astype(a.dtype),
    "log_sigmoid": lambda a, y: sigmoid(-a),
    "squareplus": lambda a, y: 0.5 + 0.5 * a / np.sqrt(a * a
                                                       + SQUAREPLUS_B),
    "soft_shrink": lambda a, y: (np.abs(a) > SHRINK).astype(a.dtype),
    "hard_shrink": lambda a, y: (np.abs(a) > SHRINK).astype(a.dtype),
    "sparse_plus": lambda a, y: np.where(
        a <= -1, 0.0, np.where(a < 1, 0.5 * (a + 1), 1.0)),
    "sparse_sigmoid": lambda a, y: np.where(np.abs(a) < 1, 0.5, 0.0),
}

#: Element-wise activations that keep sign and order and map 0 to 0:
#: LRP passes a hidden layer's relevance through them unchanged, as Arras
#: et al. (2017) pass h_t = o phi(c_t)'s relevance to c_t through phi.
LRP_PASS = frozenset({"linear", "relu", "relu6", "leaky_relu", "tanh",
                      "elu", "selu", "celu", "softsign", "hard_tanh"})


def vjp(name, a, y, dy):
    """dL/da of y = act(a), from dL/dy; a, y, dy (..., n).

    softmax: dL/da = y (dy - sum(dy y)); log_softmax: dL/da = dy -
    softmax(a) sum(dy); every other activation: dy act'(a).
    """
    if name == "softmax":
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))
    if name == "log_softmax":
        return dy - np.exp(y) * dy.sum(axis=-1, keepdims=True)
    return dy * SLOPES[name](a, y)


def check_function(name, argument="activation"):
    """Return ``name`` if it is a key of ``FUNCTIONS``, else raise."""
    if not isinstance(name, str):
        raise TypeError(
            f"{argument}: expected an activation's name as a string, got "
            f"{type(name).__name__} {name!r}")
    if name not in FUNCTIONS:
        raise ValueError(
            f"{argument}: expected one of {sorted(FUNCTIONS)}, got {name!r}")
    return name
