"""TensorFlow 1 ``LSTMCell`` / ``BasicLSTMCell``: one kernel over [x, h].

TF1 keeps a kernel (input_dim + units, 4u) acting on concat([x_t,
h_{t-1}]) and a bias (4u,), gate blocks i, j, f, o (j is the candidate),
and adds ``forget_bias`` (default 1.0) to the forget gate's
pre-activation at run time, so no variable stores it:

    f = sigmoid([x_t, h_{t-1}] kernel_f + bias_f + forget_bias)

Reading moves it into the forget block of the packed bias; writing takes
it out again. Cells with peepholes or ``num_proj`` have more variables and
no Keras equivalent.
"""

import numpy as np

from .._checks import (as_float_array, check_finite, check_rank,
                       check_real, check_shape)
from ..params import GATES, LSTMParams, check_params
from ._gates import block, reorder

__all__ = ["TF1_ORDER", "from_tf1", "to_tf1"]

#: TF1's gate blocks along the last axis of its kernel and bias.
TF1_ORDER = ("i", "j", "f", "o")


def from_tf1(kernel, bias, forget_bias=1.0, *, activation="tanh"):
    """Read a TensorFlow 1 ``LSTMCell``/``BasicLSTMCell``'s two variables.

    kernel (input_dim + units, 4u) splits into the packed kernel (its
    first input_dim rows) and recurrent_kernel (the last units rows);
    bias_f of the packed bias = TF1's bias_f + ``forget_bias``. The gates
    are sigmoid; ``activation`` is the cell's (tanh unless it was given
    another).
    """
    kernel = as_float_array(kernel, "kernel")
    bias = as_float_array(bias, "bias")
    check_rank(kernel, 2, "kernel", "(input_dim + units, 4 * units)")
    width = kernel.shape[1]
    if width == 0 or width % 4 or kernel.shape[0] <= width // 4:
        raise ValueError(
            "kernel: expected shape (input_dim + units, 4 * units) with "
            f"input_dim >= 1, got {kernel.shape}")
    units = width // 4
    check_shape(bias, (4 * units,), "bias", f"(4 * units,) for units={units}")
    check_finite(kernel, "kernel")
    check_finite(bias, "bias")
    forget_bias = check_real(forget_bias, "forget_bias")
    input_dim = kernel.shape[0] - units
    packed_kernel = reorder(kernel, TF1_ORDER, GATES)
    packed_bias = reorder(bias, TF1_ORDER, GATES)
    packed_bias[block(GATES, "f", units)] += forget_bias
    return LSTMParams(packed_kernel[:input_dim], packed_kernel[input_dim:],
                      packed_bias, activation=activation,
                      recurrent_activation="sigmoid")


def to_tf1(params, forget_bias=1.0):
    """TF1 ``LSTMCell`` variables ``(kernel, bias)`` for these weights.

    The inverse of ``from_tf1``: kernel = [kernel; recurrent_kernel]
    stacked over [x, h], and TF1's bias_f = the packed bias_f -
    ``forget_bias``, which TF1 adds back at run time.
    """
    check_params(params)
    forget_bias = check_real(forget_bias, "forget_bias")
    if params.recurrent_activation != "sigmoid":
        raise ValueError(
            "params: expected recurrent_activation='sigmoid' (TF1's "
            "LSTMCell has sigmoid gates), got recurrent_activation="
            f"{params.recurrent_activation!r}")
    stacked = np.concatenate([params.kernel, params.recurrent_kernel])
    bias = reorder(params.bias_or_zeros(), GATES, TF1_ORDER)
    bias[block(TF1_ORDER, "f", params.units)] -= forget_bias
    return reorder(stacked, GATES, TF1_ORDER), bias
