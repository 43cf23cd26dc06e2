"""Reading what ``explain`` is given: the model file (the windows are
``data``'s).

Every problem the user can fix raises ``UsageError`` with one line that
names the file and says what was expected and what was found.
"""

import os
import re
from pathlib import Path


__all__ = ["UsageError", "check_file", "one_line", "read_model"]


class UsageError(Exception):
    """A problem the user can fix: one line on stderr, exit status 2."""


def one_line(text):
    """Collapse whitespace and terminal colour codes into one line."""
    return " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())


def check_file(path, what):
    """Raise a UsageError unless ``path`` is a readable file."""
    if not path.exists():
        raise UsageError(f"{path}: no such {what} file")
    if not path.is_file():
        raise UsageError(f"{path}: expected a {what} file, got a directory"
                         if path.is_dir() else
                         f"{path}: expected a {what} file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{path}: cannot read the {what} file "
                         "(permission denied)")


def read_model(path):
    """``(net, T, name)`` from a .keras or .h5 model file.

    Read as data by ``lstmref.files`` (zip, JSON and HDF5 only): no code
    in the file runs, and a Lambda or custom layer is refused before any
    weight is read. Files of Keras 3, tf.keras/tf_keras 2.x, Keras 2.0-2.4
    and Keras 1. T is the window length the model states (None if any
    length), name the first LSTM layer's.
    """
    from ..files import ModelFileError, network_from_file, read_model_file
    path = Path(path)
    check_file(path, "model")
    try:
        described = read_model_file(path)
        net = network_from_file(path)
    except ModelFileError as error:
        raise UsageError(one_line(str(error))) from None
    shape = described.input_shape
    steps = shape[1] if shape is not None and len(shape) == 3 else None
    name = next((layer.name for layer in described.layers
                 if layer.class_name == "LSTM"), "lstm")
    return net, steps, name
