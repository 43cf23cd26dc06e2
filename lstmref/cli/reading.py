"""Reading what ``explain`` is given: the model file and the windows.

Every problem the user can fix raises ``UsageError`` with one line that
names the file and says what was expected and what was found.
"""

import os
import re
from pathlib import Path

import numpy as np

from .._checks import first_index

__all__ = ["UsageError", "check_file", "load_windows", "one_line",
           "read_model"]


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
    length), name the LSTM layer's.
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
    name = next(layer.name for layer in described.layers
                if layer.class_name == "LSTM")
    return net, steps, name


def _read_npy(path):
    """A .npy array of real numbers (no pickles: they could run code)."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise UsageError(f"{path}: cannot read it as .npy: {error}") from None
    if not isinstance(array, np.ndarray):  # np.load also opens .npz
        raise UsageError(f"{path}: expected one array (.npy), got an "
                         ".npz archive of several")
    if array.dtype.kind not in "biuf":
        raise UsageError(f"{path}: expected real numbers, got dtype "
                         f"{array.dtype}")
    return array.astype(np.float64)


def _is_number(field):
    try:
        float(field)
    except ValueError:
        return False
    return True


def _read_csv(path):
    """A .csv table of numbers (rows, columns). A first line with no
    number in it is a header and skipped; a blank line between rows or an
    empty field is an error naming its line, never dropped (blank lines
    after the last row are only the file's end)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected a text .csv file, got bytes "
                         "that are not UTF-8") from None
    lines = list(enumerate(text.splitlines(), 1))
    while lines and not lines[-1][1].strip():
        lines.pop()  # the file's end
    if lines and not any(_is_number(f) for f in lines[0][1].split(",")):
        lines = lines[1:]  # the header
    rows = []
    for n, line in lines:
        if not line.strip():
            raise UsageError(f"{path}: line {n}: expected numbers "
                             "separated by commas, got a blank line")
        try:
            rows.append([float(field) for field in line.split(",")])
        except ValueError:
            raise UsageError(f"{path}: line {n}: expected numbers "
                             f"separated by commas, got {line!r}") from None
        if len(rows[-1]) != len(rows[0]):
            raise UsageError(f"{path}: line {n}: expected {len(rows[0])} "
                             f"columns like the first row, got "
                             f"{len(rows[-1])}")
    if not rows:
        raise UsageError(f"{path}: expected rows of numbers, got none")
    return np.array(rows)  # (T, F)


def load_windows(path, steps, features):
    """Windows x (batch, T, F) from a .npy or .csv, checked for the model.

    ``steps`` is the model's T (None: any), ``features`` its F.
    """
    path = Path(path)
    check_file(path, "data")
    T = "T" if steps is None else steps
    if path.suffix.lower() == ".npy":
        x = _read_npy(path)
        fits = x.ndim in (2, 3) and x.shape[-1] == features and (
            steps is None or x.shape[-2] == steps) and 0 not in x.shape
        if not fits:
            raise UsageError(
                f"{path}: expected windows of shape (batch, {T}, "
                f"{features}) or one window ({T}, {features}) for this "
                f"model, got shape {x.shape}")
        x = x if x.ndim == 3 else x[None]
    elif path.suffix.lower() == ".csv":
        x = _read_csv(path)
        if x.shape[1] != features or steps not in (None, x.shape[0]):
            raise UsageError(
                f"{path}: expected one window of {T} rows x {features} "
                f"columns for this model, got {x.shape[0]} rows x "
                f"{x.shape[1]} columns")
        x = x[None]
    else:
        raise UsageError(f"{path}: expected a .npy or .csv file, got "
                         f"{path.suffix or 'no suffix'}")
    where = first_index(~np.isfinite(x))
    if where is not None:
        raise UsageError(f"{path}: expected finite numbers, got "
                         f"{x[where]} at window, step, feature {where}")
    return x
