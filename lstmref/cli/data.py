"""The windows ``explain`` explains, read from a .npy or .csv file.

A .npy holds windows (n, T, F), one window (T, F) or, with ``--window``,
one series (rows, F). A .csv holds one window, or with ``--window`` one
series, one row per time step: a first line with no number in it is a
header naming the columns; a column whose first value is not a number (a
date) is left out and named; a blank line or an empty field is an error
naming its line, never dropped. ``--columns`` picks the features.

A large .npy is memory-mapped and read in blocks, so 200,000 windows
never sit in memory at once; only the windows explained are loaded.
"""

import csv
from dataclasses import dataclass, field

import numpy as np

from .._checks import first_index
from .reading import UsageError, check_file

__all__ = ["Windows", "check_finite", "mean_of", "pick_columns",
           "read_baseline", "read_windows"]

#: Windows per block when a whole file is read (for its mean).
BLOCK = 4096


def _read_npy(path):
    """A .npy array of real numbers, memory-mapped (no pickles: they
    could run code)."""
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise UsageError(f"{path}: cannot read it as .npy: {error}") from None
    if not isinstance(array, np.ndarray):  # np.load also opens .npz
        raise UsageError(f"{path}: expected one array (.npy), got an "
                         ".npz archive of several")
    if array.dtype.kind not in "biuf":
        raise UsageError(f"{path}: expected real numbers, got dtype "
                         f"{array.dtype}")
    return array


def _rows(array, start, stop):
    """array[start:stop] as float64, from a fresh map of just those rows
    when ``array`` is memory-mapped (the pages read are then let go)."""
    if isinstance(array, np.memmap) and array.flags.c_contiguous:
        row = array.dtype.itemsize * int(np.prod(array.shape[1:]))
        part = np.memmap(array.filename, array.dtype, "r",
                         array.offset + start * row,
                         (stop - start, *array.shape[1:]))
        block = np.array(part, np.float64)
        del part
        return block
    return np.asarray(array[start:stop], np.float64)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _label(names, k):
    return f"column {names[k]!r}" if names else f"column {k}"


def _read_csv(path):
    """``(table (rows, columns kept), names of the kept columns or None,
    lines of the rows, notes)`` from a .csv of numbers.

    A first line with no number in it is the header. A column whose first
    value is not a number (a date, a label) is left out and named in
    ``notes``. A blank line between rows or an empty field is an error
    naming its line; blank lines after the last row are the file's end.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected a text .csv file, got bytes "
                         "that are not UTF-8") from None
    lines = list(enumerate(text.splitlines(), 1))
    while lines and not lines[-1][1].strip():
        lines.pop()  # the file's end
    split = [(n, [f.strip() for f in next(csv.reader([line]))]
              if line.strip() else []) for n, line in lines]
    names = None
    if split and not any(_is_number(f) for f in split[0][1]):
        names, split = split[0][1], split[1:]  # the header
    if not split:
        raise UsageError(f"{path}: expected rows of numbers, got none")
    width = len(names) if names else len(split[0][1])
    first = split[0][1]
    text_columns = [k for k, f in enumerate(first) if f and not _is_number(f)]
    keep = [k for k in range(width) if k not in text_columns]
    notes = [f"{_label(names, k)} is not numeric (e.g. {first[k]!r}): "
             "left out" for k in text_columns]
    table = np.empty((len(split), len(keep)))
    for row, (n, fields) in enumerate(split):
        if not fields:
            raise UsageError(f"{path}: line {n}: expected numbers "
                             "separated by commas, got a blank line")
        if len(fields) != width:
            raise UsageError(f"{path}: line {n}: expected {width} columns "
                             f"like the {'header' if names else 'first row'}"
                             f", got {len(fields)}")
        for j, k in enumerate(keep):
            value = fields[k]
            if not value:
                raise UsageError(f"{path}: line {n}: {_label(names, k)}: "
                                 "expected a number, got an empty field")
            try:
                table[row, j] = float(value)
            except ValueError:
                raise UsageError(f"{path}: line {n}: {_label(names, k)}: "
                                 f"expected a number, got {value!r}") from None
            if not np.isfinite(table[row, j]):
                raise UsageError(f"{path}: line {n}: {_label(names, k)}: "
                                 f"expected a finite number, got {value!r}")
    if not keep:
        raise UsageError(f"{path}: expected a column of numbers, got none "
                         f"({'; '.join(notes)})")
    kept = [names[k] for k in keep] if names else None
    return table, kept, [n for n, _ in split], notes


def pick_columns(spec, names, count, features, path):
    """Indices of the features ``--columns`` picks among ``count`` columns
    (``names`` from the header, or None), checked against the model's
    ``features``; without ``spec``, all columns, which must be
    ``features``."""
    shown = ", ".join(names) if names else f"0 to {count - 1}"
    if spec is None:
        if count != features:
            raise UsageError(
                f"{path}: expected {features} feature columns for this "
                f"model (its input_dim), got {count} ({shown})"
                + ("; pick them with --columns" if count > features
                   else ""))
        return list(range(count))
    picked = []
    for token in (t.strip() for t in spec.split(",")):
        if names and token in names:
            picked.append(names.index(token))
        elif token.isdigit() and int(token) < count:
            picked.append(int(token))
        else:
            raise UsageError(
                f"--columns {spec}: expected names or 0-based indices of "
                f"the columns of {path} ({shown}), got {token!r}")
    if len(picked) != features:
        raise UsageError(
            f"--columns {spec}: expected {features} columns (the model's "
            f"input_dim), got {len(picked)}")
    if len(set(picked)) != len(picked):
        raise UsageError(f"--columns {spec}: expected each column once")
    return picked


@dataclass
class Windows:
    """The windows of a file, read on demand.

    ``source`` is (n, T, F) windows, or with ``window`` = T a series
    (rows, F) whose windows are rows k ... k+T-1, k = 0 ... rows - T.
    ``columns`` are the features picked from F, ``names`` their names.
    """

    path: object
    source: np.ndarray
    columns: list
    names: list
    window: int | None = None
    notes: list = field(default_factory=list)

    def __len__(self):
        if self.window is None:
            return self.source.shape[0]
        return self.source.shape[0] - self.window + 1

    @property
    def steps(self):
        return self.window or self.source.shape[1]

    def block(self, start, stop):
        """Windows start ... stop-1 as float64, (stop - start, T, F)."""
        if self.window is None:
            x = _rows(self.source, start, stop)
        else:
            rows = _rows(self.source, start, stop + self.window - 1)
            x = np.lib.stride_tricks.sliding_window_view(
                rows, self.window, axis=0).transpose(0, 2, 1)
        return np.ascontiguousarray(x[..., self.columns])

    def take(self, index):
        """The windows at sorted indices ``index`` (None: all), float64."""
        if index is None:
            return self.block(0, len(self))
        if self.window is None:
            x = self.source[index]  # reads only those windows' pages
        else:
            x = self.source[index[:, None] + np.arange(self.window)]
        return np.ascontiguousarray(np.asarray(x, np.float64)[
            ..., self.columns])  # (k, T, F)

    def blocks(self):
        """Every window, block by block: (first index, windows)."""
        for start in range(0, len(self), BLOCK):
            yield start, self.block(start, min(len(self), start + BLOCK))


def check_finite(x, path, index=None):
    """Raise a UsageError naming the first non-finite number of windows
    x, by the file's window number (``index[k]`` for row k, if given)."""
    where = first_index(~np.isfinite(x))
    if where is not None:
        window = where[0] if index is None else int(index[where[0]])
        raise UsageError(f"{path}: expected finite numbers, got "
                         f"{x[where]} at window, step, feature "
                         f"{(window, *where[1:])}")


def read_windows(path, steps, features, columns=None, window=None):
    """The ``Windows`` of a .npy or .csv, checked for a model of window
    length ``steps`` (None: any) and ``features`` inputs."""
    check_file(path, "data")
    T = "T" if steps is None else steps
    if window is not None and steps not in (None, window):
        raise UsageError(f"--window {window}: expected the model's window "
                         f"length {steps} (its input shape fixes it)")
    if window is not None and window < 1:
        raise UsageError(f"--window {window}: expected a length >= 1")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        x, names, notes = _read_npy(path), None, []
        shape, fits_f = x.shape, columns is not None or (
            x.ndim > 0 and x.shape[-1] == features)
        if window is None:
            x = x[None] if x.ndim == 2 else x
            if not (x.ndim == 3 and 0 not in x.shape and fits_f
                    and steps in (None, x.shape[1])):
                raise UsageError(
                    f"{path}: expected windows of shape (batch, {T}, "
                    f"{features}) or one window ({T}, {features}) for "
                    f"this model, got shape {shape}")
        elif not (x.ndim == 2 and 0 not in x.shape and fits_f):
            raise UsageError(f"{path}: expected one series (rows, "
                             f"{features}) to cut with --window, got shape "
                             f"{shape}")
        count = x.shape[-1]
    elif suffix == ".csv":
        x, names, _, notes = _read_csv(path)
        count = x.shape[1]
        if window is None:
            if steps not in (None, x.shape[0]):
                raise UsageError(
                    f"{path}: expected one window of {T} rows x {features} "
                    f"columns for this model, got {x.shape[0]} rows x "
                    f"{count} columns" + (
                        f" (a long series? cut it with --window {T})"
                        if x.shape[0] > steps else ""))
            x = x[None]
    else:
        raise UsageError(f"{path}: expected a .npy or .csv file, got "
                         f"{path.suffix or 'no suffix'}")
    if window is not None and x.shape[0] < window:
        raise UsageError(f"--window {window}: expected at least {window} "
                         f"rows in {path}, got {x.shape[0]}")
    picked = pick_columns(columns, names, count, features, path)
    shown = [names[k] if names else f"column {k}" for k in picked]
    return Windows(path, x, picked, shown, window, notes)


def read_baseline(path, windows, features, columns=None):
    """A baseline file: one window (T, F) or one day (F,), .npy or .csv,
    read and checked like the windows; returned as (T, F) or (F,), in
    float64 whatever the file holds."""
    T = windows.steps
    if path.suffix.lower() not in (".npy", ".csv"):
        raise UsageError(f"--baseline {path}: expected mean, zeros or a "
                         ".npy or .csv file")
    check_file(path, "baseline")
    if path.suffix.lower() == ".npy":
        b = np.asarray(_read_npy(path), np.float64)
        names, count = None, b.shape[-1] if b.ndim else 0
    elif path.suffix.lower() == ".csv":
        b, names, _, _ = _read_csv(path)
        count = b.shape[1]
        b = b[0] if b.shape[0] == 1 else b
    if b.ndim not in (1, 2) or (b.ndim == 2 and b.shape[0] != T):
        raise UsageError(f"{path}: expected a baseline of one window ({T}, "
                         f"{features}) or one day ({features},), got shape "
                         f"{b.shape}")
    if columns is None or count == features:  # already the model's
        columns = None
    b = b[..., pick_columns(columns, names, count, features, path)]
    where = first_index(~np.isfinite(b))
    if where is not None:
        raise UsageError(f"{path}: expected finite numbers, got "
                         f"{b[where]} at {where}")
    return b


def mean_of(windows):
    """Each feature's mean over every step of every window, (F,); checks
    every window is finite on the way."""
    total, count = 0.0, 0
    for start, x in windows.blocks():
        check_finite(x, windows.path, range(start, start + len(x)))
        total = total + x.sum(axis=(0, 1))
        count += x.shape[0] * x.shape[1]
    return total / count
