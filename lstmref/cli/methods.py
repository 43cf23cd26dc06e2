"""The attribution methods ``explain`` offers: one registry, one entry each.

Each ``Method`` says everything the command needs to know of it: its
``--method`` name, its column in the table, how to get each step's
|attribution| and their signed sum from ``lstmref.attribution``, what
that sum must equal (its guarantee), how many model runs one window
costs (to size the chunks), and when it cannot run. A new method is one
entry in ``METHODS``.
"""

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .. import attribution

__all__ = ["IG_STEPS", "IG_MAX_STEPS", "METHODS", "Method", "TOLERANCE",
           "Attribution", "input_dim", "units", "windows_per_call"]

#: Gauss-Legendre steps integrated gradients start with, and their cap.
IG_STEPS, IG_MAX_STEPS = 32, 1024
#: A guarantee is met when its gap is at most this share of the largest
#: |target| over the windows explained.
TOLERANCE = 0.01
#: Window-steps x units per call to the model. A gradient call holds
#: about 200 bytes per window-step-unit (its trace and backward pass), so
#: 2^19 of them is about 100 MB.
CELLS = 2 ** 19


def input_dim(net):
    """The model's number of input features F."""
    return net.input_dim


def units(net):
    """The widest LSTM's units among a Stack's layers (a Network is one;
    a Bidirectional counts by its forward layer); 64 if it has none."""
    return max([getattr(layer, "forward_layer", layer).params.units
                for layer in net.layers if hasattr(layer, "params")
                or hasattr(layer, "forward_layer")] or [64])


def windows_per_call(net, steps):
    """How many windows of ``steps`` steps one call to the model takes."""
    return max(1, min(8192, CELLS // (steps * units(net))))


class Attribution(NamedTuple):
    """A method's answer for windows x (batch, T, F)."""

    importance: np.ndarray  #: |attribution| of each step (batch, T)
    total: np.ndarray | None  #: the signed sum its guarantee is about
    steps: np.ndarray | None = None  #: IG: Gauss-Legendre steps used


@dataclass(frozen=True)
class Method:
    """One attribution method, as ``explain`` runs it."""

    name: str  #: the --method choice
    column: str  #: the table's column title
    #: (net, x, baseline (T, F), output, limit) -> Attribution; ``limit``
    #: is the largest gap a window may keep (integrated gradients refine
    #: their steps until they reach it; the others are exact or have none)
    attribute: Callable
    runs: Callable  #: T -> model runs per window
    guarantee: str = ""  #: what sum(attribution) equals, in words
    #: what ``total`` must equal: "change" f(x) - f(baseline), "forecast"
    #: f(x), or "" (no guarantee)
    target: str = ""
    skip: Callable = lambda net, steps: None  #: reason it cannot run


def _ig_once(net, x, base, output, n):
    ig = attribution.integrated_gradients(net, x, base, output=output,
                                          n_steps=n)  # (batch, T, F)
    return np.abs(ig).sum(axis=2), ig.sum(axis=(1, 2))


def _ig(net, x, base, output, limit):
    """Integrated gradients, refined window by window: a window whose
    completeness gap |sum(IG) - (f(x) - f(baseline))| is over ``limit``
    is integrated again with twice the steps, up to IG_MAX_STEPS."""
    change = (net._forward(x)[:, output]
              - net._forward(base[None])[0, output])  # (batch,)
    n = IG_STEPS
    importance, total = _ig_once(net, x, base, output, n)
    steps = np.full(len(x), n)
    todo = np.flatnonzero(np.abs(total - change) > limit)
    while todo.size and n < IG_MAX_STEPS:
        n *= 2
        size = max(1, windows_per_call(net, x.shape[1]) // n)
        for k in range(0, todo.size, size):
            some = todo[k:k + size]
            importance[some], total[some] = _ig_once(net, x[some], base,
                                                     output, n)
            steps[some] = n
        todo = todo[np.abs(total[todo] - change[todo]) > limit]
    return Attribution(importance, total, steps)


def _occlusion(net, x, base, output, limit):
    occ = attribution.occlusion(net, x, base, output=output)
    return Attribution(np.abs(occ), None)


def _shapley(net, x, base, output, limit):
    phi = attribution.shapley_steps(net, x, base, output=output)
    return Attribution(np.abs(phi), phi.sum(axis=1))


def _lrp(net, x, base, output, limit):
    r_x, r_h, r_c = attribution.lrp(net, x, output=output,
                                    with_initial_state=True)
    # conservation counts the relevance left at the initial state too
    total = r_x.sum(axis=(1, 2)) + r_h.sum(axis=1) + r_c.sum(axis=1)
    return Attribution(np.abs(r_x).sum(axis=2), total)


def _cd(net, x, base, output, limit):
    """Contextual decomposition's relevant part of each step alone (no
    baseline: it splits f(x) itself). Its guarantee, relevant +
    irrelevant = f(x), holds for every step's split; ``total`` is each
    window's split farthest from f(x)."""
    f_x = net._forward(x)[:, output]
    relevant = np.empty(x.shape[:2])
    worst = f_x.copy()
    for t in range(x.shape[1]):
        rel, irr = attribution.contextual_decomposition(net, x, [t],
                                                        output=output)
        relevant[:, t] = rel
        worst = np.where(np.abs(rel + irr - f_x) > np.abs(worst - f_x),
                         rel + irr, worst)
    return Attribution(np.abs(relevant), worst)


def _skip(function):
    """The reason ``attribution.function`` cannot run on a model with
    windows of T steps, or None (``attribution.applies``)."""
    return lambda net, steps: attribution.applies(function, net, steps)


#: The methods in the order of the table's columns.
METHODS = {m.name: m for m in (
    Method("ig", "integrated_gradients", _ig, lambda T: IG_STEPS,
           "completeness: sum = f(x) - f(baseline)", "change",
           _skip("integrated_gradients")),
    Method("occlusion", "occlusion", _occlusion, lambda T: T + 1,
           skip=_skip("occlusion")),
    Method("shapley", "shapley", _shapley, lambda T: 2 ** T,
           "efficiency: sum = f(x) - f(baseline)", "change",
           _skip("shapley_steps")),
    Method("lrp", "lrp", _lrp, lambda T: 1,
           "conservation: sum + initial state's share = f(x)", "forecast",
           _skip("lrp")),
    Method("cd", "cd", _cd, lambda T: T,
           "decomposition: relevant + irrelevant = f(x), each step",
           "forecast",
           _skip("contextual_decomposition")),
)}
