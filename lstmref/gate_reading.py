"""Reading a trained LSTM through its gates: saturation and time constants.

Every function takes a ``Trace`` (from ``lstmref.trace``), whose gate
arrays are (batch, T, units), and summarises one gate per unit over the
steps that were used (``trace.mask``); masked steps never count. With
n = the number of used steps and g the gate's values there:

* ``mean_gate``: the average value, mean_n g, per unit.
* ``saturation``: the fractions of used steps at which the gate is
  left-saturated (g < 0.1, nearly shut) and right-saturated (g > 0.9,
  nearly open), the statistics of Karpathy, Johnson and Fei-Fei, 2015,
  "Visualizing and understanding recurrent networks".
* ``time_constants``: tau = -1 / ln(f_bar), f_bar the geometric mean of
  f, the number of steps over which the forget gate keeps a cell's
  memory (see the function): the book's one measure of memory length.
* ``memory_horizon``: per window, how much of each step's cell state the
  later forget gates leave by the last step.

Only NumPy is needed.
"""

import numpy as np

from ._checks import check_real
from .layer import Trace

__all__ = ["SATURATION_GATES", "gate_values", "mean_gate", "memory_horizon",
           "saturation", "saturation_by_gate", "time_constants"]

#: The gates whose values lie in [0, 1] and can saturate: input, forget,
#: output. (The candidate c_tilde lies in (-1, 1) and is not a gate.)
SATURATION_GATES = ("i", "f", "o")


def gate_values(trace, gate):
    """One gate's values at the steps that were used.

    trace.<gate> (batch, T, units), trace.mask (batch, T) -> g (n, units),
    where n is the number of True entries in the mask, steps taken in
    (batch, time) order.
    """
    if not isinstance(trace, Trace):
        raise TypeError(
            "trace: expected a Trace (from lstmref.trace), got "
            f"{type(trace).__name__}")
    if gate not in SATURATION_GATES:
        raise ValueError(
            f"gate: expected one of {SATURATION_GATES}, got {gate!r}")
    used = np.asarray(trace.mask, bool)
    if not used.any():
        raise ValueError(
            "trace: expected at least one used step, got a mask that is "
            f"False everywhere (shape {used.shape})")
    return getattr(trace, gate)[used]  # (n, units)


def mean_gate(trace, gate):
    """The average of one gate over the used steps, per unit.

    mean_j = (1 / n) sum over used (b, t) of g[b, t, j]

    Returns an array (units,).
    """
    return gate_values(trace, gate).mean(axis=0)


def saturation(trace, gate, low=0.1, high=0.9):
    """Fractions of used steps at which a gate is saturated, per unit.

    left_j  = (1 / n) #{used (b, t) : g[b, t, j] < low}
    right_j = (1 / n) #{used (b, t) : g[b, t, j] > high}

    With the defaults these are Karpathy, Johnson and Fei-Fei's (2015)
    left- and right-saturation: a gate below 0.1 is nearly shut, above 0.9
    nearly open. ``0 <= low <= high <= 1``, so no value counts twice and
    left_j + right_j <= 1.

    Returns ``(left, right)``, each an array (units,) of values in [0, 1].
    """
    low = check_real(low, "low")
    high = check_real(high, "high")
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(
            "low, high: expected 0 <= low <= high <= 1, got "
            f"low={low!r}, high={high!r}")
    g = gate_values(trace, gate)  # (n, units)
    return (g < low).mean(axis=0), (g > high).mean(axis=0)


def time_constants(trace):
    """Each unit's memory time constant, tau = -1 / ln(f_bar), in steps.

    With the input gate shut, c_t = f_t c_{t-1}: after k steps the cell
    keeps the product of k forget gates. f_bar = exp(mean ln f), the
    geometric mean of the unit's forget gate over the used steps, is the
    constant gate with the same product, so the content falls by a factor
    e in tau = -1 / ln(f_bar) = -1 / mean(ln f) steps. (The arithmetic
    mean overstates memory: f = 0.5 half the time and 1 the other half
    keeps 1/2 every two steps, tau = 2.9, where 1 / (1 - 0.75) says 4.)
    tau > 0; tau is inf where f = 1 at every used step, and 0 where f = 0
    at one of them.

    Returns an array (units,).
    """
    with np.errstate(divide="ignore"):
        log_f = np.log(gate_values(trace, "f")).mean(axis=0)  # (units,)
    tau = np.full(log_f.shape, np.inf)
    np.divide(-1.0, log_f, out=tau, where=log_f < 0)
    return tau


def saturation_by_gate(trace, low=0.1, high=0.9):
    """``saturation`` of each of the gates i, f and o.

    Returns ``{"i": (left, right), "f": ..., "o": ...}``, each array
    (units,), over the steps that were used.
    """
    return {gate: saturation(trace, gate, low, high)
            for gate in SATURATION_GATES}


def memory_horizon(trace):
    """How much of each step's cell state survives to the last step.

    retention[b, t, j] = prod_{s = t+1}^{T-1} f[b, s, j]: the factor by
    which the forget gates alone scale what cell j held after step t by
    the end (1 at the last step; masked steps carry c over, so count as
    f = 1). With the input gate shut, c_T = c_t * retention exactly. It is
    the derivative d c_T / d c_t only if, besides, no later forget gate
    depends on c_t: with U_f != 0 each f_s reads h_{s-1}, which depends on
    c_t, and the derivative has further terms.
    Also each unit's time constant tau = -1 / mean(ln f)
    (``time_constants``).

    Returns ``(retention, tau)``: (batch, T, units) and (units,).
    """
    if not isinstance(trace, Trace):
        raise TypeError(
            "trace: expected a Trace (from lstmref.trace), got "
            f"{type(trace).__name__}")
    f = np.where(trace.mask[..., None], trace.f, 1.0)
    # reversed cumulative product of f over the later steps
    later = np.concatenate([f[:, 1:], np.ones_like(f[:, :1])], axis=1)
    retention = np.cumprod(later[:, ::-1], axis=1)[:, ::-1]
    return retention, time_constants(trace)
