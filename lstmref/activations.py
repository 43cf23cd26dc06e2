"""The activation functions an LSTM gate can use, looked up by name.

Keras names the two functions of an LSTM ``activation`` (for the candidate
and for the cell state on its way out, default ``tanh``) and
``recurrent_activation`` (for the three gates i, f, o, default
``sigmoid``). Each function here maps an array to an array of the same
shape (written into ``out`` if given, as NumPy's functions do), and the
table ``RANGES`` says where its values lie.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "RANGES", "get_activation"]


def sigmoid(x, out=None):
    """Logistic function, sigma(x) = 1 / (1 + exp(-x)), values in (0, 1).

    For x below about -709.78 (float64) or -88.72 (float32), exp(-x)
    overflows to infinity and the result is 0, less than 5.6e-309 (float64)
    or 2.9e-39 (float32) from the true value e^x, which stays representable
    as a subnormal number down to about -745 (float64); no warning is
    raised for it. ``out``, as in NumPy, receives the result
    (it may be ``x`` itself).
    """
    with np.errstate(over="ignore"):
        if out is None:
            return 1.0 / (1.0 + np.exp(-x))
        return _sigmoid_into(x, out)


def _sigmoid_into(x, out):
    """``sigmoid(x, out=out)`` for a caller that already ignores overflow
    (the layer's time loop, inside ``np.errstate``): the same operations,
    without entering ``np.errstate`` again at every step."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def tanh(x, out=None):
    """Hyperbolic tangent, values in (-1, 1)."""
    return np.tanh(x, out=out)


def hard_sigmoid(x, out=None):
    """Keras 3's piecewise-linear sigmoid: clip(x / 6 + 1/2, 0, 1).

    Computed as Keras's TensorFlow backend does, relu6(x + 3) / 6, the same
    function rounded the same way.
    """
    if out is None:
        return np.clip(x + 3.0, 0.0, 6.0) / 6.0
    np.add(x, 3.0, out=out)
    np.clip(out, 0.0, 6.0, out=out)
    out /= 6.0
    return out


def hard_sigmoid_keras2(x, out=None):
    """Keras 1.x-2.x ``hard_sigmoid``: clip(0.2 x + 1/2, 0, 1).

    Keras 1 used it for every LSTM's gates by default, Keras 2.0-2.2 too;
    the same name means ``hard_sigmoid`` above in Keras 3.
    """
    if out is None:
        return np.clip(0.2 * x + 0.5, 0.0, 1.0)
    np.multiply(x, 0.2, out=out)
    out += 0.5
    np.clip(out, 0.0, 1.0, out=out)
    return out


def linear(x, out=None):
    """Identity, f(x) = x."""
    if out is None:
        return x
    out[...] = x
    return out


def relu(x, out=None):
    """Rectifier, max(x, 0)."""
    return np.maximum(x, 0.0, out=out)


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "hard_sigmoid": hard_sigmoid,
    "hard_sigmoid_keras2": hard_sigmoid_keras2,
    "linear": linear,
    "relu": relu,
}

#: Closed interval holding every value of each activation.
RANGES = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "hard_sigmoid_keras2": (0.0, 1.0),
    "linear": (-np.inf, np.inf),
    "relu": (0.0, np.inf),
}


#: The functions a loop that already ignores overflow may call with
#: ``out``: the same results, written the same way.
IN_PLACE = {**ACTIVATIONS, "sigmoid": _sigmoid_into}


def get_activation(name, argument="activation"):
    """Return the activation function called ``name``.

    ``argument`` names the parameter in the error raised for an unknown
    name, so that the message points at what the caller wrote.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"{argument}: expected one of {sorted(ACTIVATIONS)} as a string, "
            f"got {type(name).__name__} {name!r}"
        )
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{argument}: expected one of {sorted(ACTIVATIONS)}, got {name!r}"
        )
    return ACTIVATIONS[name]
