"""Conversions between Keras's packed layout and every other layout.

=========  ==========================================  ===============
source     arrays                                      gate order
=========  ==========================================  ===============
Keras 2/3  kernel (F, 4u), recurrent_kernel (u, 4u),   i, f, c, o
           bias (4u,)
Keras 1    twelve arrays W_* (F, u), U_* (u, u),       i, c, f, o in
           b_* (u,)                                    get_weights()
PyTorch    weight_ih (4u, F), weight_hh (4u, u),       i, f, g, o
           bias_ih and bias_hh (4u,)
TF1        kernel (F + u, 4u) over [x, h], bias (4u,)  i, j, f, o
=========  ==========================================  ===============

Nothing here imports a framework: layers and modules are read through
their own methods, tensors through ``.numpy()`` or ``np.asarray``.
"""

from collections.abc import Mapping

import numpy as np

from ._checks import (as_float_array, check_finite, check_flag, check_rank,
                      check_real, check_shape)
from .activations import ACTIVATIONS
from .params import LSTMParams

__all__ = ["from_keras", "to_keras", "from_keras1", "to_keras1",
           "from_torch", "to_torch", "from_tf1", "to_tf1"]

#: Keras 1's ``get_weights()`` order: gate blocks i, c, f, o, each as W, U, b.
KERAS1_ORDER = ("i", "c", "f", "o")


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


def identify_activation(fn, argument="activation", keras2=False):
    """The name in ``ACTIVATIONS`` of a Keras layer's activation ``fn``.

    The name is the function's own; ``hard_sigmoid`` means Keras 3's
    (slope 1/6) unless ``keras2``, when it means Keras 1-2's (slope 0.2).
    Where the function accepts a NumPy array, its values on a few points
    are checked against that name too; a custom function is refused.
    """
    name = getattr(fn, "__name__", repr(fn))
    if keras2 and name == "hard_sigmoid":
        name = "hard_sigmoid_keras2"
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{argument}: expected one of {sorted(ACTIVATIONS)}, got the "
            f"layer's function {name!r}; pass {argument}=... by name if it "
            "computes one of them")
    points = np.array([-4.0, -2.1, -0.7, 0.0, 0.3, 1.9, 4.0], np.float32)
    try:
        values = np.asarray(fn(points), dtype=np.float64)
    except Exception:  # some backends accept only their own tensors
        return name
    if not np.allclose(values, ACTIVATIONS[name](points), atol=1e-5):
        raise ValueError(
            f"{argument}: expected a function that computes lstmref's "
            f"{name!r}, got the layer's function called {name!r} whose "
            f"values differ; pass {argument}=... by name")
    return name


def _check_params(params):
    """Raise unless ``params`` is an ``LSTMParams``."""
    if not isinstance(params, LSTMParams):
        raise TypeError(
            "params: expected an LSTMParams (from LSTMParams(...) or a "
            f"from_* function), got {type(params).__name__}")


def _keras_major(layer):
    """Major version of the Keras package that defined ``layer``'s class."""
    import sys
    root = type(layer).__module__.split(".")[0]
    version = getattr(sys.modules.get(root), "__version__", "3")
    return int(version.split(".")[0]) if root != "tf_keras" else 2


def to_keras(params):
    """The list for a Keras LSTM's ``set_weights``: ``[kernel,
    recurrent_kernel, bias]``, or two arrays for ``use_bias=False``."""
    _check_params(params)
    arrays = [params.kernel, params.recurrent_kernel]
    if params.bias is not None:
        arrays.append(params.bias)
    return [a.copy() for a in arrays]


def from_keras1(arrays, *, activation="tanh",
                recurrent_activation="hard_sigmoid_keras2"):
    """Read the twelve arrays of a Keras 1 LSTM's ``get_weights()``.

    Their order is W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
    b_o (gates i, c, f, o), with W (input_dim, units), U (units, units),
    b (units,). Keras 1 called the gates' function ``inner_activation`` and
    defaulted it to its hard sigmoid, clip(0.2 x + 1/2, 0, 1).
    """
    expected = ("the twelve arrays of a Keras 1 LSTM (W, U, b for the "
                "gates i, c, f, o)")
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(
            f"arrays: expected a list of {expected}, got "
            f"{type(arrays).__name__}")
    if len(arrays) != 12:
        raise ValueError(
            f"arrays: expected {expected}, got {len(arrays)} arrays")
    blocks = {}
    units = input_dim = None
    for k, gate in enumerate(KERAS1_ORDER):
        names = [f"arrays[{3 * k + j}] ({n}_{gate})"
                 for j, n in enumerate("WUb")]
        W, U, b = (as_float_array(a, n)
                   for a, n in zip(arrays[3 * k:3 * k + 3], names))
        if units is None:
            check_rank(W, 2, names[0], "(input_dim, units)")
            input_dim, units = W.shape
        sizes = f"input_dim={input_dim}, units={units} taken from arrays[0]"
        check_shape(W, (input_dim, units), names[0],
                    f"(input_dim, units) for {sizes}")
        check_shape(U, (units, units), names[1],
                    f"(units, units) for {sizes}")
        check_shape(b, (units,), names[2], f"(units,) for {sizes}")
        for name, array in zip(names, (W, U, b)):
            check_finite(array, name)
        blocks[gate] = (W, U, b)
    order = ("i", "f", "c", "o")
    return LSTMParams(
        np.concatenate([blocks[g][0] for g in order], axis=1),
        np.concatenate([blocks[g][1] for g in order], axis=1),
        np.concatenate([blocks[g][2] for g in order]),
        activation=activation, recurrent_activation=recurrent_activation)


def to_keras1(params):
    """The twelve arrays of a Keras 1 LSTM, in its order i, c, f, o.

    A layer without bias gives zero biases (Keras 1 always had them).
    """
    _check_params(params)
    arrays = []
    for gate in KERAS1_ORDER:
        W, U, b = params.gate(gate)
        arrays += [W.copy(), U.copy(), b.copy()]
    return arrays


def from_torch(obj):
    """Read a ``torch.nn.LSTM`` (or ``LSTMCell``) or its ``state_dict()``.

    PyTorch stores ``weight_ih (4u, F)``, ``weight_hh (4u, u)`` and two
    biases ``bias_ih``, ``bias_hh`` (4u,), gate order i, f, g, o (g is the
    candidate). Then kernel = weight_ih^T, recurrent_kernel = weight_hh^T,
    bias = bias_ih + bias_hh. One layer, one direction and no ``proj_size``
    only: Keras has nothing that matches the rest.
    """
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        name = type(obj).__name__
        if not {c.__name__ for c in type(obj).__mro__} & {"LSTM",
                                                          "LSTMCell"}:
            raise TypeError(
                "obj: expected a torch.nn.LSTM or LSTMCell or its "
                f"state_dict(), got the module {name}")
        extras = [f"{attribute}={getattr(obj, attribute, normal)!r}"
                  for attribute, normal in (("num_layers", 1),
                                            ("bidirectional", False),
                                            ("proj_size", 0))
                  if getattr(obj, attribute, normal) != normal]
        if extras:
            raise ValueError(
                "obj: expected a one-layer, one-direction LSTM without "
                f"proj_size, got {name}({', '.join(extras)}); Keras has no "
                "equivalent (convert one layer and direction at a time)")
        obj = obj.state_dict()
    if not isinstance(obj, Mapping):
        raise TypeError(
            "obj: expected a torch.nn.LSTM or its state_dict(), got "
            f"{type(obj).__name__}")
    keys = set(obj)
    suffix = "_l0" if any(k.endswith("_l0") for k in keys) else ""
    names = {k: k + suffix for k in ("weight_ih", "weight_hh", "bias_ih",
                                     "bias_hh")}
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
    w_ih, w_hh = (as_float_array(obj[names[k]], names[k])
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
    bias = None
    if names["bias_ih"] in keys:
        b_ih, b_hh = (as_float_array(obj[names[k]], names[k])
                      for k in ("bias_ih", "bias_hh"))
        for key, b in (("bias_ih", b_ih), ("bias_hh", b_hh)):
            check_shape(b, (4 * units,), names[key],
                        f"(4 * units,) for units={units}")
            check_finite(b, names[key])
        bias = b_ih + b_hh
    return LSTMParams(w_ih.T, w_hh.T, bias)


def to_torch(params, *, cell=False):
    """The ``state_dict`` of a ``torch.nn.LSTM`` (``LSTMCell`` if ``cell``).

    Returns NumPy arrays keyed by PyTorch's names: weight_ih = kernel^T,
    weight_hh = recurrent_kernel^T, bias_ih = bias, bias_hh = 0 (PyTorch
    adds the two). Load with ``module.load_state_dict({k:
    torch.from_numpy(v) for k, v in d.items()})``. A layer without bias
    gives no bias keys, for ``nn.LSTM(..., bias=False)``.
    """
    _check_params(params)
    check_flag(cell, "cell")
    if (params.activation, params.recurrent_activation) != ("tanh",
                                                            "sigmoid"):
        raise ValueError(
            "params: expected activation='tanh' and recurrent_activation="
            "'sigmoid' (all PyTorch's LSTM computes), got activation="
            f"{params.activation!r}, recurrent_activation="
            f"{params.recurrent_activation!r}")
    suffix = "" if cell else "_l0"
    state = {f"weight_ih{suffix}": np.ascontiguousarray(params.kernel.T),
             f"weight_hh{suffix}": np.ascontiguousarray(
                 params.recurrent_kernel.T)}
    if params.bias is not None:
        state[f"bias_ih{suffix}"] = params.bias.copy()
        state[f"bias_hh{suffix}"] = np.zeros_like(params.bias)
    return state


#: TF1 LSTMCell's blocks i, j, f, o taken to Keras's i, f, c, o.
_TF1_TO_KERAS = (0, 2, 1, 3)


def from_tf1(kernel, bias, forget_bias=1.0, *, activation="tanh"):
    """Read a TensorFlow 1 ``LSTMCell``/``BasicLSTMCell``'s two variables.

    TF1 keeps one kernel (input_dim + units, 4u) acting on [x_t, h_{t-1}]
    and a bias (4u,), gate order i, j, f, o (j is the candidate), and adds
    ``forget_bias`` to the forget gate's pre-activation at run time, so it
    is stored in no variable: here it goes into the forget block of the
    bias. Cells with peepholes or ``num_proj`` have more variables and no
    Keras equivalent.
    """
    kernel = as_float_array(kernel, "kernel")
    bias = as_float_array(bias, "bias")
    check_rank(kernel, 2, "kernel", "(input_dim + units, 4 * units)")
    width = kernel.shape[1]
    if width == 0 or width % 4 or kernel.shape[0] <= width // 4:
        raise ValueError(
            "kernel: expected shape (input_dim + units, 4 * units) with "
            f"input_dim >= 1, got {kernel.shape}")
    units = width // 4
    check_shape(bias, (4 * units,), "bias", f"(4 * units,) for units={units}")
    check_finite(kernel, "kernel")
    check_finite(bias, "bias")
    forget_bias = check_real(forget_bias, "forget_bias")
    input_dim = kernel.shape[0] - units
    blocks = [slice(k * units, (k + 1) * units) for k in _TF1_TO_KERAS]
    packed_kernel = np.concatenate([kernel[:, s] for s in blocks], axis=1)
    packed_bias = np.concatenate([bias[s] for s in blocks])
    packed_bias[units:2 * units] += forget_bias
    return LSTMParams(packed_kernel[:input_dim], packed_kernel[input_dim:],
                      packed_bias, activation=activation,
                      recurrent_activation="sigmoid")


def to_tf1(params, forget_bias=1.0):
    """TF1 ``LSTMCell`` variables ``(kernel, bias)`` for these weights.

    The inverse of ``from_tf1``: the forget block of the bias loses
    ``forget_bias``, which TF1 adds back at run time.
    """
    _check_params(params)
    forget_bias = check_real(forget_bias, "forget_bias")
    if params.recurrent_activation != "sigmoid":
        raise ValueError(
            "params: expected recurrent_activation='sigmoid' (TF1's "
            "LSTMCell has sigmoid gates), got recurrent_activation="
            f"{params.recurrent_activation!r}")
    u = params.units
    stacked = np.concatenate([params.kernel, params.recurrent_kernel])
    bias = params.bias_or_zeros().copy()
    bias[u:2 * u] -= forget_bias
    blocks = [slice(k * u, (k + 1) * u) for k in _TF1_TO_KERAS]
    return (np.concatenate([stacked[:, s] for s in blocks], axis=1),
            np.concatenate([bias[s] for s in blocks]))
