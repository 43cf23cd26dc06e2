"""A model as a sequence of layers, each with forward and backward.

``Stack(layers)`` is the whole model; its layers are Keras's, one class
each:

=================  =====================================================
``Recurrent``      LSTM (every flag lstmref supports)
``Bidirectional``  Bidirectional(LSTM), merge concat, sum, ave or mul
``Dense``          Dense, also on sequences (TimeDistributed(Dense))
``Activation``     Activation, and the layers ReLU, ELU, Softmax
``LeakyReLU``      LeakyReLU (its slope as TensorFlow holds it)
``Affine``         Normalization, Rescaling, BatchNormalization (inference)
``LayerNorm``      LayerNormalization over the last axis
``Masking``        Masking: later LSTMs skip the masked steps
``Flatten``        Flatten, ``Reshape``: Reshape
``Step``           one step of a sequence output (not a Keras layer)
=================  =====================================================

Layers that do nothing at prediction (Dropout and its kind) are left out.
The hooks every layer defines are written in ``base``.
"""

from .base import Layer, NoRule
from .functions import FUNCTIONS
from .layers import (Activation, Affine, Dense, LayerNorm, LeakyReLU,
                     Masking)
from .model import Stack
from .recurrent import MERGE_MODES, Bidirectional, Recurrent
from .shapes import Flatten, Reshape, Step

__all__ = ["Activation", "Affine", "Bidirectional", "Dense", "FUNCTIONS",
           "Flatten", "Layer", "LayerNorm", "LeakyReLU", "MERGE_MODES",
           "Masking",
           "NoRule", "Recurrent", "Reshape", "Stack", "Step"]
