"""The weights of one LSTM layer, in Keras's packed layout.

Keras keeps an LSTM's weights in three arrays whose last axis holds four
blocks of ``units`` columns each, in the gate order i, f, c, o::

    kernel            (input_dim, 4 * units)   W = [W_i | W_f | W_c | W_o]
    recurrent_kernel  (units,     4 * units)   U = [U_i | U_f | U_c | U_o]
    bias              (4 * units,)             b = [b_i | b_f | b_c | b_o]

None of them has a time axis: the same three arrays act at every step, so
the sequence length never appears in the weights.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, check_finite, check_rank, check_shape
from .activations import get_activation

__all__ = ["GATES", "LSTMParams", "check_params"]

#: The gate blocks along the last axis of Keras's packed arrays, in order:
#: input gate, forget gate, candidate ("c~", PyTorch's g), output gate.
GATES = ("i", "f", "c", "o")


@dataclass(frozen=True, init=False, eq=False, repr=False)
class LSTMParams:
    """Weights and activations of one LSTM layer (Keras's packed layout).

    Parameters
    ----------
    kernel : array (input_dim, 4 * units)
        Input weights W, gate blocks i, f, c, o along the columns.
    recurrent_kernel : array (units, 4 * units)
        Recurrent weights U, same block order.
    bias : array (4 * units,) or None
        Bias b, same block order; None means a layer with
        ``use_bias=False`` (no bias at all).
    activation : str
        Applied to the candidate and to the cell state: h = o * act(c).
    recurrent_activation : str
        Applied to the three gates i, f and o.

    The arrays are checked (shapes, finite real numbers) and stored as
    float32 if all three are float32, as float64 otherwise, in read-only
    copies: changing the arrays given afterwards does not change the
    layer, and the stored ones cannot be changed in place (build a new
    ``LSTMParams`` instead). Float32
    weights (``from_keras`` of a Keras layer in its default float32)
    given float32 windows run in float32; see ``lstm``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None = None
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"

    def __init__(self, kernel, recurrent_kernel, bias=None, *,
                 activation="tanh", recurrent_activation="sigmoid"):
        arrays = [as_float_array(kernel, "kernel"),
                  as_float_array(recurrent_kernel, "recurrent_kernel")]
        if isinstance(bias, (bool, np.bool_)):
            raise TypeError(
                "bias: expected an array (4 * units,), or None for a layer "
                f"without bias, got {type(bias).__name__} {bias!r}")
        if bias is not None:
            arrays.append(as_float_array(bias, "bias"))
        dtype = np.result_type(*arrays)
        W, U = (a.astype(dtype) for a in arrays[:2])  # copies of its own
        check_rank(W, 2, "kernel", "(input_dim, 4 * units)")
        check_rank(U, 2, "recurrent_kernel", "(units, 4 * units)")
        width = U.shape[1]
        if width == 0 or width % 4:
            raise ValueError(
                "recurrent_kernel: expected 4 * units columns (one block "
                f"per gate i, f, c, o), got shape {U.shape}, whose "
                f"{width} columns are not a positive multiple of 4"
            )
        units = width // 4
        check_shape(U, (units, 4 * units), "recurrent_kernel",
                    f"(units, 4 * units) for units={units} taken from "
                    "its column count")
        if W.shape[0] == 0:
            raise ValueError(
                "kernel: expected at least one input feature (row), got "
                f"shape {W.shape}")
        check_shape(W, (W.shape[0], 4 * units), "kernel",
                    f"(input_dim, 4 * units) for units={units} taken from "
                    "recurrent_kernel")
        b = None
        if bias is not None:
            b = arrays[2].astype(dtype)
            if b.shape != (4 * units,):
                hint = ("; flatten it first (a bias is never broadcast)"
                        if b.size == 4 * units else "")
                raise ValueError(
                    f"bias: expected shape ({4 * units},) (4 * units,) for "
                    f"units={units}, got {b.shape}{hint}")
        for name, array in (("kernel", W), ("recurrent_kernel", U),
                            ("bias", b)):
            if array is not None:
                check_finite(array, name)
                array.flags.writeable = False  # stays as checked
        get_activation(activation, "activation")
        get_activation(recurrent_activation, "recurrent_activation")
        set_ = object.__setattr__
        set_(self, "kernel", W)
        set_(self, "recurrent_kernel", U)
        set_(self, "bias", b)
        set_(self, "activation", activation)
        set_(self, "recurrent_activation", recurrent_activation)

    @property
    def units(self):
        """Number of LSTM units u (the size of h and c)."""
        return self.recurrent_kernel.shape[0]

    @property
    def input_dim(self):
        """Number of input features F per time step."""
        return self.kernel.shape[0]

    @property
    def dtype(self):
        """The floating type of the weights (float32 or float64)."""
        return self.kernel.dtype

    @property
    def use_bias(self):
        """True unless the layer has no bias (``use_bias=False``)."""
        return self.bias is not None

    def gate(self, name):
        """The arrays ``(W, U, b)`` of one gate: "i", "f", "c" or "o".

        Shapes (input_dim, units), (units, units) and (units,); ``b`` is
        zeros for a layer without bias. The arrays are views, not copies.
        """
        if not isinstance(name, str):
            raise TypeError(
                f"name: expected one of {GATES} as a string, got "
                f"{type(name).__name__} {name!r}")
        if name not in GATES:
            raise ValueError(
                f"name: expected one of {GATES} (input, forget, candidate, "
                f"output), got {name!r}")
        k, u = GATES.index(name), self.units
        cols = slice(k * u, (k + 1) * u)
        b = self.bias[cols] if self.bias is not None else np.zeros(
            u, self.dtype)
        return self.kernel[:, cols], self.recurrent_kernel[:, cols], b

    def bias_or_zeros(self):
        """The packed bias, or zeros of shape (4 * units,) without bias."""
        if self.bias is None:
            return np.zeros(4 * self.units, self.dtype)
        return self.bias

    def astype(self, dtype):
        """The same weights and activations in another float type."""
        return LSTMParams(
            self.kernel.astype(dtype), self.recurrent_kernel.astype(dtype),
            None if self.bias is None else self.bias.astype(dtype),
            activation=self.activation,
            recurrent_activation=self.recurrent_activation)

    def __repr__(self):
        return (f"LSTMParams(units={self.units}, input_dim={self.input_dim}, "
                f"use_bias={self.use_bias}, dtype={self.dtype}, "
                f"activation={self.activation!r}, "
                f"recurrent_activation={self.recurrent_activation!r})")


def check_params(params, argument="params", *, also=None):
    """Raise unless ``params`` is an ``LSTMParams``: the one such check.

    ``also`` names another type the caller accepts and has handled
    already (e.g. "a Network"), for the message. It lives beside the
    class rather than in ``_checks``, which this module imports: the other
    way round would be an import cycle.
    """
    if not isinstance(params, LSTMParams):
        expected = "an LSTMParams" + (f" or {also}" if also else "")
        raise TypeError(
            f"{argument}: expected {expected} (build one with "
            "LSTMParams(kernel, recurrent_kernel, bias) or from_keras), got "
            f"{type(params).__name__}")
