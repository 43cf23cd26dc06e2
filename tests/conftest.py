"""Quiet TensorFlow before any test imports it, and make helpers importable."""

import os
import sys

from hypothesis import settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
sys.path.insert(0, os.path.dirname(__file__))

# CI runs each example set the same way every time (derandomize), so that a
# submission's result does not depend on which examples were drawn.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
