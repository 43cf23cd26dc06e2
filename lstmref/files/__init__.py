"""Keras model files read as data, never as code.

``read_model_file`` opens a ``.keras`` or ``.h5`` file of Keras 1, 2, 3,
tf.keras or tf_keras with ``zipfile``, ``json`` and ``h5py`` only, refuses
any layer that holds code before reading a weight, and returns the layers
with their configs and arrays; ``stack_from_file`` turns a file into the
``Stack`` computing its model, ``network_from_file`` into a ``Network``
where the model is LSTM -> Dense; ``stack_from_layers`` does it for any
list of layer configs and arrays (``stack_from_keras_model``: a live
Keras model's).
"""

from .architecture import SUPPORTED, main_chain, stack_from_layers
from .build import keras_activation, network_from_file, stack_from_file
from .live import stack_from_keras_model
from .reading import Layer, ModelFile, read_model_file
from .safety import ModelFileError

__all__ = ["Layer", "ModelFile", "ModelFileError", "SUPPORTED",
           "keras_activation", "main_chain", "network_from_file",
           "read_model_file", "stack_from_file", "stack_from_keras_model",
           "stack_from_layers"]
