"""Every benchmark, one after another: ``python benchmarks/run.py``.

``python benchmarks/run.py lstm_speed widget_latency`` runs only those.

A section is a module here with ``TITLE``, ``run()`` returning its
results and ``table(results)`` returning markdown; add one to
``SECTIONS``. In order: lstmref vs Keras forward times, attribution
costs, the explorers' latency in the kernel and in Chromium, and the
clean and no-change build times with each chapter's execution time.

This file imports the sections; they import ``common`` (the report,
TensorFlow's settings, the random weights), never this file, so each
also runs alone: ``python benchmarks/lstm_speed.py``.
"""

import sys

import attribution_cost
import browser_latency
import build_times
import lstm_speed
import widget_latency
from common import report

SECTIONS = [lstm_speed, attribution_cost, widget_latency, browser_latency,
            build_times]


def main():
    """Every section, or those named on the command line."""
    names = sys.argv[1:]
    unknown = sorted(set(names) - {s.__name__ for s in SECTIONS})
    if unknown:
        raise SystemExit(f"unknown sections {unknown}; expected names "
                         f"from {[s.__name__ for s in SECTIONS]}")
    report([s for s in SECTIONS if not names or s.__name__ in names])


if __name__ == "__main__":
    main()
