"""Backpropagation through time for ``lstm``, written out step by step.

Given how a scalar loss L depends on the final states (and, optionally, on
every step's hidden state), ``backward`` returns dL/d of the inputs, of
every weight and of the initial states. It walks the steps of a ``trace``
from last to first, applying the chain rule to the equations of
``cell.step``::

    z = x_t W + h_{t-1} U + b            i, f, o = sigma(z_i, z_f, z_o)
    c_tilde = phi(z_c)                   c_t = f c_{t-1} + i c_tilde
    h_t = o phi(c_t)

At a masked step h and c carry over, so their gradients pass straight to
the step before.
"""

from dataclasses import dataclass, fields

import numpy as np

from ._bptt import network_input_gradient
from ._checks import (as_float_array, check_output_index, check_shape,
                      check_windows)
from ._parallel import scratch_array as _buffer
from .activations import get_activation
from .derivatives import DERIVATIVES
from .layer import Trace, _prepare, _row_blocks, _trace

__all__ = ["DERIVATIVES", "Gradients", "backward", "input_gradient"]


@dataclass(frozen=True)
class Gradients:
    """dL/d of everything ``lstm`` reads, each shaped like that input."""

    x: np.ndarray  #: (batch, T, input_dim), in the caller's time order
    kernel: np.ndarray  #: (input_dim, 4 * units)
    recurrent_kernel: np.ndarray  #: (units, 4 * units)
    bias: np.ndarray | None  #: (4 * units,), None without bias
    h0: np.ndarray  #: (batch, units)
    c0: np.ndarray  #: (batch, units)


def backward(x, params, dh_T=None, dc_T=None, *, dh=None,
             initial_state=None, mask=None, go_backwards=False, tr=None):
    """Gradients of a scalar loss L through ``lstm`` by BPTT.

    dh_T, dc_T : (batch, units), dL/dh_T and dL/dc_T of the final states
        (zeros if None).
    dh : (batch, T, units), optional, dL/dh_t of every step's hidden state
        as ``trace`` orders them (processing order: reversed with
        ``go_backwards``); for a loss on ``return_sequences`` outputs
        without mask this is dL/d(outputs).
    tr : the ``trace`` of this very run, if the caller has it already.
    Other arguments as for ``lstm``. Returns a ``Gradients``, in the
    run's float type (``lstm``'s: float32 only if x, the weights and the
    states all are).

    Going back from step t to t - 1, with m_t = mask (1 where used)::

        dh_new = m dh_t,   dc_new = m dc_t + dh_new o phi'(c_new)
        do = dh_new phi(c_new)   di = dc_new c_tilde   df = dc_new c_{t-1}
        dc_tilde = dc_new i
        dz = [di sigma'(z_i), df sigma'(z_f), dc_tilde phi'(z_c),
              do sigma'(z_o)]
        dW += x_t^T dz,  dU += h_{t-1}^T dz,  db += sum_batch dz
        dx_t = dz W^T
        dh_{t-1} = dz U^T + (1 - m) dh_t,  dc_{t-1} = dc_new f + (1 - m) dc_t
    """
    xs, p, h0, c0, mask = _prepare(x, params, initial_state, mask,
                                   go_backwards)
    batch, T, _ = xs.shape
    u = p.units
    dh_T, dc_T = (None if d is None else _check_gradient(
        d, name, (batch, u), "(batch, units)")
        for d, name in ((dh_T, "dh_T"), (dc_T, "dc_T")))
    if dh is not None:
        dh = _check_gradient(dh, "dh", (batch, T, u), "(batch, T, units)")
    if tr is None:
        tr = _trace(xs, p, h0, c0, mask)
    return _backward(xs, p, tr, dh_T, dc_T, dh, go_backwards)


def _check_gradient(d, argument, shape, meaning):
    """A gradient argument as a float array of the expected shape."""
    d = as_float_array(d, argument)
    check_shape(d, shape, argument, meaning)
    return d


def _backward(xs, p, tr, dh_T, dc_T, dh, go_backwards):
    """``backward`` of checked arguments: xs (batch, T, F) in processing
    order and p in its float type, as ``_prepare`` returns them.

    Block by block of rows (``_row_blocks``): ``_dz`` carries the
    gradients back through time, then dx_t = dz W^T, and each block adds
    its share to the sums over windows and steps dW, dU and db.
    """
    dtype = xs.dtype
    batch, T, F = xs.shape
    u = p.units
    dx = np.empty((T, batch, F), dtype)  # time-major, as dz
    dW = np.zeros((F, 4 * u), dtype)
    dU = np.zeros((u, 4 * u), dtype)
    db = np.zeros(4 * u, dtype)
    dh0, dc0 = np.empty((batch, u), dtype), np.empty((batch, u), dtype)
    if dh is not None:
        dh = dh.astype(dtype, copy=False)  # the run's float type, as dh_T
    # contiguous: BLAS took ten times longer with the transposed view
    W_T = np.ascontiguousarray(p.kernel.T)  # (4u, F)
    work = {}
    for rows in _row_blocks(batch, u, F):
        dz, dh0[rows], dc0[rows] = _dz(
            p, _rows_of(tr, rows), *(None if d is None else d[rows]
                                     for d in (dh_T, dc_T, dh)), work)
        n = dz.shape[1]
        # one product per step, each small enough for one thread (see
        # _row_blocks), whatever T is; then the sums over steps
        np.matmul(dz, W_T, out=dx[:, rows])  # dx_t = dz_t W^T
        x_tm = xs[rows].transpose(1, 0, 2)  # (T, n, F)
        dW += np.matmul(x_tm.transpose(0, 2, 1), dz, out=_buffer(
            work, "dW_t", (T, F, 4 * u), dtype)).sum(axis=0)
        h_prev = _buffer(work, "h_prev", (T, n, u), dtype)
        h_prev[0], h_prev[1:] = tr.h0[rows], tr.h[rows, :-1].transpose(
            1, 0, 2)
        dU += np.matmul(h_prev.transpose(0, 2, 1), dz, out=_buffer(
            work, "dU_t", (T, u, 4 * u), dtype)).sum(axis=0)
        db += dz.sum(axis=(0, 1))
    dx = dx.transpose(1, 0, 2)
    if go_backwards:
        dx = dx[:, ::-1]
    return Gradients(x=np.ascontiguousarray(dx), kernel=dW,
                     recurrent_kernel=dU,
                     bias=db if p.bias is not None else None,
                     h0=dh0, c0=dc0)


def _rows_of(tr, rows):
    """The ``Trace`` of the windows ``rows`` (a slice) of ``tr``."""
    return Trace(**{f.name: getattr(tr, f.name)[rows] for f in fields(tr)})


def _dz(p, tr, dh_T, dc_T, dh, work):
    """dL/dz of every step, time-major (T, batch, 4 * units), and dL/dh_0,
    dL/dc_0, for one block of rows: the loop of ``backward``'s docstring.

    What does not depend on the gradients flowing back is computed for
    all steps at once: each step's slopes d c_new / d z of the gates i,
    f and c_tilde (which dc_new multiplies) and d h_new / d z_o (which
    dh_new multiplies), in ``GATES``' column order, so that a step
    without mask is five element-wise calls and one product. ``work``
    holds the scratch arrays (``_buffer``); dz is one of them.
    """
    batch, T, u = tr.h.shape
    dtype = tr.h.dtype

    def buffer(name, shape):
        return _buffer(work, name, shape, dtype)

    phi = get_activation(p.activation)
    d_sigma = DERIVATIVES[p.recurrent_activation]
    d_phi = DERIVATIVES[p.activation]
    masked = not tr.mask.all()
    # the cell before masking; where every step is used, the state itself
    c_new = tr.c
    if masked:
        c_prev = np.concatenate([tr.c0[:, None], tr.c[:, :-1]], axis=1)
        c_new = tr.f * c_prev + tr.i * tr.c_tilde
    phi_c = phi(c_new, out=buffer("phi_c", (batch, T, u)))
    slopes = buffer("slopes", (T, batch, 4, u))  # i, f, c, o as in GATES
    by_window = slopes.transpose(1, 0, 2, 3)  # (batch, T, 4, u) view
    tmp = buffer("tmp", (batch, T, u))
    np.multiply(d_sigma(tr.z_i, tr.i, out=tmp), tr.c_tilde,
                out=by_window[:, :, 0])
    d_sigma(tr.z_f, tr.f, out=tmp)  # times c_{t-1}:
    np.multiply(tmp[:, 0], tr.c0, out=by_window[:, 0, 1])
    np.multiply(tmp[:, 1:], tr.c[:, :-1], out=by_window[:, 1:, 1])
    np.multiply(d_phi(tr.z_c, tr.c_tilde, out=tmp), tr.i,
                out=by_window[:, :, 2])
    np.multiply(d_sigma(tr.z_o, tr.o, out=tmp), phi_c,
                out=by_window[:, :, 3])
    slope_c = buffer("slope_c", (T, batch, u))  # d h_new / d c_new
    np.multiply(tr.o, d_phi(c_new, phi_c, out=tmp),
                out=slope_c.transpose(1, 0, 2))
    f = buffer("f", (T, batch, u))
    f.transpose(1, 0, 2)[...] = tr.f
    used = tr.mask.T[..., None].astype(dtype)  # (T, batch, 1)
    dz = buffer("dz", (T, batch, 4 * u))  # dL/dz of every step
    by_gate = dz.reshape(T, batch, 4, u)
    dh_t = np.zeros((batch, u), dtype) if dh_T is None else np.array(
        dh_T, dtype)
    dc_t = np.zeros((batch, u), dtype) if dc_T is None else np.array(
        dc_T, dtype)
    U_T = np.ascontiguousarray(p.recurrent_kernel.T)
    scratch = np.empty((batch, u), dtype)
    for t in range(T - 1, -1, -1):
        if dh is not None:
            dh_t += dh[:, t]
        if masked:  # dh_new = m dh_t, dc_new = m dc_t + dh_new slope_c
            m = used[t]
            dh_new = m * dh_t
            dc_new = m * dc_t + dh_new * slope_c[t]
        else:  # m = 1: dh_new is dh_t, and dc_new is dc_t, in place
            dh_new, dc_new = dh_t, dc_t
            dc_new += np.multiply(dh_new, slope_c[t], out=scratch)
        np.multiply(slopes[t, :, :3], dc_new[:, None], out=by_gate[t, :, :3])
        np.multiply(slopes[t, :, 3], dh_new, out=by_gate[t, :, 3])
        if masked:
            dh_t = dz[t] @ U_T + (1 - m) * dh_t
            dc_t = dc_new * f[t] + (1 - m) * dc_t
        else:
            np.matmul(dz[t], U_T, out=dh_t)  # dh_{t-1} = dz U^T
            dc_t *= f[t]  # dc_{t-1} = dc_new f
    return dz, dh_t, dc_t


def input_gradient(net, x, output=0):
    """d y[:, output] / d x of a ``Network`` (or of any ``Stack``, by its
    layers' backward passes), window by window.

    y = act(h_T D + d), so dL/dh_T = act'(a) D[:, output] with
    a = h_T D + d, carried to the inputs by ``_bptt``'s loop (the chain
    rule of ``backward``, without weight gradients).
    x (batch, T, input_dim) -> (batch, T, input_dim), in the LSTM run's
    float type (float32 when x and the LSTM's weights are float32).
    """
    if not hasattr(net, "dense_kernel") and hasattr(net, "input_gradient"):
        return net.input_gradient(x, output)  # a Stack: layer by layer
    output = _check_output(net, output)
    return _input_gradient(net, check_windows(x, net.params), output)


def _input_gradient(net, x, output):
    """``input_gradient`` of checked windows x and output index, by
    ``_bptt``'s loop (no weight gradients, blocks on every core)."""
    return network_input_gradient(net, x, output)


def _check_output(net, output):
    """Return ``output`` as an index of the network's outputs, checked."""
    if not hasattr(net, "dense_kernel"):
        raise TypeError(
            "net: expected a Network (from lstmref.from_keras_model), got "
            f"{type(net).__name__}")
    return check_output_index(output, net.n_out)
