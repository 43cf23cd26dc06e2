"""Input checks shared by every public function.

Each check raises a ``TypeError`` or ``ValueError`` whose message starts
with the argument's name, then says what was expected and what was given,
so a wrong call fails at once and says why, rather than deep inside NumPy.
"""

import numpy as np


def to_numpy(value):
    """A TensorFlow or PyTorch tensor's values as NumPy; else ``value``."""
    if isinstance(value, np.ndarray) or not hasattr(value, "numpy"):
        return value
    if hasattr(value, "detach"):  # PyTorch: leave the autograd graph
        value = value.detach().cpu()
    return value.numpy()


def as_float_array(value, argument, *, dtype=None):
    """Return ``value`` as a floating NumPy array, or raise a clear error.

    Integers and booleans become float64; float16 becomes float32; float32
    and float64 keep their type unless ``dtype`` is given. Strings, objects
    and complex numbers are refused.
    """
    value = to_numpy(value)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{argument}: expected an array of numbers, got "
            f"{type(value).__name__} ({error})"
        ) from None
    kind = array.dtype.kind
    if kind not in "biuf":
        raise TypeError(
            f"{argument}: expected an array of real numbers, got dtype "
            f"{array.dtype} (from {type(value).__name__})"
        )
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if kind != "f":
        return array.astype(np.float64)
    if array.dtype == np.float16:
        return array.astype(np.float32)
    return array


def check_rank(array, rank, argument, meaning):
    """Raise unless ``array.ndim == rank``; ``meaning`` names the axes."""
    if array.ndim != rank:
        raise ValueError(
            f"{argument}: expected a {rank}-D array {meaning}, got shape "
            f"{array.shape} ({array.ndim}-D)"
        )


def check_shape(array, shape, argument, meaning=""):
    """Raise unless ``array.shape == shape``."""
    if array.shape != tuple(shape):
        extra = f" {meaning}" if meaning else ""
        raise ValueError(
            f"{argument}: expected shape {tuple(shape)}{extra}, got "
            f"{array.shape}"
        )


def first_index(bad):
    """The index of the first True of a bool array, as a tuple of ints.

    The place an error message names: ``bad`` (any shape) -> ``(k0, k1,
    ...)`` in C order, or None when nothing is True.
    """
    found = np.argwhere(bad)
    return tuple(int(k) for k in found[0]) if found.size else None


def check_finite(array, argument):
    """Raise if ``array`` holds NaN or infinity, naming the first place."""
    bad = ~np.isfinite(array)
    if bad.any():
        where = first_index(bad)
        raise ValueError(
            f"{argument}: expected finite numbers, got {array[where]} at "
            f"index {where} ({int(bad.sum())} non-finite value(s) in all)"
        )


def check_flag(value, argument):
    """Raise unless ``value`` is a plain bool (not 0/1 or a string)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{argument}: expected True or False, got "
            f"{type(value).__name__} {value!r}"
        )


def check_real(value, argument):
    """Return the real number ``value`` as a float; raise unless finite."""
    array = np.asarray(to_numpy(value))
    if array.ndim != 0 or array.dtype.kind not in "iuf":
        raise TypeError(
            f"{argument}: expected a real number, got "
            f"{type(value).__name__} {value!r}"
        )
    if not np.isfinite(array):
        raise ValueError(
            f"{argument}: expected a finite number, got {value!r}"
        )
    return float(array)
