"""How long the Jupyter explorers take, kernel side, per slider change.

For each explorer of ``lstmref.widgets`` a slider is moved ``repeats``
times over its range (values that make the c and h axes change their
limits now and then, so the slow path is timed too) and two times are
kept per move:

- ``total``: from setting the slider's value to the end of its callback:
  lstmref's compute, moving the artists, drawing and encoding the PNG;
- ``compute``: lstmref alone within it (``explorer.cell_trace``, or
  ``scaled_weight``, ``trace`` and the Dense head for a model).

The targets are at most 100 ms total and 2 ms compute per change. What
reaches the browser afterwards (the PNG over the websocket) is not timed.
The model explorer runs on random weights shaped like the book's
forecaster (8 units, 4 inputs, 5 days, 4 outputs); no Keras is needed.

Run ``python benchmarks/widget_latency.py``.
"""

import sys
import time

import numpy as np

from common import random_network, report
from lstmref import widgets
from machine import cpu_snapshot, others_share

__all__ = ["kernel_latency", "run", "table"]

TITLE = "Jupyter explorers: kernel time per slider change"

#: Per change, in milliseconds.
TARGETS = {"total": 100.0, "compute": 2.0}

SEED = 20240602


def forecaster(rng, units=8, features=4, T=5, n_out=4):
    """A Network of the forecaster's shape with random non-zero weights,
    and one input window (T, features)."""
    network = random_network(rng, units, features, n_out,
                             dense_bias_scale=0.1)
    return network, rng.normal(size=(T, features))


def sweep(lo, hi, repeats):
    """Slider values from lo to hi and back, on a 0.05 grid, never twice
    the same in a row (an unchanged value sends no event)."""
    up = np.round(np.linspace(lo, hi, (repeats + 1) // 2) / 0.05) * 0.05
    values = np.concatenate([up, up[::-1] + 0.05])[:repeats]
    return [float(v) for v in values]


def time_slider(explorer, name, values):
    """Set the slider to each value; (total ms, compute ms) per change."""
    slider = explorer.controls[name]
    totals, computes = [], []
    for value in values:
        start = time.perf_counter()
        slider.value = value
        totals.append(1e3 * (time.perf_counter() - start))
        computes.append(explorer.timing["compute"])
    return totals, computes


def kernel_latency(repeats=100):
    """Median, 90th percentile and max ms per slider change, total and
    compute alone.

    Returns {explorer: {"total_median", "total_max", "compute_median",
    "compute_p90", "compute_max", "changes"}}, one entry per explorer.
    """
    network, x = forecaster(np.random.default_rng(SEED))
    cases = [
        ("cell_explorer(), W_c", widgets.cell_explorer, "W_c", -8, 8),
        ('gate_explorer("f"), b_f', lambda: widgets.gate_explorer("f"),
         "b_f", -12, 12),
        ("model_explorer(8 units, T=5), scale",
         lambda: widgets.model_explorer(network, x), "scale", 0, 2),
    ]
    result = {}
    for label, make, name, lo, hi in cases:
        explorer = make()
        time_slider(explorer, name, sweep(lo, hi, 10))  # warm-up
        totals, computes = time_slider(explorer, name,
                                       sweep(lo, hi, repeats))
        result[label] = {
            "total_median": float(np.median(totals)),
            "total_max": float(np.max(totals)),
            "compute_median": float(np.median(computes)),
            "compute_p90": float(np.percentile(computes, 90)),
            "compute_max": float(np.max(computes)),
            "changes": len(totals),
        }
    return result


def run(repeats=100):
    """``kernel_latency`` as rows for ``run.py``, with the CPU share."""
    start = cpu_snapshot()
    latency = kernel_latency(repeats)
    others = others_share(start)
    return [{"explorer": k, **v, "others_cpu": others}
            for k, v in latency.items()]


def table(rows):
    """The rows as a markdown table."""
    lines = ["| explorer, slider | total ms median | total ms max "
             "| compute ms median | compute ms p90 | compute ms max |",
             "|---|--:|--:|--:|--:|--:|"]
    for r in rows:
        lines.append(
            f"| {r['explorer']} | {r['total_median']:.1f} "
            f"| {r['total_max']:.1f} | {r['compute_median']:.2f} "
            f"| {r['compute_p90']:.2f} | {r['compute_max']:.2f} |")
    others = rows[0]["others_cpu"] if rows else None
    lines.append("")
    lines.append(
        f"{rows[0]['changes'] if rows else 0} slider changes each; targets "
        f"{TARGETS['total']:g} ms total, {TARGETS['compute']:g} ms "
        "compute. Share of the CPU other processes used meanwhile: "
        + ("?" if others is None else f"{others:.0%}") + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    report([sys.modules[__name__]])  # this section alone, as run.py does
