"""lstmref: a reference LSTM in NumPy, asserted equal to Keras 3.

Everything here imports only NumPy; Keras is imported by
``weather.build_forecaster``/``train_forecaster`` when they are called.
"""

from . import attribution, gate_reading, grad, weather
from .activations import ACTIVATIONS, RANGES, get_activation
from .cell import gates, preactivations, step
from .layouts import (from_keras, from_keras1, from_tf1, from_torch,
                      to_keras, to_keras1, to_tf1, to_torch)
from .layer import Trace, lstm, trace
from .network import Network, from_keras_model
from .params import GATES, LSTMParams

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "GATES", "LSTMParams", "Network", "RANGES", "Trace",
    "attribution", "from_keras", "from_keras1", "from_keras_model",
    "from_tf1", "from_torch", "gate_reading", "gates", "grad", "weather",
    "get_activation", "lstm", "preactivations", "step", "to_keras",
    "to_keras1", "to_tf1", "to_torch", "trace",
]
