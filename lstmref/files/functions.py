"""The names of activation functions in model files, made lstmref's.

Keras writes a function by its name. Two things change with the writer:
``hard_sigmoid`` is clip(0.2 x + 1/2, 0, 1) in Keras 1-2, tf.keras and
tf_keras (lstmref's ``hard_sigmoid_keras2``) but clip(x / 6 + 1/2, 0, 1)
in Keras 3; and one function may have two names (tf_keras's ``swish`` is
Keras 3's ``silu``).
"""

from ..activations import ACTIVATIONS
from .safety import ModelFileError

__all__ = ["ALIASES", "keras_activation"]

#: Other names Keras gives one function.
ALIASES = {"swish": "silu", "silu": "swish", "hard_swish": "hard_silu",
           "hard_silu": "hard_swish"}


def keras_activation(name, keras2, argument="activation",
                     known=ACTIVATIONS):
    """lstmref's name for the activation a file calls ``name``.

    ``keras2``: the file was written by Keras 1-2 or tf.keras, whose
    ``hard_sigmoid`` is 0.2 x + 1/2 (``hard_sigmoid_keras2``); Keras 3's
    is x / 6 + 1/2 (``hard_sigmoid``). Keras 3 may store a built-in
    function as ``{"module": "keras.activations", "config": name}``.
    ``known``: the names accepted, the LSTM's ``ACTIVATIONS`` by default
    (a Dense layer's are the Stack's ``FUNCTIONS``).
    """
    if isinstance(name, dict) and str(name.get("module", "")).startswith(
            "keras") and isinstance(name.get("config"), str):
        name = name["config"]
    if name is None:
        name = "linear"
    if keras2 and name == "hard_sigmoid":
        name = "hard_sigmoid_keras2"
    if isinstance(name, str) and name not in known and ALIASES.get(
            name) in known:
        name = ALIASES[name]
    if not isinstance(name, str) or name not in known:
        supported = sorted(set(known) - {"hard_sigmoid_keras2"})
        raise ModelFileError(
            f"{argument}: expected one of {supported}, got {name!r}")
    return name
