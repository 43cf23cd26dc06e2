"""PyTorch ``nn.LSTM`` / ``nn.LSTMCell``: transposed weights, two biases.

``weight_ih (4u, F)``, ``weight_hh (4u, u)``, ``bias_ih`` and ``bias_hh``
(4u,), gate blocks along the first axis in the order i, f, g, o (g is the
candidate): Keras's order under another letter. So kernel = weight_ih^T,
recurrent_kernel = weight_hh^T, bias = bias_ih + bias_hh. An ``nn.LSTM``
names them with the suffix ``_l0`` (layer 0), an ``LSTMCell`` without.
"""

from collections.abc import Mapping

import numpy as np

from .._checks import (as_float_array, check_finite, check_flag,
                       check_rank, check_shape)
from ..params import GATES, LSTMParams, check_params
from ._gates import reorder

__all__ = ["TORCH_ORDER", "from_torch", "to_torch"]

#: PyTorch's gate blocks along the first axis of its weights and biases.
TORCH_ORDER = ("i", "f", "g", "o")

KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def from_torch(obj, *, activation="tanh"):
    """Read a ``torch.nn.LSTM`` (or ``LSTMCell``) or its ``state_dict()``.

    kernel = weight_ih^T, recurrent_kernel = weight_hh^T, bias = bias_ih +
    bias_hh, each reordered from i, f, g, o (the same order). One layer,
    one direction and no ``proj_size`` only: Keras has nothing that
    matches the rest.

    ``nn.LSTM`` always computes tanh with sigmoid gates. ``activation``
    only states which activation the weights were trained with, for the
    ``LSTMParams`` returned: leave it at tanh for a PyTorch module; name
    another for weights kept in PyTorch's layout by a hand-written cell
    that computed something else. The gates stay sigmoid.
    """
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        obj = _module_state(obj)
    if not isinstance(obj, Mapping):
        raise TypeError(
            "obj: expected a torch.nn.LSTM or its state_dict(), got "
            f"{type(obj).__name__}")
    names = _key_names(obj)
    w_ih, w_hh = _weights(obj, names)
    bias = _bias(obj, names, w_hh.shape[1])
    return LSTMParams(
        reorder(w_ih, TORCH_ORDER, GATES, axis=0).T,
        reorder(w_hh, TORCH_ORDER, GATES, axis=0).T,
        None if bias is None else reorder(bias, TORCH_ORDER, GATES),
        activation=activation, recurrent_activation="sigmoid")


def _module_state(module):
    """The state dict of a one-layer, one-direction LSTM module."""
    name = type(module).__name__
    if not {c.__name__ for c in type(module).__mro__} & {"LSTM",
                                                         "LSTMCell"}:
        raise TypeError(
            "obj: expected a torch.nn.LSTM or LSTMCell or its "
            f"state_dict(), got the module {name}")
    extras = [f"{attribute}={getattr(module, attribute, normal)!r}"
              for attribute, normal in (("num_layers", 1),
                                        ("bidirectional", False),
                                        ("proj_size", 0))
              if getattr(module, attribute, normal) != normal]
    if extras:
        raise ValueError(
            "obj: expected a one-layer, one-direction LSTM without "
            f"proj_size, got {name}({', '.join(extras)}); Keras has no "
            "equivalent (convert one layer and direction at a time)")
    return module.state_dict()


def _key_names(state):
    """{"weight_ih": "weight_ih_l0", ...}: the keys ``state`` uses.

    Raise for keys of a projection, a second layer or direction, or
    another module, and for a missing weight or one missing bias.
    """
    keys = set(state)
    suffix = "_l0" if any(k.endswith("_l0") for k in keys) else ""
    names = {k: k + suffix for k in KEYS}
    if f"weight_hr{suffix}" in keys:
        raise ValueError(
            "obj: expected the state dict of an LSTM without proj_size, got "
            f"one with weight_hr{suffix}; a projected LSTM has no Keras "
            "equivalent")
    unexpected = sorted(keys - set(names.values()))
    if unexpected:
        raise ValueError(
            f"obj: expected only the keys {sorted(names.values())}, got also "
            f"{unexpected} (more layers, a reverse direction or another "
            "module's weights)")
    required = [names["weight_ih"], names["weight_hh"]]
    if names["bias_ih"] in keys or names["bias_hh"] in keys:
        required += [names["bias_ih"], names["bias_hh"]]
    missing = [k for k in required if k not in keys]
    if missing:
        raise ValueError(
            f"obj: expected the keys {required}, got {sorted(keys)}, "
            f"missing {missing}")
    return names


def _weights(state, names):
    """``weight_ih (4u, F)`` and ``weight_hh (4u, u)``, checked."""
    w_ih, w_hh = (as_float_array(state[names[k]], names[k])
                  for k in ("weight_ih", "weight_hh"))
    check_rank(w_ih, 2, names["weight_ih"], "(4 * units, input_dim)")
    check_rank(w_hh, 2, names["weight_hh"], "(4 * units, units)")
    units = w_hh.shape[1]
    check_shape(w_hh, (4 * units, units), names["weight_hh"],
                f"(4 * units, units) for units={units}")
    check_shape(w_ih, (4 * units, w_ih.shape[1]), names["weight_ih"],
                f"(4 * units, input_dim) for units={units}")
    check_finite(w_ih, names["weight_ih"])
    check_finite(w_hh, names["weight_hh"])
    return w_ih, w_hh


def _bias(state, names, units):
    """``bias_ih + bias_hh`` (4u,), checked; None without biases."""
    if names["bias_ih"] not in state:
        return None
    b_ih, b_hh = (as_float_array(state[names[k]], names[k])
                  for k in ("bias_ih", "bias_hh"))
    for key, b in (("bias_ih", b_ih), ("bias_hh", b_hh)):
        check_shape(b, (4 * units,), names[key],
                    f"(4 * units,) for units={units}")
        check_finite(b, names[key])
    return b_ih + b_hh


def to_torch(params, *, cell=False):
    """The ``state_dict`` of a ``torch.nn.LSTM`` (``LSTMCell`` if ``cell``).

    Returns NumPy arrays keyed by PyTorch's names: weight_ih = kernel^T,
    weight_hh = recurrent_kernel^T, bias_ih = bias, bias_hh = 0 (PyTorch
    adds the two). Load with ``module.load_state_dict({k:
    torch.from_numpy(v) for k, v in d.items()})``. A layer without bias
    gives no bias keys, for ``nn.LSTM(..., bias=False)``.
    """
    check_params(params)
    check_flag(cell, "cell")
    if (params.activation, params.recurrent_activation) != ("tanh",
                                                            "sigmoid"):
        raise ValueError(
            "params: expected activation='tanh' and recurrent_activation="
            "'sigmoid' (all PyTorch's LSTM computes), got activation="
            f"{params.activation!r}, recurrent_activation="
            f"{params.recurrent_activation!r}")
    suffix = "" if cell else "_l0"
    state = {}
    for key, packed in (("weight_ih", params.kernel.T),
                        ("weight_hh", params.recurrent_kernel.T),
                        ("bias_ih", params.bias)):
        if packed is not None:
            state[key + suffix] = np.ascontiguousarray(
                reorder(packed, GATES, TORCH_ORDER, axis=0))
    if params.bias is not None:
        state[f"bias_hh{suffix}"] = np.zeros_like(params.bias)
    return state
