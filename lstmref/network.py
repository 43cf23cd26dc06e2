"""The whole forecasting model: an LSTM layer, then a Dense layer.

``from_keras_model`` reads a Keras ``Sequential`` of the question's shape::

    LSTM(units) -> Dense(n_out) [-> Activation("linear")]

into a ``Network`` whose ``predict`` equals calling the Keras model.
Anything else is refused with the name of the layer that does not fit.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, check_finite, check_shape
from .activations import get_activation
from .layouts import from_keras, identify_activation
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


def from_keras_model(model):
    """Read a Keras ``Sequential`` LSTM -> Dense (-> Activation) model.

    The LSTM must return only its last output (no ``return_sequences``,
    ``return_state`` or ``stateful``); after the Dense layer only
    ``Activation`` layers whose function is linear may follow.
    """
    layers = list(getattr(model, "layers", []))
    if not layers:
        raise TypeError(
            "model: expected a Keras Sequential of LSTM -> Dense, got "
            f"{type(model).__name__} with no layers")
    kinds = [type(layer).__name__ for layer in layers]
    if kinds[0] != "LSTM":
        raise ValueError(
            f"model: expected an LSTM as the first layer, got the layer "
            f"{layers[0].name!r} ({kinds[0]})")
    first = layers[0]
    for flag in ("return_sequences", "return_state", "stateful"):
        if getattr(first, flag, False):
            raise ValueError(
                "model: expected an LSTM returning its last output only, "
                f"got the layer {first.name!r} with {flag}=True")
    if len(layers) < 2 or kinds[1] != "Dense":
        got = (f"the layer {layers[1].name!r} ({kinds[1]})"
               if len(layers) > 1 else "nothing")
        raise ValueError(
            f"model: expected a Dense layer after the LSTM, got {got}")
    dense = layers[1]
    for layer, kind in zip(layers[2:], kinds[2:]):
        if kind != "Activation" or identify_activation(
                layer.activation, f"layer {layer.name!r}",
                remedy=MODEL_REMEDY) != "linear":
            raise ValueError(
                f"model: expected only linear Activation layers after the "
                f"Dense layer, got the layer {layer.name!r} ({kind})")
    weights = dense.get_weights()
    return Network(
        params=from_keras(first), dense_kernel=weights[0],
        dense_bias=weights[1] if len(weights) > 1 else None,
        dense_activation=identify_activation(
            dense.activation, f"layer {dense.name!r}", remedy=MODEL_REMEDY),
        go_backwards=bool(first.go_backwards))
