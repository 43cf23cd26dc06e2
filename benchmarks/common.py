"""What every benchmark section shares: TensorFlow's settings, random
weights and the report.

- ``ENVIRONMENT`` is set (where not set already) when this module is
  imported, which every section does before anything imports Keras:
  TensorFlow reads these once, at its own import. No C++ log lines, Keras
  on TensorFlow, the CPU only (a GPU's TF32 products would miss the
  sections' tolerances).
- ``random_params`` is the tests' recipe, read from ``tests/helpers.py``
  so that there is one recipe for random non-zero weights (biases
  included); ``random_network`` puts a Dense head on it.
- ``report(sections)`` describes the machine, then runs and prints each
  section: a module with ``TITLE``, ``run()`` and ``table(rows)``.
"""

import importlib.util
import os
from pathlib import Path

import lstmref
from machine import cpu_snapshot, describe, others_share

__all__ = ["ENVIRONMENT", "random_network", "random_params", "report"]

ROOT = Path(__file__).resolve().parents[1]

ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow",
               "CUDA_VISIBLE_DEVICES": "-1"}
for _name, _value in ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)


def _test_helpers():
    """tests/helpers.py as a module, loaded by its path (not by putting
    tests/, with its conftest.py and test files, on ``sys.path``)."""
    path = ROOT / "tests" / "helpers.py"
    spec = importlib.util.spec_from_file_location("tests_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: random_params(rng, units, input_dim, *, use_bias, dtype, activation,
#: recurrent_activation, scale): the tests' seeded random LSTMParams.
random_params = _test_helpers().random_params


def random_network(rng, units=8, features=4, n_out=4, *,
                   dense_bias_scale=0.5):
    """A Network with random non-zero weights, by default of the book's
    forecaster's shape: LSTM(8) over 4 features -> Dense(4).

    LSTM weights from ``random_params`` (float64, sized like a trained
    model's); Dense kernel D ~ N(0, 0.5^2), bias d ~ N(0,
    dense_bias_scale^2).
    """
    params = random_params(rng, units, features)
    return lstmref.Network(params, rng.normal(0, 0.5, (units, n_out)),
                           rng.normal(0, dense_bias_scale, n_out))


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
