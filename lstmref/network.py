"""The whole forecasting model, read from Keras.

``Network`` is the question's shape, one LSTM layer whose last output
feeds a Dense layer::

    LSTM(units) -> Dense(n_out) [-> Activation("linear")]

the one case the book and contextual decomposition work with. It is a
``lstmref.stack.Stack`` of two layers, so everything that runs through a
``Stack`` runs through it. ``from_keras_model`` reads a built Keras model
(Sequential or a functional chain) into a ``Network`` when it has that
shape, into the ``Stack`` computing it otherwise (stacked and
bidirectional LSTMs, Masking, normalization, Dense heads, ...), and
refuses anything else with the name and position of the layer that does
not fit.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, check_finite, check_shape
from .activations import get_activation
from .layer import _last_output, lstm
from .params import LSTMParams, check_params
from .stack import Dense, Recurrent, Stack

__all__ = ["Network", "from_keras_model"]


@dataclass(frozen=True)
class Network(Stack):
    """An LSTM layer whose last output feeds a Dense layer.

    y = act(h_T D + d), h_T from ``lstm(x, params)``; D (units, n_out),
    d (n_out,). ``go_backwards`` is the LSTM layer's flag. As a ``Stack``
    its ``layers`` are ``(Recurrent(params), Dense(D, d, act))``.
    """

    params: LSTMParams
    dense_kernel: np.ndarray
    dense_bias: np.ndarray | None = None
    dense_activation: str = "linear"
    go_backwards: bool = False

    def __post_init__(self):
        check_params(self.params)
        D = as_float_array(self.dense_kernel, "dense_kernel")
        if D.ndim != 2 or D.shape[0] != self.params.units:
            raise ValueError(
                f"dense_kernel: expected shape ({self.params.units}, n_out),"
                f" got {D.shape}")
        object.__setattr__(self, "dense_kernel", D)
        if self.dense_bias is not None:
            d = as_float_array(self.dense_bias, "dense_bias")
            check_shape(d, (D.shape[1],), "dense_bias", "(n_out,)")
            object.__setattr__(self, "dense_bias", d)
        get_activation(self.dense_activation, "dense_activation")
        for name in ("dense_kernel", "dense_bias"):
            if getattr(self, name) is not None:
                check_finite(getattr(self, name), name)
        Stack.__init__(self, (
            Recurrent(self.params, go_backwards=bool(self.go_backwards)),
            Dense(D, self.dense_bias, self.dense_activation)))

    @property
    def n_out(self):
        """Number of outputs of the Dense layer."""
        return self.dense_kernel.shape[1]

    def predict(self, x):
        """x (batch, T, input_dim) -> y (batch, n_out)."""
        h = lstm(x, self.params, go_backwards=self.go_backwards)
        return self.head(h)

    def _forward(self, x):
        """``predict`` of windows already checked (float, finite, (batch,
        T, input_dim)): the attribution methods call it on many windows
        made from checked ones."""
        return self.head(_last_output(x, self.params, self.go_backwards))

    def head(self, h):
        """The Dense layer alone: h (batch, units) -> y (batch, n_out)."""
        y = h @ self.dense_kernel
        if self.dense_bias is not None:
            y = y + self.dense_bias
        return get_activation(self.dense_activation)(y)


#: How a model with another Dense activation can be read: by hand, since
#: from_keras_model takes no activation argument.
MODEL_REMEDY = ("build the Network by hand from its weights "
                "(Network(from_keras(lstm), kernel, bias, dense_activation="
                "...)) if it computes one of them")


def from_keras_model(model, *, step=None):
    """Read a built Keras model (Sequential, or a functional chain).

    Returns a ``Network`` where the model is LSTM -> Dense (-> linear
    Activation), the ``lstmref.stack.Stack`` computing it otherwise:
    stacked and bidirectional LSTMs, Masking, Normalization, Dense heads,
    ... (``lstmref.files.SUPPORTED``). ``step``: the step explained when
    the model's output is a sequence (None: the last). Raises TypeError
    for an object without layers, ValueError naming the first layer
    lstmref cannot compute (a GRU, a stateful LSTM, a Lambda, ...).
    """
    from .files.architecture import network_parts
    from .files.live import stack_from_keras_model
    stack = stack_from_keras_model(model, step=step, remedy=MODEL_REMEDY)
    parts = network_parts(stack)
    return stack if parts is None else Network(**parts)
