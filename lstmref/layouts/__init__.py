"""Conversions between lstmref's packed layout (Keras's) and the others.

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

One module per layout (``keras``, ``keras1``, ``torch``, ``tf1``) states
its gate order once, in letters, and moves the gate blocks with
``_gates.reorder``: ``reorder(a, ORDER, GATES)`` reads, the same call with
the orders swapped writes. A new layout (ONNX's i, o, f, c, say) is one
more such module and one line here.

Nothing here imports a framework: layers and modules are read through
their own methods, tensors through ``.numpy()`` or ``np.asarray``.
"""

from .keras import from_keras, identify_activation, to_keras
from .keras1 import KERAS1_ORDER, from_keras1, to_keras1
from .tf1 import TF1_ORDER, from_tf1, to_tf1
from .torch import TORCH_ORDER, from_torch, to_torch

__all__ = ["from_keras", "to_keras", "from_keras1", "to_keras1",
           "from_torch", "to_torch", "from_tf1", "to_tf1",
           "identify_activation", "KERAS1_ORDER", "TF1_ORDER",
           "TORCH_ORDER"]
