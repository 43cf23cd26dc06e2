"""The attribution methods ``explain`` offers: one registry, one entry each.

Each ``Method`` says everything the command needs to know of it: its
``--method`` name, its column in the table, how to get each step's
|attribution| from ``lstmref.attribution``, how many model runs one
window costs (to size the chunks), and when it cannot run. A new method
is one entry in ``METHODS``.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import attribution

__all__ = ["IG_STEPS", "METHODS", "Method"]

#: Gradients per window for integrated gradients.
IG_STEPS = 32


@dataclass(frozen=True)
class Method:
    """One attribution method, as ``explain`` runs it."""

    name: str  #: the --method choice
    column: str  #: the table's column title
    importance: Callable  #: (net, x, output) -> |attribution| (batch, T)
    runs: Callable  #: T -> model runs per window
    skip: Callable = lambda net, steps: None  #: reason it cannot run


def _ig(net, x, output):
    r = attribution.integrated_gradients(net, x, output=output,
                                         n_steps=IG_STEPS)
    return np.abs(r).sum(axis=2)  # summed over the features


def _shapley_skip(net, steps):
    if steps > attribution.MAX_SHAPLEY_STEPS:
        return (f"exact Shapley values need 2^T passes per window; "
                f"T={steps} > {attribution.MAX_SHAPLEY_STEPS}")
    return None


def _lrp_skip(net, steps):
    if net.dense_activation != "linear":
        return ("LRP needs a linear Dense activation, got "
                f"{net.dense_activation!r}")
    return None


#: The methods in the order of the table's columns.
METHODS = {m.name: m for m in (
    Method("ig", "integrated_gradients", _ig, lambda T: IG_STEPS),
    Method("occlusion", "occlusion",
           lambda net, x, k: np.abs(attribution.occlusion(net, x, output=k)),
           lambda T: T + 1),
    Method("shapley", "shapley",
           lambda net, x, k: np.abs(
               attribution.shapley_steps(net, x, output=k)),
           lambda T: 2 ** T, _shapley_skip),
    Method("lrp", "lrp",
           lambda net, x, k: np.abs(
               attribution.lrp(net, x, output=k)).sum(axis=2),
           lambda T: 1, _lrp_skip),
)}
