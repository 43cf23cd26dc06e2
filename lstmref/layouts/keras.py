"""Keras 2/3 and ``tf_keras``: the packed layout lstmref keeps.

``get_weights()`` is ``[kernel (F, 4u), recurrent_kernel (u, 4u), bias
(4u,)]`` with gate blocks i, f, c, o: lstmref's own order ``GATES``, so
the arrays pass through without ``reorder``. What needs reading here is
the layer's activations.
"""

import sys

import numpy as np

from ..activations import ACTIVATIONS
from ..params import LSTMParams, check_params

__all__ = ["from_keras", "identify_activation", "to_keras"]


def from_keras(obj, *, activation=None, recurrent_activation=None):
    """Read a Keras LSTM layer, or its ``get_weights()`` list.

    ``obj`` is a built Keras 3 or ``tf_keras`` LSTM layer (its activations
    are read from the layer itself, so a ``tf_keras`` ``hard_sigmoid``
    becomes ``"hard_sigmoid_keras2"``), or the list ``[kernel,
    recurrent_kernel, bias]`` (``[kernel, recurrent_kernel]`` for
    ``use_bias=False``), with activations given by name or left at tanh and
    sigmoid.
    """
    if isinstance(obj, (list, tuple)):
        return _from_keras_list(
            obj, "tanh" if activation is None else activation,
            "sigmoid" if recurrent_activation is None
            else recurrent_activation)
    cell = _lstm_cell(obj)
    weights = obj.get_weights()
    if not weights:
        raise ValueError(
            f"obj: expected a built LSTM layer, got the layer {obj.name!r} "
            "with no weights yet; build it first (call it once on data, "
            "or build the model)")
    keras2 = _keras_major(obj) < 3
    found = {}
    for argument, given, fn in (
            ("activation", activation, cell.activation),
            ("recurrent_activation", recurrent_activation,
             cell.recurrent_activation)):
        found[argument] = (identify_activation(fn, argument, keras2)
                           if given is None else given)
    return _from_keras_list(weights, **found)


def _lstm_cell(obj):
    """The LSTM cell of the Keras layer ``obj``; raise for anything else."""
    if not (hasattr(obj, "get_weights") and hasattr(obj, "get_config")):
        raise TypeError(
            "obj: expected a Keras LSTM layer or its get_weights() list "
            f"[kernel, recurrent_kernel, bias], got {type(obj).__name__}")
    cell = getattr(obj, "cell", obj)
    classes = {c.__name__ for c in type(cell).__mro__}
    if not hasattr(cell, "recurrent_activation") or not classes & {
            "LSTMCell", "LSTM"}:
        raise TypeError(
            "obj: expected a Keras LSTM layer, got the layer "
            f"{getattr(obj, 'name', '?')!r} of type {type(obj).__name__}")
    return cell


def _from_keras_list(weights, activation, recurrent_activation):
    """Build ``LSTMParams`` from ``[kernel, recurrent_kernel(, bias)]``."""
    if len(weights) not in (2, 3):
        hint = (" (twelve arrays look like Keras 1: use from_keras1)"
                if len(weights) == 12 else "")
        raise ValueError(
            "obj: expected [kernel, recurrent_kernel, bias] or [kernel, "
            f"recurrent_kernel], got a list of {len(weights)} arrays{hint}")
    return LSTMParams(*weights, activation=activation,
                      recurrent_activation=recurrent_activation)


def identify_activation(fn, argument="activation", keras2=False,
                        remedy=None):
    """The name in ``ACTIVATIONS`` of a Keras layer's activation ``fn``.

    ``remedy`` ends the error message; by default it tells the caller of
    ``from_keras`` to pass ``argument`` by name.

    The name is the function's own; ``hard_sigmoid`` means Keras 3's
    (slope 1/6) unless ``keras2``, when it means Keras 1-2's (slope 0.2).
    Where the function accepts a NumPy array, its values on a few points
    are checked against that name too; a custom function is refused.
    """
    name = getattr(fn, "__name__", repr(fn))
    if keras2 and name == "hard_sigmoid":
        name = "hard_sigmoid_keras2"
    if remedy is None:
        remedy = f"pass {argument}=... by name if it computes one of them"
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{argument}: expected one of {sorted(ACTIVATIONS)}, got the "
            f"layer's function {name!r}; {remedy}")
    points = np.array([-4.0, -2.1, -0.7, 0.0, 0.3, 1.9, 4.0], np.float32)
    try:
        values = np.asarray(fn(points), dtype=np.float64)
    except Exception:  # some backends accept only their own tensors
        return name
    if not np.allclose(values, ACTIVATIONS[name](points), atol=1e-5):
        raise ValueError(
            f"{argument}: expected a function that computes lstmref's "
            f"{name!r}, got the layer's function called {name!r} whose "
            f"values differ; "
            f"{remedy.removesuffix(' if it computes one of them')}")
    return name


def _keras_major(layer):
    """Major version of the Keras package that defined ``layer``'s class."""
    root = type(layer).__module__.split(".")[0]
    version = getattr(sys.modules.get(root), "__version__", "3")
    return int(version.split(".")[0]) if root != "tf_keras" else 2


def to_keras(params):
    """The list for a Keras LSTM's ``set_weights``: ``[kernel,
    recurrent_kernel, bias]``, or two arrays for ``use_bias=False``."""
    check_params(params)
    arrays = [params.kernel, params.recurrent_kernel]
    if params.bias is not None:
        arrays.append(params.bias)
    return [a.copy() for a in arrays]
