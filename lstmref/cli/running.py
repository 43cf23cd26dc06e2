"""Running the methods over the windows: which windows, in what chunks,
and what each method's numbers sum up to.

Which windows: all of them up to ``DEFAULT_SAMPLE``; past that, or with
``--sample N``, N drawn without replacement by
``np.random.default_rng(seed).choice(n, N, replace=False)``, explained in
the file's order. Each lag's importance is the mean over the windows of
|attribution|, with a normal 95% interval, mean +- 1.96 s / sqrt(n) (s
the standard deviation over the n windows, ddof=1).

Each method's gap is its guarantee's error: the largest |sum - target|
over the windows over the largest |target| (target: f(x) - f(baseline)
for integrated gradients and Shapley values, f(x) for LRP).
"""

from dataclasses import dataclass

import numpy as np

from .methods import TOLERANCE, windows_per_call
from .reading import UsageError

__all__ = ["DEFAULT_SAMPLE", "Summary", "choose", "predict", "summarize",
           "Z95"]

#: Windows explained when a file holds more and no --sample is given.
DEFAULT_SAMPLE = 1000
#: The standard normal's 97.5% quantile: mean +- Z95 s/sqrt(n) is 95%.
Z95 = 1.959963984540054


def choose(total, sample, seed):
    """Sorted indices of the windows to explain, or None for all.

    ``sample``: None (all, up to DEFAULT_SAMPLE), "all", or a count.
    """
    if sample == "all" or (sample is None and total <= DEFAULT_SAMPLE):
        return None
    if sample is None:
        sample = DEFAULT_SAMPLE
    try:
        count = int(sample)
    except ValueError:
        raise UsageError(f"--sample {sample}: expected a number of windows "
                         "or 'all'") from None
    if not 1 <= count <= total:
        raise UsageError(f"--sample {sample}: expected 1 to {total} (the "
                         "windows in the data) or 'all'")
    if count == total:
        return None
    return np.sort(np.random.default_rng(seed).choice(total, count,
                                                       replace=False))


def predict(net, x):
    """f(x) (batch, n_out) by lstmref's forward pass, in chunks."""
    size = windows_per_call(net, x.shape[1])
    return np.concatenate([net._forward(x[k:k + size])
                           for k in range(0, len(x), size)])


@dataclass(frozen=True)
class Summary:
    """One method's numbers for one output."""

    mean: np.ndarray  #: (T,) mean |attribution|, t-1 first
    half_width: np.ndarray  #: (T,) of the 95% interval (nan if n < 2)
    gap: float | None  #: relative gap of its guarantee (None: none)
    steps: tuple | None = None  #: IG: (fewest, most) steps used
    unmet: int = 0  #: windows still over the tolerance

    @property
    def met(self):
        return self.gap is None or self.gap <= TOLERANCE


def relative_gap(total, target):
    """max |total - target| / max |target| (the gap itself if target is
    all zero)."""
    gap = float(np.max(np.abs(total - target)))
    top = float(np.max(np.abs(target)))
    return gap / top if top > 0 else gap


def interval_half_width(values):
    """Half-width of the normal 95% interval of the mean of each column
    of ``values`` (n, ...): 1.96 s / sqrt(n), s with ddof=1."""
    n = len(values)
    if n < 2:
        return np.full(values.shape[1:], np.nan)
    return Z95 * values.std(axis=0, ddof=1) / np.sqrt(n)


def summarize(method, net, x, base, output, targets, progress):
    """Run ``method`` on windows x (batch, T, F) for ``output`` and sum it
    up. ``targets``: {"change": f(x) - f(baseline), "forecast": f(x)},
    each (batch,); ``progress(chunks, label)`` yields the chunks."""
    batch, T, _ = x.shape
    target = targets.get(method.target)
    limit = 0.0 if target is None else TOLERANCE * np.max(np.abs(target))
    size = max(1, windows_per_call(net, T) // method.runs(T))
    parts = [method.attribute(net, x[k:k + size], base, output, limit)
             for k in progress(range(0, batch, size), method.column)]
    importance = np.concatenate([p.importance for p in parts])  # (batch, T)
    gap = steps = None
    unmet = 0
    if target is not None:
        total = np.concatenate([p.total for p in parts])
        gap = relative_gap(total, target)
        unmet = int(np.sum(np.abs(total - target) > limit))
    if parts[0].steps is not None:
        used = np.concatenate([p.steps for p in parts])
        steps = (int(used.min()), int(used.max()))
    return Summary(importance.mean(axis=0)[::-1],
                   interval_half_width(importance)[::-1], gap, steps, unmet)
