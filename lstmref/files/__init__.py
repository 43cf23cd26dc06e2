"""Keras model files read as data, never as code.

``read_model_file`` opens a ``.keras`` or ``.h5`` file of Keras 1, 2, 3,
tf.keras or tf_keras with ``zipfile``, ``json`` and ``h5py`` only, refuses
any layer that holds code before reading a weight, and returns the layers
with their configs and arrays; ``network_from_file`` turns a file of the
LSTM -> Dense shape into a ``Network``.
"""

from .build import keras_activation, network_from_file
from .reading import Layer, ModelFile, read_model_file
from .safety import ModelFileError

__all__ = ["Layer", "ModelFile", "ModelFileError", "keras_activation",
           "network_from_file", "read_model_file"]
