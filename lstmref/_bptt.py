"""d y / d x of a ``Network``, forward and back through time block by block.

What integrated gradients spend their time on: thousands of windows, each
through the LSTM and back, for the gradient of one output by the inputs
only. The same chain rule as ``grad.backward`` (whose docstring writes it
out), arranged for speed:

- time-major arrays (T, rows, ...): each step reads and writes whole
  contiguous blocks;
- the forward loop keeps only what the way back reads: the gates (in the
  loop's column order, ``layer.SCAN_ORDER``), c_t and phi(c_t), plus the
  pre-activations when an activation's slope needs them (any but sigmoid
  and tanh, whose slopes follow from their outputs);
- no weight gradients;
- blocks of a few hundred windows, on every core (``_parallel``).

Tested equal to ``tf.GradientTape`` on Keras models, as ``grad``'s loops
are.
"""

import numpy as np

from ._parallel import map_blocks, scratch_array
from .activations import IN_PLACE, get_activation
from .derivatives import DERIVATIVES
from .layer import (SCAN_ORDER, _arrange, _scan_columns, _stacked_weights,
                    _warn_if_overflowed)

__all__ = ["network_input_gradient"]

#: Activations whose slope is a function of their output alone.
SLOPE_FROM_OUTPUT = ("sigmoid", "tanh")

_I, _F, _O, _C = (SCAN_ORDER.index(g) for g in ("i", "f", "o", "c"))


def block_rows(batch, units, input_dim):
    """Windows per block: as many as keep each step's product
    [h_{t-1}, x_t, 1] [U; W; b] within 2**22 multiply-adds, rows =
    2**22 // ((units + input_dim + 1) * 4 * units) (388 for 50 units over
    3 features), at least 16, and at most half the batch, so that two
    cores have a block each. Depends on the shapes only, never on the
    number of threads, so the results do not either."""
    rows = max(16, 2 ** 22 // ((units + input_dim + 1) * 4 * units))
    return max(1, min(rows, -(-batch // 2)))


def network_input_gradient(net, x, output):
    """d y[:, output] / d x of checked windows x (batch, T, F) through a
    ``Network``, in the LSTM run's float type: (batch, T, F)."""
    xs, p, h0, c0, _ = _arrange(x, net.params, go_backwards=net.go_backwards)
    batch, T, F = xs.shape
    u = p.units
    columns = _scan_columns(u)
    weights = _stacked_weights(p, columns)  # [U; W; b], loop order
    W_T = np.ascontiguousarray(p.kernel[:, columns].T)  # (4u, F)
    U_T = np.ascontiguousarray(p.recurrent_kernel[:, columns].T)  # (4u, u)
    dx = np.empty((T, batch, F), xs.dtype)  # time-major, as dz
    rows = block_rows(batch, u, F)
    blocks = [slice(k, min(k + rows, batch)) for k in range(0, batch, rows)]

    def one_block(block, scratch):
        with np.errstate(over="ignore", invalid="ignore"):
            return _block(xs[block], p, weights, W_T, U_T,
                          _head_slope(net, output), dx[:, block], scratch)

    # stacklevel 5: the line that called grad.input_gradient
    _warn_if_overflowed(all(map_blocks(one_block, blocks)), p, stacklevel=5)
    dx = dx.transpose(1, 0, 2)
    return np.ascontiguousarray(dx[:, ::-1] if net.go_backwards else dx)


def _head_slope(net, output):
    """dL/dh_T of L = y[:, output], y = act(h_T D + d), as a function of
    h_T (rows, units): act'(a) D[:, output]."""
    D = net.dense_kernel

    def slope(h_T):
        a = h_T @ D
        if net.dense_bias is not None:
            a = a + net.dense_bias
        y = get_activation(net.dense_activation)(a)
        act_slope = DERIVATIVES[net.dense_activation](a, y)[:, output]
        return act_slope[:, None] * D[:, output][None, :]
    return slope


def _block(x, p, weights, W_T, U_T, head, dx, scratch):
    """One block of windows x (n, T, F), zero initial states: fills dx
    (T, n, F) and returns whether the states stayed finite.

    Forward, for each step: z = [h_{t-1}, x_t, 1] [U; W; b] into G[t],
    the activations in place, C[t + 1] = f C[t] + i c_tilde, P[t] =
    phi(C[t + 1]), h_t = o P[t]. Back, with dh = dL/dh_t and dc = dL/dc_t::

        dc += dh o phi'(c_t)
        dz = [dc c_tilde sigma'(z_i), dc c_{t-1} sigma'(z_f),
              dh phi(c_t) sigma'(z_o), dc i phi'(z_c)]    (loop order)
        dh = dz U^T,  dc = dc f,  dx_t = dz W^T
    """
    n, T, F = x.shape
    u = p.units
    dtype = x.dtype

    def buffer(name, shape):  # a scratch array of this block's type
        return scratch_array(scratch, (name, dtype.char), shape, dtype)

    sigma, phi = IN_PLACE[p.recurrent_activation], IN_PLACE[p.activation]
    d_sigma = DERIVATIVES[p.recurrent_activation]
    d_phi = DERIVATIVES[p.activation]
    keep_z = not {p.recurrent_activation, p.activation} <= set(
        SLOPE_FROM_OUTPUT)
    G = buffer("G", (T, n, 4 * u))  # gates, loop order
    Z = buffer("Z", (T, n, 4 * u)) if keep_z else G  # pre-activations
    C = buffer("C", (T + 1, n, u))  # c_0 ... c_T
    P = buffer("P", (T, n, u))  # phi(c_1) ... phi(c_T)
    hx = buffer("hx", (n, weights.shape[0]))  # [h_{t-1}, x_t, 1]
    tmp = buffer("tmp", (n, u))
    gates, candidate = slice(0, 3 * u), slice(3 * u, 4 * u)
    i, f, o, c_tilde = (slice(k * u, (k + 1) * u) for k in (_I, _F, _O, _C))
    hx[:, u:] = 1.0
    h, x_t = hx[:, :u], hx[:, u:u + F]
    h[...] = 0.0
    C[0] = 0.0
    for t in range(T):
        x_t[...] = x[:, t]
        g = G[t]
        hx.dot(weights, out=Z[t])
        sigma(Z[t][:, gates], out=g[:, gates])
        phi(Z[t][:, candidate], out=g[:, candidate])
        np.multiply(g[:, f], C[t], out=C[t + 1])
        C[t + 1] += np.multiply(g[:, i], g[:, c_tilde], out=tmp)
        phi(C[t + 1], out=P[t])
        np.multiply(P[t], g[:, o], out=h)
    finite = bool(np.isfinite(h).all() and np.isfinite(C[T]).all())
    dh = head(h).astype(dtype, copy=False)
    dc = np.zeros_like(dh)
    dz = buffer("dz", (T, n, 4 * u))
    slopes = buffer("slopes", (n, 4 * u))
    for t in range(T - 1, -1, -1):
        g, z, d = G[t], Z[t], dz[t]
        d_phi(C[t + 1], P[t], out=tmp)
        tmp *= g[:, o]
        tmp *= dh
        dc += tmp
        d_sigma(z[:, gates], g[:, gates], out=slopes[:, gates])
        d_phi(z[:, candidate], g[:, candidate], out=slopes[:, candidate])
        for gate, by, upstream in ((i, g[:, c_tilde], dc), (f, C[t], dc),
                                   (o, P[t], dh), (c_tilde, g[:, i], dc)):
            np.multiply(slopes[:, gate], by, out=d[:, gate])
            d[:, gate] *= upstream
        np.matmul(d, U_T, out=dh)  # dL/dh_{t-1}
        dc *= g[:, f]  # dL/dc_{t-1}
    np.matmul(dz, W_T, out=dx)  # dx_t = dz_t W^T, step by step
    return finite
