"""The slope of each activation the LSTM's gates use, for backpropagation.

``DERIVATIVES[name](z, y, out=None)`` is d act / dz from the input z and
the output y = act(z) (sigmoid's and tanh's read y alone); ``out``, if
given, receives it, as in NumPy. At a kink the slope is TensorFlow's
convention, noted beside each. ``grad``, ``_bptt`` and the Dense layers of
``stack`` read it.
"""

import numpy as np

__all__ = ["DERIVATIVES"]


def _d_sigmoid(z, y, out=None):
    out = np.subtract(1.0, y, out=out)  # y (1 - y)
    out *= y
    return out


def _d_tanh(z, y, out=None):
    out = np.multiply(y, y, out=out)  # 1 - y^2
    return np.subtract(1.0, out, out=out)


def _d_hard_sigmoid(z, y, out=None):
    # relu6(z + 3) / 6: TensorFlow's gradient of relu6 is 0 at both kinks,
    # found on z + 3 as rounded (z just below 3 can round to the kink)
    s = z + 3.0
    return _into(((s > 0.0) & (s < 6.0)) / z.dtype.type(6.0), out)


def _d_hard_sigmoid_keras2(z, y, out=None):
    # clip(0.2 z + 0.5, 0, 1): TensorFlow's gradient of clip_by_value keeps
    # the slope at both kinks (u = 0 and u = 1 included), rounded as Keras
    # 2 rounds u
    u = 0.2 * z + 0.5
    return _into(((u >= 0.0) & (u <= 1.0)) * z.dtype.type(0.2), out)


def _d_linear(z, y, out=None):
    return _into(np.ones_like(z), out)


def _d_relu(z, y, out=None):
    return _into((z > 0.0).astype(z.dtype), out)


def _into(value, out):
    """``value``, copied into ``out`` if one is given (NumPy's ``out=``)."""
    if out is None:
        return value
    out[...] = value
    return out


#: Derivative of each activation, from its input z and output y = act(z);
#: ``out``, if given, receives it, as in NumPy.
DERIVATIVES = {
    "sigmoid": _d_sigmoid,
    "tanh": _d_tanh,
    "hard_sigmoid": _d_hard_sigmoid,
    "hard_sigmoid_keras2": _d_hard_sigmoid_keras2,
    "linear": _d_linear,
    "relu": _d_relu,
}
