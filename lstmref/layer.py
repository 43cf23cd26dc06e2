"""The LSTM layer: the cell of ``cell.py`` run over a whole sequence.

``lstm`` returns what a Keras 3 ``LSTM`` layer returns for the same weights
and flags; ``trace`` returns every step's gate values, which Keras does not
show. Both run the same loop, ``_scan``.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ._checks import (check_flag, check_initial_state, check_mask,
                      check_windows)
from .activations import IN_PLACE, get_activation
from .params import GATES, check_params

__all__ = ["lstm", "trace", "Trace"]

#: The gate order of the time loop's columns. Keras packs the gates as
#: ``GATES`` = i, f, c, o; the loop puts the three sigma gates side by side,
#: so that one call applies sigma to all of them, and the candidate last.
#: ``_scan_columns`` goes from Keras's order to this one, ``_gate_block``
#: reads a gate back out of the loop's columns by its name.
SCAN_ORDER = ("i", "f", "o", "c")


def _scan_columns(u):
    """Keras's column of each loop column: packed[..., cols] is in
    ``SCAN_ORDER``. (4 * u,) ints."""
    return np.concatenate([np.arange(GATES.index(g) * u,
                                     (GATES.index(g) + 1) * u)
                           for g in SCAN_ORDER])


def _gate_block(a, gate, u):
    """Gate ``gate``'s u columns of ``a`` (..., 4u) in the loop's order,
    as a view (..., u): the inverse of ``_scan_columns``."""
    k = SCAN_ORDER.index(gate)
    return a[..., k * u:(k + 1) * u]


def lstm(x, params, *, initial_state=None, mask=None, return_sequences=False,
         return_state=False, go_backwards=False, zero_output_for_mask=False):
    """Run an LSTM layer over a batch of sequences, as Keras 3 does.

    For t = 1 .. T (reversed with ``go_backwards``), with h_0 = c_0 = 0
    unless ``initial_state`` gives them::

        i, f, c_tilde, o = gates(x_t W + h_{t-1} U + b)
        c_t = f * c_{t-1} + i * c_tilde
        h_t = o * phi(c_t)

    At a step where ``mask`` is False the states carry over unchanged and
    the output repeats the previous output (zeros before the first unmasked
    step), or is zeros with ``zero_output_for_mask=True``.

    Parameters
    ----------
    x : array (batch, T, input_dim)
    params : LSTMParams
    initial_state : [h_0, c_0], each (batch, units), optional
    mask : bool array (batch, T), optional; True marks a step to use.
    return_sequences : every step's output (batch, T, units) instead of the
        last one (batch, units); with ``go_backwards`` in processing order,
        that is reversed, as Keras returns them.
    return_state : also return the final states, ``[output, h_T, c_T]``.

    Returns the output, or ``[output, h_T, c_T]``. Carrying ``[h_T, c_T]``
    into the next call as ``initial_state`` is a stateful layer.

    Float type: the run is float32 when x, the weights and the states are
    all float32 (a Keras model's own weights are), about twice as fast,
    else float64; results come in the run's type, as ``trace``'s and
    ``backward``'s do.
    """
    for name, flag in (("return_sequences", return_sequences),
                       ("return_state", return_state),
                       ("zero_output_for_mask", zero_output_for_mask)):
        check_flag(flag, name)
    x, params, h, c, mask = _prepare(x, params, initial_state, mask,
                                     go_backwards)
    outputs, h, c = _scan(x, params, h, c, mask, zero_output_for_mask,
                          record=None, keep_outputs=return_sequences)
    output = outputs if return_sequences else outputs[:, -1]
    return [output, h, c] if return_state else output


@dataclass(frozen=True)
class Trace:
    """Every step of one LSTM run; each array is (batch, T, units).

    The gates and pre-activations are views into two arrays (batch, T,
    4 * units) that the time loop fills, not copies of them.

    Time runs in processing order (reversed with ``go_backwards``), so
    ``h[:, -1]`` is the final hidden state. At a masked step the gates hold
    what the cell computed there, but c and h carry the previous states
    over, as the layer does (``mask`` says which steps were used).
    """

    i: np.ndarray  #: input gate
    f: np.ndarray  #: forget gate
    c_tilde: np.ndarray  #: candidate
    o: np.ndarray  #: output gate
    c: np.ndarray  #: cell state after the step
    h: np.ndarray  #: hidden state after the step
    z_i: np.ndarray  #: pre-activation of the input gate
    z_f: np.ndarray  #: pre-activation of the forget gate
    z_c: np.ndarray  #: pre-activation of the candidate
    z_o: np.ndarray  #: pre-activation of the output gate
    mask: np.ndarray  #: (batch, T) bool, True where the step was used
    h0: np.ndarray  #: (batch, units) initial hidden state
    c0: np.ndarray  #: (batch, units) initial cell state


def trace(x, params, *, initial_state=None, mask=None, go_backwards=False):
    """Run ``lstm`` and keep every step's gates, states and pre-activations.

    Same arguments and equations as ``lstm``. Returns a ``Trace`` whose
    arrays ``i, f, c_tilde, o, c, h, z_i, z_f, z_c, z_o`` are each
    (batch, T, units).
    """
    return _trace(*_prepare(x, params, initial_state, mask, go_backwards))


def _trace(x, params, h0, c0, mask):
    """``trace`` of arguments that ``_prepare`` (or ``_arrange``) returned.

    No checks: the public functions make them once, at the door.
    """
    batch, T, _ = x.shape
    return _trace_into(_record(batch, T, params.units, x.dtype), x, params,
                       h0, c0, mask)


def _record(batch, T, u, dtype):
    """Empty arrays for ``_scan``'s ``record``: z and the gates (batch, T,
    4 * u), c and h (batch, T, u)."""
    return {"z": np.empty((batch, T, 4 * u), dtype),
            "gates": np.empty((batch, T, 4 * u), dtype),
            "c": np.empty((batch, T, u), dtype),
            "h": np.empty((batch, T, u), dtype)}


def _trace_into(record, x, params, h0, c0, mask):
    """``_trace``, filling ``record`` (from ``_record``), whose arrays the
    ``Trace`` returned shares (``trace`` passes a fresh record)."""
    batch, T, _ = x.shape
    u = params.units
    # copies of the states: _scan overwrites the ones it is given
    _scan(x, params, h0.copy(), c0.copy(), mask, False, record=record,
          keep_outputs=False)
    z, gates = record["z"], record["gates"]  # columns in SCAN_ORDER
    used = np.ones((batch, T), bool) if mask is None else mask.copy()
    return Trace(i=_gate_block(gates, "i", u), f=_gate_block(gates, "f", u),
                 c_tilde=_gate_block(gates, "c", u),
                 o=_gate_block(gates, "o", u), c=record["c"],
                 h=record["h"], z_i=_gate_block(z, "i", u),
                 z_f=_gate_block(z, "f", u), z_c=_gate_block(z, "c", u),
                 z_o=_gate_block(z, "o", u), mask=used, h0=h0, c0=c0)


def _last_output(x, params, go_backwards):
    """h_T of checked windows x (batch, T, F), no mask: (batch, units).

    What ``lstm`` returns with its default flags, without its checks; the
    attribution methods run it on many windows built from checked ones.
    """
    x, params, h, c, _ = _arrange(x, params, go_backwards=go_backwards)
    outputs, _, _ = _scan(x, params, h, c, None, False, record=None,
                          keep_outputs=False)
    return outputs[:, -1]


def _row_blocks(batch, units, input_dim):
    """Slices of ``range(batch)`` for the time loops to take one by one.

    Each block has at most 2**19 // ((units + input_dim + 1) * 4 * units)
    rows (sequences), at least 16: 48 for 50 units over 3 features. A
    block's arrays for one step then stay in a core's cache, and its
    product [h, x_t, 1] [U; W; b] is small enough for OpenBLAS to run on
    one thread (below about 10^6 multiply-adds here): handing each step's
    small product to a second thread cost more than the product itself,
    up to a hundred times more when other processes shared the cores.
    """
    rows = max(16, 2 ** 19 // ((units + input_dim + 1) * 4 * units))
    return [slice(k, min(k + rows, batch)) for k in range(0, batch, rows)]


def _scan(x, params, h, c, mask, zero_output_for_mask, *, record,
          keep_outputs):
    """The time loop shared by ``lstm`` and ``trace``.

    x (batch, T, input_dim) already in processing order; h, c (batch,
    units), which the loop overwrites with h_T and c_T. Returns
    ``(outputs, h_T, c_T)`` where outputs is (batch, T, units) if
    ``keep_outputs`` else (batch, 1, units), the last output. ``record``,
    if given, is a dict of arrays to fill: ``"z"`` and ``"gates"`` (batch,
    T, 4 * units), the pre-activations and the gates in the loop's column
    order ``SCAN_ORDER`` (read them with ``_gate_block``), and ``"c"``,
    ``"h"`` (batch, T, units).

    The batch is taken in blocks of rows (``_row_blocks``), each through
    every step by ``_scan_block``.
    """
    get_activation(params.recurrent_activation, "recurrent_activation")
    get_activation(params.activation)
    batch, T, F = x.shape
    u = params.units
    weights = _stacked_weights(params, _scan_columns(u))  # (u+F(+1), 4u)
    outputs = np.zeros((batch, T if keep_outputs else 1, u), x.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        for rows in _row_blocks(batch, u, F):
            _scan_block(
                x[rows], weights, params, h[rows], c[rows],
                None if mask is None else mask[rows], zero_output_for_mask,
                None if record is None else {
                    k: v[rows] for k, v in record.items()},
                outputs[rows], keep_outputs)
    _warn_if_overflowed(np.isfinite(h).all() and np.isfinite(c).all(),
                        params, stacklevel=4)
    return outputs, h, c


def _warn_if_overflowed(finite, params, stacklevel):
    """Warn unless ``finite`` (the final states h, c are all finite)."""
    if not finite:
        warnings.warn(
            "the LSTM states overflowed to inf or NaN (activation="
            f"{params.activation!r}, recurrent_activation="
            f"{params.recurrent_activation!r}); unbounded activations let "
            "c and h grow without limit", RuntimeWarning,
            stacklevel=stacklevel)


def _scan_block(x, weights, params, h, c, mask, zero_output_for_mask,
                record, outputs, keep_outputs):
    """``_scan`` of one block of rows: the same arguments, ``weights``
    from ``_stacked_weights``; fills h, c, ``outputs`` and ``record``.

    Each step is one matrix product, z = [h_{t-1}, x_t, 1] [U; W; b]
    (``_stacked_weights``), then the activations in place, in arrays
    allocated once: for small cells the time goes to NumPy's overhead per
    call, not to arithmetic, so the loop makes as few calls as it can.
    The gate columns are reordered to ``SCAN_ORDER`` (i, f, o, c) so that
    one call applies sigma to the three gates at once. The caller ignores
    overflow (``np.errstate``) around all blocks.
    """
    sigma = IN_PLACE[params.recurrent_activation]
    phi = IN_PLACE[params.activation]
    batch, T, F = x.shape
    u = params.units
    hx = np.ones((batch, weights.shape[0]), x.dtype)  # [h_{t-1}, x_t, 1]
    h_prev, x_t = hx[:, :u], hx[:, u:u + F]
    h_prev[...] = h
    z = np.empty((batch, 4 * u), x.dtype)  # pre-activations, then gates
    block = {g: z[:, k * u:(k + 1) * u] for k, g in enumerate(SCAN_ORDER)}
    i, f, c_tilde, o = (block[g] for g in GATES)  # views into z
    i_f_o = z[:, :3 * u]  # the three sigma gates, first in SCAN_ORDER
    c_state = c.copy()  # c_{t-1}; c itself receives c_T at the end
    h_new, c_new, written = (np.empty_like(h) for _ in range(3))
    output = np.zeros_like(h)  # the previous output, for masks
    if record is not None:
        z_seen, gates_seen, c_seen, h_seen = (
            record[k] for k in ("z", "gates", "c", "h"))
    for t in range(T):
        x_t[...] = x[:, t]
        # x_t W + h_{t-1} U + b; the same product as np.matmul, with
        # less overhead per call (it matters for one-unit cells)
        hx.dot(weights, out=z)
        if record is not None:
            z_seen[:, t] = z
        sigma(i_f_o, out=i_f_o)  # i, f, o
        phi(c_tilde, out=c_tilde)
        if record is not None:
            gates_seen[:, t] = z  # the gates, in SCAN_ORDER
        np.multiply(f, c_state, out=c_new)  # c_t = f * c_{t-1} + i * c~
        c_new += np.multiply(i, c_tilde, out=written)
        if mask is None:
            c_state, c_new = c_new, c_state  # swap buffers: no copy
            phi(c_state, out=h_prev)  # h_t = o * phi(c_t), in place
            h_prev *= o
            output = h_prev
        else:
            phi(c_new, out=h_new)
            h_new *= o
            m = mask[:, t, None]  # (batch, 1)
            np.copyto(h_prev, h_new, where=m)
            np.copyto(c_state, c_new, where=m)
            if zero_output_for_mask:
                output = np.where(m, h_new, 0.0)
            else:
                np.copyto(output, h_new, where=m)
        if keep_outputs:
            outputs[:, t] = output
        if record is not None:
            c_seen[:, t], h_seen[:, t] = c_state, h_prev
    outputs[:, -1] = output
    h[...] = h_prev
    c[...] = c_state


def _stacked_weights(params, order):
    """[U; W; b] with columns in ``order``: (units + F (+ 1), 4 * units).

    Stacked so that one product [h_{t-1}, x_t, 1] @ [U; W; b] gives every
    gate's pre-activation; without bias there is no last row.
    """
    blocks = [params.recurrent_kernel[:, order], params.kernel[:, order]]
    if params.bias is not None:
        blocks.append(params.bias[order][None, :])
    return np.ascontiguousarray(np.concatenate(blocks))


def _prepare(x, params, initial_state, mask, go_backwards):
    """Check every argument; return ``_arrange``'s ``(x, params, h0, c0,
    mask)``, ready to scan."""
    check_params(params)
    check_flag(go_backwards, "go_backwards")
    x = check_windows(x, params)
    batch, T, _ = x.shape
    states = check_initial_state(initial_state, batch, params.units)
    mask = check_mask(mask, batch, T)
    return _arrange(x, params, states, mask, go_backwards)


def _arrange(x, params, states=(), mask=None, go_backwards=False):
    """Checked arguments in one float type and in processing order.

    The common type is float32 only if x, the weights and the states are
    all float32, float64 otherwise. ``states`` is ``[h0, c0]`` or empty
    (zeros). With ``go_backwards`` x and mask are returned reversed in
    time. Returns ``(x, params, h0, c0, mask)``.
    """
    dtype = np.result_type(x, params.kernel, *states)
    x = x.astype(dtype, copy=False)
    if params.dtype != dtype:
        params = params.astype(dtype)
    batch = x.shape[0]
    if len(states):
        h0, c0 = (s.astype(dtype) for s in states)  # copies: never aliased
    else:
        h0 = np.zeros((batch, params.units), dtype)
        c0 = np.zeros((batch, params.units), dtype)
    if go_backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    return x, params, h0, c0, mask
