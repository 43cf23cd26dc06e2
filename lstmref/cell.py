"""One step of an LSTM cell, written as the equations.

Notation (shared with the book): x_t is the input at step t, shape
(batch, input_dim); h and c are the hidden and cell states, (batch, units);
sigma is the recurrent activation (default sigmoid) and phi the activation
(default tanh). W, U, b are the gate blocks of ``LSTMParams``.
"""

from ._checks import as_float_array, check_rank, check_shape
from .activations import get_activation
from .params import check_params

__all__ = ["preactivations", "gates", "step"]


def preactivations(x_t, h, params):
    """All four gates' pre-activations at one step.

    z = x_t W + h U + b, split later into z_i, z_f, z_c, z_o.

    x_t (batch, input_dim), h (batch, units) -> z (batch, 4 * units).
    """
    x_t, h = _check_step(params, x_t=x_t, h=h)
    z = x_t @ params.kernel + h @ params.recurrent_kernel
    if params.bias is not None:
        z = z + params.bias
    return z


def gates(z, params):
    """Apply the activations to pre-activations z (..., 4 * units).

    i = sigma(z_i), f = sigma(z_f), c_tilde = phi(z_c), o = sigma(z_o)

    Returns ``(i, f, c_tilde, o)``, each (..., units).
    """
    check_params(params)
    z = as_float_array(z, "z")
    if z.ndim == 0 or z.shape[-1] != 4 * params.units:
        raise ValueError(
            f"z: expected a last axis of 4 * units = {4 * params.units}, "
            f"got shape {z.shape}")
    sigma = get_activation(params.recurrent_activation)
    phi = get_activation(params.activation)
    u = params.units
    i = sigma(z[..., 0 * u:1 * u])  # input gate: how much to write
    f = sigma(z[..., 1 * u:2 * u])  # forget gate: how much to keep
    c_tilde = phi(z[..., 2 * u:3 * u])  # candidate values to write
    o = sigma(z[..., 3 * u:4 * u])  # output gate: how much to show
    return i, f, c_tilde, o


def step(x_t, h, c, params):
    """One LSTM step: new hidden and cell states from the old ones.

    c_t = f * c_{t-1} + i * c_tilde
    h_t = o * phi(c_t)

    x_t (batch, input_dim), h and c (batch, units) -> ``(h_t, c_t)``, each
    (batch, units). The products are element by element.
    """
    x_t, h, c = _check_step(params, x_t=x_t, h=h, c=c)
    i, f, c_tilde, o = gates(preactivations(x_t, h, params), params)
    c_t = f * c + i * c_tilde
    h_t = o * get_activation(params.activation)(c_t)
    return h_t, c_t


def _check_step(params, **arrays):
    """Check one step's arrays: x_t (batch, F), h and c (batch, units)."""
    check_params(params)
    checked = {name: as_float_array(a, name) for name, a in arrays.items()}
    x_t = checked["x_t"]
    check_rank(x_t, 2, "x_t", "(batch, input_dim)")
    check_shape(x_t, (x_t.shape[0], params.input_dim), "x_t",
                "(batch, input_dim)")
    for name in ("h", "c"):
        if name in checked:
            check_shape(checked[name], (x_t.shape[0], params.units), name,
                        "(batch, units), batch taken from x_t")
    return tuple(checked.values())
