"""The whole model: a sequence of layers, run forwards and backwards.

``Stack.predict`` runs x (batch, T, F) through every layer in turn, with
Keras's mask handed from layer to layer; ``input_gradient`` runs the
same layers' ``backward`` in reverse; LRP their ``relevance``. Every
attribution method of ``lstmref.attribution`` works through these three.
"""

import numpy as np

from .._checks import (as_float_array, check_finite, check_output_index,
                       check_rank)
from .._parallel import map_blocks
from .base import Layer, NoRule, Rule
from .layers import Masking
from .shapes import Flatten, Reshape, Step

__all__ = ["Stack"]

#: Layers that only move or mask values: LRP's "last layer" (whose
#: activation must be linear) is the last layer of another kind.
_MOVERS = (Flatten, Reshape, Step, Masking)
#: Windows per backward pass: every layer keeps its whole run over them
#: (for LSTM(50) over 24 steps, about 100 kB a window in float64), so a
#: path of thousands of windows goes through in pieces of this many,
#: the pieces on every core (``_parallel.map_blocks``).
ROWS = 512


class Stack:
    """A model made of layers: x (batch, T, input_dim) -> (batch, n_out).

    ``layers``: the layers in order (``lstmref.stack``'s classes). The
    output must be one vector per window: a model whose last layer gives
    a sequence ends with ``Step(k)``. ``steps``: the window length T, for
    models whose shapes depend on it (Flatten, Reshape); None lets it be
    read from a Dense layer after the Flatten, or leaves T free.
    """

    def __init__(self, layers, *, steps=None):
        if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
            raise TypeError(f"layers: expected a list of layers, got "
                            f"{type(layers).__name__}")
        layers = tuple(layers)
        if not layers:
            raise ValueError("layers: expected at least one layer, got none")
        for k, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers: expected layers of lstmref.stack, got "
                    f"{type(layer).__name__} at position {k}")
        if steps is not None and (isinstance(steps, bool) or not isinstance(
                steps, (int, np.integer)) or steps < 1):
            raise ValueError(f"steps: expected an integer >= 1 or None, got "
                             f"{steps!r}")
        features = _input_features(layers)
        steps, out = _shapes(layers, steps, features)
        set_ = object.__setattr__  # Network, a frozen dataclass, is a Stack
        set_(self, "layers", layers)
        set_(self, "_input_dim", features)
        set_(self, "_steps", steps)
        set_(self, "_n_out", out[0])

    @property
    def input_dim(self):
        """Number of input features F per time step."""
        return self._input_dim

    @property
    def n_out(self):
        """Number of outputs."""
        return self._n_out

    @property
    def steps(self):
        """The window length T the model needs, or None for any."""
        return self._steps

    def predict(self, x):
        """x (batch, T, input_dim) -> y (batch, n_out)."""
        return self._forward(self._check_windows(x))

    def _check_windows(self, x, argument="x"):
        x = as_float_array(x, argument)
        check_rank(x, 3, argument, "(batch, T, input_dim)")
        batch, T, F = x.shape
        if batch == 0 or T == 0 or F != self.input_dim or (
                self.steps is not None and T != self.steps):
            T_text = "T" if self.steps is None else str(self.steps)
            raise ValueError(
                f"{argument}: expected shape (batch, {T_text}, "
                f"{self.input_dim}) with batch, T >= 1, got {x.shape}")
        check_finite(x, argument)
        return x

    def _forward(self, x):
        """``predict`` of windows already checked (float, finite, (batch,
        T, input_dim)): the attribution methods call it on many windows
        made from checked ones."""
        return self._run(x, keep=False)[0]

    def _run(self, x, keep):
        """Every layer in turn: ``(y, caches)``, each layer's cache for
        ``backward`` and ``relevance`` (None unless ``keep``)."""
        mask, caches = None, []
        for layer in self.layers:
            x, mask, cache = layer.forward(x, mask, keep)
            caches.append(cache)
        return x, caches

    def input_gradient(self, x, output=0):
        """d y[:, output] / d x, (batch, T, input_dim), by every layer's
        ``backward`` from the last to the first."""
        output = self._check_output(output)
        return self._input_gradient(self._check_windows(x), output)

    def _input_gradient(self, x, output):
        if len(x) > ROWS:  # each layer's cache holds every step of x
            pieces = [slice(k, k + ROWS) for k in range(0, len(x), ROWS)]
            return np.concatenate(map_blocks(  # on every core
                lambda rows, scratch: self._input_gradient(x[rows], output),
                pieces))
        y, caches = self._run(x, keep=True)
        d = np.zeros_like(y)
        d[:, output] = 1.0  # dL/dy for L = y[:, output]
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            d = layer.backward(cache, d)
        return d

    def _check_output(self, output):
        return check_output_index(output, self.n_out)

    def lrp_refusal(self):
        """Why LRP cannot run through this model, or None."""
        kept = [k for k, layer in enumerate(self.layers)
                if not isinstance(layer, _MOVERS)]
        last = kept[-1] if kept else -1
        for k, layer in enumerate(self.layers):
            reason = layer.lrp_refusal(k == last)
            if reason:
                return reason if k == last else (
                    f"{reason} (layer {k}: {type(layer).__name__})")
        return None

    def _relevance(self, x, output, eps, bias_factor):
        """LRP of checked windows: ``(r_x, r_h0, r_c0)``, the initial
        states' shares of every LSTM run side by side in layer order."""
        reason = self.lrp_refusal()
        if reason:
            raise NoRule(reason)
        y, caches = self._run(x, keep=True)
        r = np.zeros_like(y)
        r[:, output] = y[:, output]  # the forecast is the relevance
        rule, states = Rule(eps, bias_factor), []
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            seen = len(rule.states)
            r = layer.relevance(cache, r, rule)
            states[:0] = rule.states[seen:]  # this layer's, before later
        if not states:
            empty = np.zeros((len(x), 0))
            return r, empty, empty
        return (r, np.concatenate([h for h, _ in states], axis=1),
                np.concatenate([c for _, c in states], axis=1))

    def __repr__(self):
        return "Stack([" + ", ".join(map(repr, self.layers)) + "])"


def _input_features(layers):
    """F: the feature count of the first layer that fixes one, reached
    through layers that keep the feature count."""
    for layer in layers:
        if layer.in_features is not None:
            return layer.in_features
        if isinstance(layer, (Flatten, Reshape, Step)):
            break
    raise ValueError(
        "layers: no layer before the first Flatten, Reshape or Step fixes "
        "the number of input features")


def _shapes(layers, steps, features):
    """Walk the shapes (without batch); return ``(steps, output shape)``.

    T unknown (None) through a Flatten or Reshape is read from the first
    later layer that fixes its feature count, if steps is None.
    """
    shape, per_step = (steps, features), None
    for k, layer in enumerate(layers):
        n = layer.in_features
        if n is not None and shape[-1] is None and per_step:
            if steps is None and n % per_step == 0:
                return _shapes(layers, n // per_step, features)
            raise ValueError(
                f"layers: layer {k} ({type(layer).__name__}) reads {n} "
                f"features, not a multiple of T times the {per_step} of "
                "each step; give steps=T")
        if isinstance(layer, (Flatten, Reshape)) and shape[0] is None:
            per_step = int(np.prod(shape[1:]))
            target = getattr(layer, "shape", (-1,))
            if steps is None and -1 not in target:  # T from the target
                return _shapes(layers, max(1, int(np.prod(target))
                                           // per_step), features)
        try:
            shape = layer.out_shape(shape)
        except ValueError as error:
            raise ValueError(f"layers: layer {k} ({type(layer).__name__}): "
                             f"{error}") from None
    if len(shape) != 1:
        raise ValueError(
            f"layers: the model's output has shape {shape} per window; a "
            "model whose output is a sequence ends with Step(k), the step "
            "to explain")
    if shape[0] is None:
        raise ValueError("steps: the number of outputs depends on the "
                         "window length; give steps=T")
    return steps, shape
