"""The activation functions an LSTM gate can use, looked up by name.

Keras names the two functions of an LSTM ``activation`` (for the candidate
and for the cell state on its way out, default ``tanh``) and
``recurrent_activation`` (for the three gates i, f, o, default
``sigmoid``). Each function here maps an array to an array of the same
shape, and the table ``RANGES`` says where its values lie.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "RANGES", "get_activation"]


def sigmoid(x):
    """Logistic function, sigma(x) = 1 / (1 + exp(-x)), values in (0, 1).

    Written as 0.5 * tanh(x / 2) + 0.5, the same function: it needs one
    transcendental call and never overflows for large negative x.
    """
    return 0.5 * np.tanh(0.5 * x) + 0.5


def tanh(x):
    """Hyperbolic tangent, values in (-1, 1)."""
    return np.tanh(x)


def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: clip(x / 6 + 1/2, 0, 1).

    Computed as Keras's TensorFlow backend does, relu6(x + 3) / 6, the same
    function rounded the same way.
    """
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def hard_sigmoid_keras2(x):
    """Keras 1.x-2.x ``hard_sigmoid``: clip(0.2 x + 1/2, 0, 1).

    Keras 1 used it for every LSTM's gates by default, Keras 2.0-2.2 too;
    the same name means ``hard_sigmoid`` above in Keras 3.
    """
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def linear(x):
    """Identity, f(x) = x."""
    return x


def relu(x):
    """Rectifier, max(x, 0)."""
    return np.maximum(x, 0.0)


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
