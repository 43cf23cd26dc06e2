"""What every layer of a ``Stack`` has, and the epsilon rule of LRP.

A layer maps the batch's values y_in to y_out; its arrays are
(batch, features) or (batch, T, features) with a sequence. The hooks:

``forward(x, mask, keep=False) -> (y, mask_out, cache)``
    ``mask`` (batch, T) bool or None marks the steps to use, as Keras's
    mask does; ``mask_out`` is the mask Keras would hand the next layer.
    ``cache`` holds what ``backward`` and ``relevance`` need, or None
    unless ``keep``.
``backward(cache, dy) -> dx``
    dL/dx from dL/dy, each shaped like the value it belongs to.
``relevance(cache, r, rule) -> r_in``
    LRP: the relevance r of the outputs passed to the inputs by ``rule``
    (a ``Rule``); a layer with no rule raises ``NoRule``.
``out_shape(shape) -> shape``
    The output's shape without the batch axis, from the input's (T may be
    None, unknown); raises ValueError when the input cannot fit.
``in_features``
    The number of input features the layer needs, or None for any.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Layer", "NoRule", "Rule", "lrp_linear"]


class NoRule(ValueError):
    """A layer through which LRP is not defined; the message says why."""


class Layer:
    """Base of the layers of a ``Stack``: the hooks every layer defines."""

    in_features = None  #: features the layer needs, None for any

    def forward(self, x, mask, keep=False):
        raise NotImplementedError

    def backward(self, cache, dy):
        raise NotImplementedError

    def relevance(self, cache, r, rule):
        raise NoRule(f"LRP has no rule for a {type(self).__name__} layer")

    def out_shape(self, shape):
        raise NotImplementedError

    def lrp_refusal(self, last):
        """Why LRP cannot pass through this layer, or None.

        ``last``: whether the layer's activation gives the model's output
        (no other layer with an activation after it).
        """
        return None

    def __repr__(self):
        return f"{type(self).__name__}()"


@dataclass
class Rule:
    """LRP-epsilon's settings, and the relevance that reached no input.

    ``states`` collects (r_h0, r_c0) of every LSTM run, in layer order
    (a Bidirectional's forward direction first): with ``bias_factor=1``
    the inputs' relevance plus these sums to the forecast.
    """

    eps: float
    bias_factor: float
    states: list = field(default_factory=list)

    def linear(self, inputs, weights, bias, relevance):
        """``lrp_linear`` with this rule's eps and bias_factor."""
        return lrp_linear(inputs, weights, bias, relevance, self.eps,
                          self.bias_factor)


def lrp_linear(inputs, weights, bias, relevance, eps, bias_factor):
    """Epsilon-LRP through y = inputs @ weights + bias (Arras et al. 2017).

    inputs (batch, n), weights (n, m), bias (m,), relevance (batch, m) ->
    (batch, n): R_j = sum_k (x_j w_jk + s (b_k + eps sign(y_k)) / n)
    / (y_k + eps sign(y_k)) R_k with s = bias_factor. With s = 1 the
    numerators sum to the denominator, so relevance is conserved exactly.
    """
    n = inputs.shape[1]
    y = inputs @ weights + bias
    sign = np.where(y >= 0, 1.0, -1.0)
    denominator = y + eps * sign  # (batch, m)
    share = bias_factor * (bias + eps * sign) / n  # (batch, m)
    scaled = _divide(relevance, denominator)  # (batch, m)
    return inputs * (scaled @ weights.T) + (share * scaled).sum(
        axis=1, keepdims=True)


def lrp_elementwise(parts, bias, relevance, eps, bias_factor):
    """Epsilon-LRP through y = sum_j parts[j] + bias, element by element.

    parts: list of n arrays shaped like relevance; returns one relevance
    array per part: R_j = (p_j + s (bias + eps sign(y)) / n) / (y + eps
    sign(y)) R, conserved exactly with s = bias_factor = 1.
    """
    y = sum(parts) + bias
    sign = np.where(y >= 0, 1.0, -1.0)
    scaled = _divide(relevance, y + eps * sign)
    share = bias_factor * (bias + eps * sign) / len(parts)
    return [(p + share) * scaled for p in parts]


def _divide(relevance, denominator):
    """relevance / denominator, 0 where the relevance is 0: an output
    that carries none passes none back, even at a zero denominator
    (eps = 0), rather than 0 / 0."""
    out = np.zeros(np.broadcast_shapes(relevance.shape, denominator.shape))
    return np.divide(relevance, denominator, out=out, where=relevance != 0)


def last_axis(x, n, argument):
    """Raise unless x's last axis has n entries (n None: any)."""
    if n is not None and x.shape[-1] != n:
        raise ValueError(
            f"{argument}: expected {n} features on the last axis, got "
            f"shape {x.shape}")
