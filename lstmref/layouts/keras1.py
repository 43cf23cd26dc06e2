"""Keras 1: twelve arrays, one W, U, b per gate, listed i, c, f, o.

``get_weights()`` of a Keras 1.x LSTM (``consume_less='cpu'``, tag 1.2.2,
``LSTM.build``) is W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
b_o with W (input_dim, units), U (units, units), b (units,). The
candidate comes second, not third as in the packed i, f, c, o.
"""

import numpy as np

from .._checks import as_float_array, check_finite, check_rank, check_shape
from ..params import GATES, LSTMParams, check_params
from ._gates import reorder

__all__ = ["KERAS1_ORDER", "from_keras1", "to_keras1"]

#: Keras 1's ``get_weights()`` order: gate blocks i, c, f, o, each as W, U, b.
KERAS1_ORDER = ("i", "c", "f", "o")

EXPECTED = ("the twelve arrays of a Keras 1 LSTM (W, U, b for the gates "
            "i, c, f, o)")


def from_keras1(arrays, *, activation="tanh",
                recurrent_activation="hard_sigmoid_keras2"):
    """Read the twelve arrays of a Keras 1 LSTM's ``get_weights()``.

    Their order is W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
    b_o (gates i, c, f, o), with W (input_dim, units), U (units, units),
    b (units,). Keras 1 called the gates' function ``inner_activation`` and
    defaulted it to its hard sigmoid, clip(0.2 x + 1/2, 0, 1).
    """
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(
            f"arrays: expected a list of {EXPECTED}, got "
            f"{type(arrays).__name__}")
    if len(arrays) != 12:
        raise ValueError(
            f"arrays: expected {EXPECTED}, got {len(arrays)} arrays")
    blocks = [_gate_arrays(arrays, 0)]  # W_i sets input_dim and units
    blocks += [_gate_arrays(arrays, k, blocks[0][0].shape) for k in (1, 2, 3)]
    W, U, b = (np.concatenate(parts, axis=-1) for parts in zip(*blocks))
    return LSTMParams(
        reorder(W, KERAS1_ORDER, GATES), reorder(U, KERAS1_ORDER, GATES),
        reorder(b, KERAS1_ORDER, GATES), activation=activation,
        recurrent_activation=recurrent_activation)


def _gate_arrays(arrays, k, sizes=None):
    """``(W, U, b)`` of the k-th gate in Keras 1's list, checked.

    ``sizes`` is (input_dim, units), from W_i; None for W_i's own gate.
    """
    gate = KERAS1_ORDER[k]
    names = [f"arrays[{3 * k + j}] ({n}_{gate})" for j, n in enumerate("WUb")]
    W, U, b = (as_float_array(a, n)
               for a, n in zip(arrays[3 * k:3 * k + 3], names))
    if sizes is None:
        check_rank(W, 2, names[0], "(input_dim, units)")
        sizes = W.shape
    input_dim, units = sizes
    taken = f"input_dim={input_dim}, units={units} taken from arrays[0]"
    check_shape(W, (input_dim, units), names[0],
                f"(input_dim, units) for {taken}")
    check_shape(U, (units, units), names[1], f"(units, units) for {taken}")
    check_shape(b, (units,), names[2], f"(units,) for {taken}")
    for name, array in zip(names, (W, U, b)):
        check_finite(array, name)
    return W, U, b


def to_keras1(params):
    """The twelve arrays of a Keras 1 LSTM, in its order i, c, f, o.

    A layer without bias gives zero biases (Keras 1 always had them).
    """
    check_params(params)
    packed = (params.kernel, params.recurrent_kernel, params.bias_or_zeros())
    per_gate = [np.split(reorder(a, GATES, KERAS1_ORDER), 4, axis=-1)
                for a in packed]
    return [part[k].copy() for k in range(4) for part in per_gate]
