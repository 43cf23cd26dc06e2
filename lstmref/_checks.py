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


def check_windows(x, params, argument="x"):
    """Return x as a float array (batch, T, input_dim), or raise."""
    x = as_float_array(x, argument)
    check_rank(x, 3, argument, "(batch, T, input_dim)")
    batch, T, features = x.shape
    if batch == 0 or T == 0:
        raise ValueError(
            f"{argument}: expected at least one sequence of at least one "
            f"step, got shape {x.shape} (batch={batch}, T={T})")
    if features != params.input_dim:
        raise ValueError(
            f"{argument}: expected {params.input_dim} features on the last "
            f"axis (the kernel has {params.input_dim} rows), got shape "
            f"{x.shape}")
    check_finite(x, argument)
    return x


def check_initial_state(initial_state, batch, units):
    """Return ``[h0, c0]`` as float arrays (or [] for None), checked."""
    if initial_state is None:
        return []
    if isinstance(initial_state, np.ndarray) or not isinstance(
            initial_state, (list, tuple)):
        raise TypeError(
            "initial_state: expected a list [h_0, c_0] of two arrays of "
            f"shape ({batch}, {units}), got {type(initial_state).__name__}")
    if len(initial_state) != 2:
        raise ValueError(
            "initial_state: expected two arrays [h_0, c_0], got a "
            f"{type(initial_state).__name__} of {len(initial_state)}")
    states = []
    for name, s in zip(("initial_state[0] (h_0)", "initial_state[1] (c_0)"),
                       initial_state):
        s = as_float_array(s, name)
        check_shape(s, (batch, units), name, "(batch, units)")
        check_finite(s, name)
        states.append(s)
    return states


def check_mask(mask, batch, T):
    """Return ``mask`` as a bool array (batch, T), or None."""
    if mask is None:
        return None
    expected = f"a bool array (or integers 0 and 1) of shape ({batch}, {T})"
    try:
        array = np.asarray(to_numpy(mask))
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"mask: expected {expected}, got {type(mask).__name__} "
            f"({error})") from None
    if array.dtype != bool:
        if array.dtype.kind not in "iu":
            raise TypeError(
                f"mask: expected {expected}, got dtype {array.dtype}")
        where = first_index((array != 0) & (array != 1))
        if where is not None:
            raise ValueError(
                f"mask: expected only 0 and 1 (or True and False), got "
                f"{array[where]} at index {where}")
        array = array.astype(bool)
    check_shape(array, (batch, T), "mask", "(batch, T)")
    return array


def check_output_index(output, n_out):
    """Return ``output`` as an int index of a model's n_out outputs."""
    if isinstance(output, bool) or not isinstance(output, (int, np.integer)):
        raise TypeError(
            f"output: expected an integer index, got "
            f"{type(output).__name__} {output!r}")
    if not 0 <= output < n_out:
        raise ValueError(
            f"output: expected an index from 0 to {n_out - 1}, got "
            f"{output}")
    return int(output)
