"""A ``Network`` from a model file, read as data (``read_model_file``).

The file must hold the shape ``lstmref.Network`` computes::

    [InputLayer ->] LSTM -> Dense [-> Activation("linear") ...]

as ``from_keras_model`` reads it from a live Keras model, in a Sequential
or a functional chain. Activations are named by the Keras that wrote the
file: ``hard_sigmoid`` is clip(0.2 x + 1/2, 0, 1) in Keras 1-2 and tf.keras
(lstmref's ``hard_sigmoid_keras2``) but clip(x / 6 + 1/2, 0, 1) in Keras 3.
"""

from ..activations import ACTIVATIONS
from ..layouts import from_keras1
from ..network import Network
from ..params import LSTMParams
from .reading import read_model_file
from .safety import ModelFileError

__all__ = ["keras_activation", "network_from_file"]

SHAPE = ("[InputLayer ->] LSTM -> Dense [-> Activation('linear')], the "
         "shape lstmref.Network computes")


def keras_activation(name, keras2, argument="activation"):
    """lstmref's name for the activation a file calls ``name``.

    ``keras2``: the file was written by Keras 1-2 or tf.keras, whose
    ``hard_sigmoid`` is 0.2 x + 1/2 (``hard_sigmoid_keras2``); Keras 3's
    is x / 6 + 1/2 (``hard_sigmoid``). Keras 3 may store a built-in
    function as ``{"module": "keras.activations", "config": name}``.
    """
    if isinstance(name, dict) and str(name.get("module", "")).startswith(
            "keras") and isinstance(name.get("config"), str):
        name = name["config"]
    if name is None:
        name = "linear"
    if keras2 and name == "hard_sigmoid":
        name = "hard_sigmoid_keras2"
    if not isinstance(name, str) or name not in ACTIVATIONS:
        supported = sorted(set(ACTIVATIONS) - {"hard_sigmoid_keras2"})
        raise ModelFileError(
            f"{argument}: expected one of {supported}, got {name!r}")
    return name


def network_from_file(path):
    """Read an LSTM -> Dense model file into an ``lstmref.Network``.

    ``path`` is a ``.keras`` or ``.h5`` file of Keras 3, tf.keras 2.x,
    tf_keras, Keras 2.0-2.4 or Keras 1 (read by ``read_model_file``, no
    code run); its ``predict`` equals the model's own. Raises
    ``ModelFileError`` naming the layer that does not fit ``SHAPE``.
    """
    model = read_model_file(path)
    layers = [layer for layer in model.layers
              if layer.class_name != "InputLayer"]

    def refuse(layer, expected):
        got = ("nothing" if layer is None else
               f"the layer {layer.name!r} ({layer.class_name}, position "
               f"{layer.position} from 0)")
        raise ModelFileError(f"{path}: expected {expected}, got {got}; "
                             f"lstmref reads {SHAPE}")

    for before, layer in zip(model.layers, model.layers[1:]):
        if layer.inbound != (before.name,):
            refuse(layer, f"a chain of layers, each taking the one before "
                          f"({before.name!r}), not {list(layer.inbound)}")
    if not layers or layers[0].class_name != "LSTM":
        refuse(layers[0] if layers else None, "an LSTM as the first layer")
    lstm = layers[0]
    for flag in ("return_sequences", "return_state", "stateful",
                 "time_major"):
        if lstm.config.get(flag, False):
            refuse(lstm, f"an LSTM returning its last output only, not "
                         f"{flag}=True")
    if len(layers) < 2 or layers[1].class_name != "Dense":
        refuse(layers[1] if len(layers) > 1 else None,
               "a Dense layer after the LSTM")
    dense = layers[1]
    for layer in layers[2:]:
        if layer.class_name != "Activation" or _activation(
                model, layer, "activation") != "linear":
            refuse(layer, "only linear Activation layers after the Dense "
                          "layer")
    arrays = list(lstm.weights.values())
    functions = {"activation": _activation(model, lstm, "activation"),
                 "recurrent_activation": _activation(
                     model, lstm, "recurrent_activation")}
    if len(arrays) == 12:  # Keras 1: W, U, b of each gate i, c, f, o
        params = from_keras1(arrays, **functions)
    else:  # Keras 2-3, and Keras 1's consume_less="gpu": i, f, c, o
        params = LSTMParams(*arrays, **functions)
    kernel, *bias = dense.weights.values()
    return Network(params, kernel, bias[0] if bias else None,
                   dense_activation=_activation(model, dense, "activation"),
                   go_backwards=bool(lstm.config.get("go_backwards")))


def _activation(model, layer, key):
    """lstmref's name of ``layer.config[key]``. Keras 1 called the gates'
    function ``inner_activation``; where a file writes neither, Keras
    1-2's LSTM default, their hard sigmoid."""
    config = layer.config
    if key == "recurrent_activation":
        name = config.get(key, config.get("inner_activation",
                                          "hard_sigmoid"))
    else:
        name = config.get(key, "tanh" if layer.class_name == "LSTM"
                          else "linear")
    return keras_activation(
        name, model.keras2,
        f"{model.path}: layer {layer.name!r} ({layer.class_name}) {key}")
