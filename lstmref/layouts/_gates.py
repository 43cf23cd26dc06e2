"""The one gate-order helper every layout converts through.

Every framework packs an LSTM's four gates as four blocks of ``units``
entries along one axis, each framework in its own order. Each layout
module states its order once, as letters (``TF1_ORDER = ("i", "j", "f",
"o")``), and moves blocks with ``reorder``; lstmref's own order is
``GATES`` = i, f, c, o, Keras's.
"""

import numpy as np

from ..params import GATES

__all__ = ["CANDIDATE_LETTERS", "block", "reorder"]

#: The candidate c~'s letter in each framework's documentation: Keras's c,
#: PyTorch's g, TensorFlow 1's j. All three name the same gate here.
CANDIDATE_LETTERS = ("c", "g", "j")


def _as_gates(order, argument):
    """``order`` in lstmref's letters (c for the candidate), checked."""
    letters = tuple("c" if g in CANDIDATE_LETTERS else g for g in order)
    if sorted(letters) != sorted(GATES):
        raise ValueError(
            f"{argument}: expected the gates i, f, c, o once each (the "
            f"candidate c may be written g or j), got {order!r}")
    return letters


def reorder(array, source, target, axis=-1):
    """The four gate blocks of ``array`` along ``axis``, from the gate
    order ``source`` to the gate order ``target``.

    ``array`` has 4 * units entries along ``axis``, block n holding the
    gate ``source[n]``. In the result (a new array of the same shape)
    block n holds the gate ``target[n]``::

        out[block n] = array[block k],  k = source.index(target[n])

    Orders are four letters, a string or a tuple ("ijfo" or ``GATES``).
    The inverse is the same call with the two orders swapped:
    ``reorder(reorder(a, s, t), t, s)`` equals ``a``. (From TF1 or Keras 1
    to Keras the permutation is one swap, its own inverse; the swapped
    call says which way the blocks go, and stays right for any order.)
    """
    source, target = _as_gates(source, "source"), _as_gates(target, "target")
    array = np.asarray(array)
    if array.shape[axis] % 4:
        raise ValueError(
            f"array: expected 4 * units entries along axis {axis}, got "
            f"shape {array.shape}")
    blocks = np.split(array, 4, axis=axis)
    return np.concatenate([blocks[source.index(g)] for g in target],
                          axis=axis)


def block(order, gate, units):
    """The slice of ``gate``'s block along an axis in the gate order
    ``order``: ``block("ijfo", "f", u)`` is ``slice(2 * u, 3 * u)``."""
    letters = _as_gates(order, "order")
    k = letters.index("c" if gate in CANDIDATE_LETTERS else gate)
    return slice(k * units, (k + 1) * units)
