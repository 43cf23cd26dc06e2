"""The LSTM layer: the cell of ``cell.py`` run over a whole sequence.

``lstm`` returns what a Keras 3 ``LSTM`` layer returns for the same weights
and flags; ``trace`` returns every step's gate values, which Keras does not
show. Both run the same loop, ``_scan``.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ._checks import (as_float_array, check_finite, check_flag, check_rank,
                      check_shape, to_numpy)
from .activations import IN_PLACE, get_activation
from .params import LSTMParams

__all__ = ["lstm", "trace", "Trace"]


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
    """
    for name, flag in (("return_sequences", return_sequences),
                       ("return_state", return_state),
                       ("zero_output_for_mask", zero_output_for_mask)):
        check_flag(flag, name)
    x, h, c, mask = _prepare(x, params, initial_state, mask, go_backwards)
    outputs, h, c = _scan(x, params, h, c, mask, zero_output_for_mask,
                          record=None, keep_outputs=return_sequences)
    output = outputs if return_sequences else outputs[:, -1]
    return [output, h, c] if return_state else output


@dataclass(frozen=True)
class Trace:
    """Every step of one LSTM run; each array is (batch, T, units).

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
    x, h, c, mask = _prepare(x, params, initial_state, mask, go_backwards)
    h0, c0 = h.copy(), c.copy()  # _scan overwrites h and c
    batch, T, _ = x.shape
    u = params.units
    record = {"z": np.empty((batch, T, 4 * u), x.dtype),
              "gates": np.empty((batch, T, 4 * u), x.dtype),
              "c": np.empty((batch, T, u), x.dtype),
              "h": np.empty((batch, T, u), x.dtype)}
    _scan(x, params, h, c, mask, False, record=record, keep_outputs=False)
    z, gates = record["z"], record["gates"]  # columns i, f, o, c

    def block(a, k):  # the k-th block of u columns, contiguous
        return np.ascontiguousarray(a[..., k * u:(k + 1) * u])

    used = np.ones((batch, T), bool) if mask is None else mask.copy()
    return Trace(i=block(gates, 0), f=block(gates, 1),
                 c_tilde=block(gates, 3), o=block(gates, 2),
                 c=record["c"], h=record["h"], z_i=block(z, 0),
                 z_f=block(z, 1), z_c=block(z, 3), z_o=block(z, 2),
                 mask=used, h0=h0, c0=c0)


def _scan(x, params, h, c, mask, zero_output_for_mask, *, record,
          keep_outputs):
    """The time loop shared by ``lstm`` and ``trace``.

    x (batch, T, input_dim) already in processing order; h, c (batch,
    units), which the loop overwrites. Returns ``(outputs, h_T, c_T)``
    where outputs is (batch, T, units) if ``keep_outputs`` else (batch, 1,
    units), the last output. ``record``, if given, is a dict of arrays to
    fill: ``"z"`` and ``"gates"`` (batch, T, 4 * units), the
    pre-activations and the gates in the loop's column order i, f, o, c,
    and ``"c"``, ``"h"`` (batch, T, units).

    Each step is one matrix product, z = [h_{t-1}, x_t, 1] [U; W; b]
    (``_stacked_weights``), then the activations in place, in arrays
    allocated once: for small cells the time goes to NumPy's overhead per
    call, not to arithmetic, so the loop makes as few calls as it can.
    The gate columns are reordered to i, f, o, c so that one call applies
    sigma to the three gates at once.
    """
    get_activation(params.recurrent_activation, "recurrent_activation")
    get_activation(params.activation)
    # inside the loop's np.errstate: no errstate of their own per step
    sigma = IN_PLACE[params.recurrent_activation]
    phi = IN_PLACE[params.activation]
    batch, T, F = x.shape
    u = params.units
    order = np.r_[0:2 * u, 3 * u:4 * u, 2 * u:3 * u]  # i, f, o, c
    weights = _stacked_weights(params, order)  # (u + F (+ 1), 4u)
    hx = np.ones((batch, weights.shape[0]), x.dtype)  # [h_{t-1}, x_t, 1]
    h_prev, x_t = hx[:, :u], hx[:, u:u + F]
    h_prev[...] = h
    outputs = np.zeros((batch, T if keep_outputs else 1, u), x.dtype)
    z = np.empty((batch, 4 * u), x.dtype)  # pre-activations, then gates
    i, f, o, c_tilde = (z[:, k * u:(k + 1) * u] for k in range(4))
    i_f_o = z[:, :3 * u]  # the three sigma gates, side by side
    h_new, c_new, written = (np.empty_like(h) for _ in range(3))
    output = np.zeros_like(h)  # the previous output, for masks
    if record is not None:
        z_seen, gates_seen, c_seen, h_seen = (
            record[k] for k in ("z", "gates", "c", "h"))
    with np.errstate(over="ignore", invalid="ignore"):
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
                gates_seen[:, t] = z  # i, f, o, c_tilde
            np.multiply(f, c, out=c_new)  # c_t = f * c_{t-1} + i * c~
            c_new += np.multiply(i, c_tilde, out=written)
            if mask is None:
                c, c_new = c_new, c  # swap buffers: no copy
                phi(c, out=h_prev)  # h_t = o * phi(c_t), in place
                h_prev *= o
                output = h_prev
            else:
                phi(c_new, out=h_new)
                h_new *= o
                m = mask[:, t, None]  # (batch, 1)
                np.copyto(h_prev, h_new, where=m)
                np.copyto(c, c_new, where=m)
                if zero_output_for_mask:
                    output = np.where(m, h_new, 0.0)
                else:
                    np.copyto(output, h_new, where=m)
            if keep_outputs:
                outputs[:, t] = output
            if record is not None:
                c_seen[:, t], h_seen[:, t] = c, h_prev
    outputs[:, -1] = output
    h = h_prev.copy()
    if not (np.isfinite(h).all() and np.isfinite(c).all()):
        warnings.warn(
            "the LSTM states overflowed to inf or NaN (activation="
            f"{params.activation!r}, recurrent_activation="
            f"{params.recurrent_activation!r}); unbounded activations let "
            "c and h grow without limit", RuntimeWarning, stacklevel=3)
    return outputs, h, c


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
    """Check every argument and return ``(x, h0, c0, mask)``, ready to scan.

    The common float type is float32 only if x, the weights and the states
    are all float32, float64 otherwise. With ``go_backwards`` x and mask
    are returned reversed in time.
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(
            "params: expected an LSTMParams (build one with "
            "LSTMParams(kernel, recurrent_kernel, bias) or from_keras), got "
            f"{type(params).__name__}")
    check_flag(go_backwards, "go_backwards")
    x = as_float_array(x, "x")
    check_rank(x, 3, "x", "(batch, T, input_dim)")
    batch, T, features = x.shape
    if batch == 0 or T == 0:
        raise ValueError(
            "x: expected at least one sequence of at least one step, got "
            f"shape {x.shape} (batch={batch}, T={T})")
    if features != params.input_dim:
        raise ValueError(
            f"x: expected {params.input_dim} features on the last axis "
            f"(the kernel has {params.input_dim} rows), got shape {x.shape}")
    check_finite(x, "x")
    states = _check_initial_state(initial_state, batch, params.units)
    dtype = np.result_type(x, params.kernel, *states)
    x = x.astype(dtype, copy=False)
    if params.dtype != dtype:
        params = params.astype(dtype)
    if states:
        h0, c0 = (s.astype(dtype) for s in states)  # copies: never aliased
    else:
        h0 = np.zeros((batch, params.units), dtype)
        c0 = np.zeros((batch, params.units), dtype)
    mask = _check_mask(mask, batch, T)
    if go_backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    return x, h0, c0, mask


def _check_initial_state(initial_state, batch, units):
    """Return ``[h0, c0]`` as float arrays (or [] for None), checked."""
    if initial_state is None:
        return []
    if isinstance(initial_state, np.ndarray) or not isinstance(
            initial_state, (list, tuple)):
        raise TypeError(
            "initial_state: expected a list [h_0, c_0] of two arrays of "
            f"shape ({batch}, {units}), got {type(initial_state).__name__}")
    if len(initial_state) != 2:
        raise ValueError(
            "initial_state: expected two arrays [h_0, c_0], got a "
            f"{type(initial_state).__name__} of {len(initial_state)}")
    states = []
    for name, s in zip(("initial_state[0] (h_0)", "initial_state[1] (c_0)"),
                       initial_state):
        s = as_float_array(s, name)
        check_shape(s, (batch, units), name, "(batch, units)")
        check_finite(s, name)
        states.append(s)
    return states


def _check_mask(mask, batch, T):
    """Return ``mask`` as a bool array (batch, T), or None."""
    if mask is None:
        return None
    expected = f"a bool array (or integers 0 and 1) of shape ({batch}, {T})"
    try:
        array = np.asarray(to_numpy(mask))
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"mask: expected {expected}, got {type(mask).__name__} "
            f"({error})") from None
    if array.dtype != bool:
        if array.dtype.kind not in "iu":
            raise TypeError(
                f"mask: expected {expected}, got dtype {array.dtype}")
        bad = (array != 0) & (array != 1)
        if bad.any():
            where = tuple(int(k) for k in np.argwhere(bad)[0])
            raise ValueError(
                f"mask: expected only 0 and 1 (or True and False), got "
                f"{array[where]} at index {where}")
        array = array.astype(bool)
    check_shape(array, (batch, T), "mask", "(batch, T)")
    return array
