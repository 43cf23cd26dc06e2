"""What the attribution methods cost, on a model of the book's shape.

The model is the book's forecaster, LSTM(8) over 4 features -> Dense(4),
in float64, with seeded random weights of a trained model's size. Timed:

- exact Shapley values over the 12 steps of one window (2^12 passes);
- integrated gradients, n = 32 Gauss-Legendre nodes, on 256 windows of
  30 steps (8192 forward and backward passes).

Goals (issue: time-step attribution): at most 1 s and at most 2 s. Each
is the median of a few runs; before timing, each method's guarantee is
asserted, so a wrong answer is never timed.
"""

import sys
import time

import numpy as np

from common import random_network, report
from lstmref import attribution

TITLE = "Attribution costs, float64, the book's model shape"
SEED = 11


def median_s(call, repeats):
    """Median wall time of ``call()`` in seconds, after one warm-up."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def run(repeats=5):
    """Time both methods; return one row each."""
    rng = np.random.default_rng(SEED)
    net = random_network(rng)  # the book's shape, LSTM(8) -> Dense(4)
    one = rng.normal(size=(1, 12, 4))
    many = rng.normal(size=(256, 30, 4))
    gain = net.predict(one)[:, 0] - net.predict(np.zeros_like(one))[:, 0]
    phi = attribution.shapley_steps(net, one)
    assert abs(phi.sum() - gain.sum()) < 1e-10
    ig = attribution.integrated_gradients(net, many[:8], n_steps=32)
    gain = net.predict(many[:8])[:, 0] - net.predict(0 * many[:8])[:, 0]
    assert np.abs(ig.sum(axis=(1, 2)) - gain).max() < 1e-8
    rows = [
        {"what": "exact Shapley, 12 steps, 1 window", "goal_s": 1.0,
         "seconds": median_s(lambda: attribution.shapley_steps(net, one),
                             repeats)},
        {"what": "integrated gradients n=32, 256 windows x 30 steps",
         "goal_s": 2.0,
         "seconds": median_s(lambda: attribution.integrated_gradients(
             net, many, n_steps=32), repeats)},
    ]
    return rows


def table(rows):
    """The rows as a markdown table."""
    lines = ["| method | seconds | goal |", "|---|--:|--:|"]
    for r in rows:
        lines.append(f"| {r['what']} | {r['seconds']:.3f} | "
                     f"<= {r['goal_s']:g} s |")
    return "\n".join(lines)


if __name__ == "__main__":
    report([sys.modules[__name__]])  # this section alone, as run.py does
