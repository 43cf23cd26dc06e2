"""A live Keras model (Keras 3 or tf_keras) read into an lstmref ``Stack``.

The model is read as a file is: each layer's ``get_config()`` and
``get_weights()`` become a record (``reading.Layer``), and
``stack_from_layers`` builds the ``Stack``. One thing is read from the
live objects rather than the configs: each activation function, named
by ``__name__`` and checked on a few points against lstmref's function
of that name, so a custom function that borrows a built-in's name is
refused. Nothing here imports Keras.
"""

import copy
import sys

import numpy as np

from ..activations import ACTIVATIONS
from ..stack.functions import FUNCTIONS
from .architecture import main_chain, stack_from_layers
from .functions import ALIASES
from .names import weight_names
from .reading import Layer, inbound_names

__all__ = ["stack_from_keras_model"]

#: Points where a layer's function is compared with lstmref's.
POINTS = np.array([-4.0, -2.1, -0.7, 0.0, 0.3, 1.9, 4.0], np.float32)


def stack_from_keras_model(model, *, step=None, remedy=None):
    """The ``Stack`` computing the Keras model ``model`` at prediction.

    ``model``: a built Keras 3 or tf_keras ``Sequential`` or functional
    model whose layers form one chain (see ``architecture``); ``step``:
    the step explained when the output is a sequence (None: the last);
    ``remedy`` ends the message for an activation lstmref cannot name.
    Raises TypeError for an object without layers and ValueError naming
    the layer lstmref cannot compute.
    """
    layers = list(getattr(model, "layers", None) or [])
    if not layers:
        raise TypeError(
            "model: expected a Keras model (Sequential or functional) with "
            f"layers, got {type(model).__name__} with no layers")
    inputs = getattr(model, "inputs", None)
    if inputs is not None and len(inputs) != 1:
        raise ValueError(f"model: expected a model with one input, got "
                         f"{len(inputs)} inputs")
    records = _records(model, layers, remedy)
    chain = main_chain(records, "model")
    keras2 = False  # the live functions are named already
    return stack_from_layers(chain, keras2=keras2, where="model",
                             step=step)


def _records(model, layers, remedy):
    """A ``reading.Layer`` of each layer, in the model's order; Keras 3's
    mask operations of a functional model come from its config."""
    position = {id(layer): k for k, layer in enumerate(layers)}
    config = None
    if hasattr(model, "get_config"):
        try:
            config = model.get_config()
        except (NotImplementedError, TypeError, ValueError):
            config = None
    entries = (config or {}).get("layers") if isinstance(
        config, dict) and "input_layers" in config else None
    if entries is None:  # a Sequential: each layer takes the one before
        return [_record(layer, k, (layers[k - 1].name,) if k else (),
                        remedy) for k, layer in enumerate(layers)]
    by_name = {layer.name: layer for layer in layers}
    records = []
    for k, entry in enumerate(entries):
        name = entry.get("name") or entry.get("config", {}).get("name")
        inbound = tuple(dict.fromkeys(inbound_names(
            entry.get("inbound_nodes", []), [])))
        layer = by_name.get(name)
        if layer is None:  # an operation (Keras 3), not a layer
            records.append(Layer(k, name, entry.get("class_name"),
                                 entry.get("config") or {}, inbound, {}))
        else:
            records.append(_record(layer, position[id(layer)], inbound,
                                   remedy))
    return records


def _record(layer, position, inbound, remedy):
    """One layer's record: class, config with its functions named by
    lstmref, and weights by name."""
    class_name = type(layer).__name__
    config = copy.deepcopy(layer.get_config())
    _name_functions(layer, class_name, config, remedy)
    arrays = [np.asarray(w) for w in layer.get_weights()]
    names = weight_names(class_name, config, arrays, None)
    return Layer(position, layer.name, class_name, config, tuple(inbound),
                 dict(zip(names, arrays)))


def _name_functions(layer, class_name, config, remedy):
    """Replace the activations in ``config`` by lstmref's names, read
    from the live functions."""
    where = f"layer {layer.name!r}"
    if class_name == "LSTM":
        cell = getattr(layer, "cell", layer)
        for key in ("activation", "recurrent_activation"):
            config[key] = _identify(getattr(cell, key), where, layer,
                                    ACTIVATIONS, remedy)
    elif class_name in ("Dense", "Activation"):
        config["activation"] = _identify(layer.activation, where, layer,
                                         FUNCTIONS, remedy)
    elif class_name == "Bidirectional":
        for key, side in (("layer", "forward_layer"),
                          ("backward_layer", "backward_layer")):
            inner, nested = getattr(layer, side, None), config.get(key)
            if inner is not None and isinstance(nested, dict) and type(
                    inner).__name__ == "LSTM":
                _name_functions(inner, "LSTM", nested.setdefault(
                    "config", {}), remedy)
    elif class_name == "TimeDistributed":
        inner, nested = getattr(layer, "layer", None), config.get("layer")
        if type(inner).__name__ == "Dense" and isinstance(nested, dict):
            _name_functions(inner, "Dense", nested.setdefault(
                "config", {}), remedy)


def _identify(fn, where, layer, known, remedy):
    """lstmref's name of the live function ``fn``; hard_sigmoid is
    Keras 1-2's where the layer's class is tf_keras's or Keras 2's."""
    name = getattr(fn, "__name__", repr(fn))
    if name == "hard_sigmoid" and _keras_major(layer) < 3:
        name = "hard_sigmoid_keras2"
    if name not in known:
        name = ALIASES.get(name, name)
    tail = f"; {remedy}" if remedy else ""
    if name not in known:
        raise ValueError(
            f"{where}: expected one of {sorted(known)}, got the layer's "
            f"function {getattr(fn, '__name__', repr(fn))!r}{tail}")
    try:
        values = np.asarray(fn(POINTS), dtype=np.float64)
    except Exception:  # some backends accept only their own tensors
        return name
    if not np.allclose(values, known[name](POINTS.astype(np.float64)),
                       atol=1e-5):
        raise ValueError(
            f"{where}: expected a function that computes lstmref's "
            f"{name!r}, got the layer's function called {name!r} whose "
            f"values differ{tail}")
    return name


def _keras_major(layer):
    """Major version of the Keras package that defined ``layer``'s class."""
    root = type(layer).__module__.split(".")[0]
    if root == "tf_keras":
        return 2
    version = getattr(sys.modules.get(root), "__version__", "3")
    return int(version.split(".")[0])
