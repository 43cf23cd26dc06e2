"""lstmref: a reference LSTM in NumPy, asserted equal to Keras 3.

The core (this package without ``widgets``) imports only NumPy.
"""

from .activations import ACTIVATIONS, RANGES, get_activation
from .cell import gates, preactivations, step
from .convert import (from_keras, from_keras1, from_tf1, from_torch,
                      to_keras, to_keras1, to_tf1, to_torch)
from .layer import Trace, lstm, trace
from .params import GATES, LSTMParams

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "GATES", "LSTMParams", "RANGES", "Trace",
    "from_keras", "from_keras1", "from_tf1", "from_torch", "gates",
    "get_activation", "lstm", "preactivations", "step", "to_keras",
    "to_keras1", "to_tf1", "to_torch", "trace",
]
