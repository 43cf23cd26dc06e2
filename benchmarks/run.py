"""Every benchmark, one after another: ``python benchmarks/run.py``.

``python benchmarks/run.py lstm_speed widget_latency`` runs only those.

A section is a module here with ``TITLE``, ``run()`` returning its
results and ``table(results)`` returning markdown; add one to
``SECTIONS``. In order: lstmref vs Keras forward times, attribution costs,
the explorers' latency in the kernel and in Chromium, and the clean and
no-change build times with each chapter's execution time.
"""

import os
import sys

import attribution_cost
import browser_latency
import build_times
import lstm_speed
import widget_latency
from machine import cpu_snapshot, describe, others_share

# The sections import Keras inside their functions; before that: no
# TensorFlow C++ log lines, the CPU only.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

SECTIONS = [lstm_speed, attribution_cost, widget_latency, browser_latency,
            build_times]


def report(sections):
    """Describe the machine, then run and print each section in turn."""
    print(describe())
    for section in sections:
        start = cpu_snapshot()
        rows = section.run()
        others = others_share(start)
        print()
        print(f"## {section.TITLE}")
        print()
        print(section.table(rows))
        print(f"\n{cpu_snapshot()[0] - start[0]:.0f} s; other processes "
              "used " + ("?" if others is None else f"{others:.0%}")
              + " of the CPU meanwhile (above a few % the times are "
              "suspect).")


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
