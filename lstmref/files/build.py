"""A model file, read as data (``read_model_file``), made a ``Stack``.

Every layer ``stack_from_layers`` reads (see ``architecture``), in a
Sequential or a functional chain, from a ``.keras`` or ``.h5`` file of
Keras 3, tf.keras 2.x, tf_keras, Keras 2.0-2.4 or Keras 1. Activations
are named by the Keras that wrote the file: ``hard_sigmoid`` is
clip(0.2 x + 1/2, 0, 1) in Keras 1-2 and tf.keras (lstmref's
``hard_sigmoid_keras2``) but clip(x / 6 + 1/2, 0, 1) in Keras 3.
"""

from ..network import Network
from .architecture import main_chain, network_parts, stack_from_layers
from .functions import keras_activation
from .reading import read_model_file

__all__ = ["keras_activation", "network_from_file", "stack_from_file"]


def stack_from_file(path, *, step=None):
    """The ``Stack`` computing the model in the file ``path``.

    ``path``: a ``.keras`` or ``.h5`` file (read by ``read_model_file``,
    no code run); ``step``: the step explained when the model's output
    is a sequence (None: the last). Its ``predict`` equals the model's
    own. Raises ``ModelFileError`` (one line) naming the file and the
    layer lstmref cannot compute.
    """
    model = read_model_file(path)
    chain = main_chain(model.layers, model.path)
    return stack_from_layers(chain, keras2=model.keras2, where=model.path,
                             step=step)


def network_from_file(path, *, step=None):
    """The model in the file ``path``: a ``Network`` where it is LSTM ->
    Dense (-> linear Activation), the ``Stack`` of ``stack_from_file``
    otherwise; both compute the model's predictions."""
    stack = stack_from_file(path, step=step)
    parts = network_parts(stack)
    return stack if parts is None else Network(**parts)
