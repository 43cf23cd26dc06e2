"""The layers of a ``Stack`` around its LSTMs: heads and scalings.

Each acts on the last axis, so on (batch, n) and on sequences (batch, T,
n) alike, and hands Keras's mask on as Keras does (Dense, Activation,
Affine and LayerNorm keep it; Masking makes a new one).
"""

import numpy as np

from .._checks import as_float_array, check_finite, check_rank, check_real
from .base import Layer, _divide, lrp_elementwise
from .functions import FUNCTIONS, LRP_PASS, check_function, vjp

__all__ = ["Activation", "Affine", "Dense", "LayerNorm", "LeakyReLU",
           "Masking"]


def _weights(value, argument, shape=None, meaning=""):
    """A finite float array, of ``shape`` if given."""
    array = as_float_array(value, argument)
    if shape is not None and array.shape != shape:
        raise ValueError(
            f"{argument}: expected shape {shape}{meaning}, got "
            f"{array.shape}")
    check_finite(array, argument)
    return array


def _fits(shape, n, kind):
    """Raise unless a layer reading n features (None: any) fits shape."""
    if not shape or (n is not None and shape[-1] is not None
                     and shape[-1] != n):
        raise ValueError(f"{kind} expects {n} features on the last axis, "
                         f"got values of shape {shape}")
    return shape


def _activation_refusal(activation, last, kind):
    if last and activation != "linear":
        return f"LRP needs a linear {kind} activation, got {activation!r}"
    if activation not in LRP_PASS:
        return (f"LRP passes relevance only through activations that keep "
                f"sign and order and map 0 to 0 ({sorted(LRP_PASS)}); a "
                f"hidden {kind} layer has {activation!r}")
    return None


class Activation(Layer):
    """y = act(x) element-wise (softmax, log_softmax: on the last axis)."""

    def __init__(self, activation):
        self.activation = check_function(activation)

    def out_shape(self, shape):
        return _fits(shape, None, "Activation")

    def forward(self, x, mask, keep=False):
        y = FUNCTIONS[self.activation](x)
        return y, mask, (x, y) if keep else None

    def backward(self, cache, dy):
        return vjp(self.activation, *cache, dy)

    def lrp_refusal(self, last):
        return _activation_refusal(self.activation, last, "Activation")

    def relevance(self, cache, r, rule):
        return r  # element-wise: relevance passes unchanged

    def __repr__(self):
        return f"Activation({self.activation!r})"


class LeakyReLU(Layer):
    """y = x for x > 0, s x otherwise: Keras's LeakyReLU layer, whose
    slope s (``negative_slope``; Keras 2's ``alpha``) TensorFlow holds as
    a float32, so s is rounded to float32 here too."""

    def __init__(self, negative_slope):
        if isinstance(negative_slope, bool) or not isinstance(
                negative_slope, (int, float, np.floating, np.integer)) \
                or not np.isfinite(negative_slope) or negative_slope < 0:
            raise ValueError(
                f"negative_slope: expected a finite number >= 0, got "
                f"{negative_slope!r}")
        self.negative_slope = float(np.float32(negative_slope))

    def out_shape(self, shape):
        return _fits(shape, None, "LeakyReLU")

    def forward(self, x, mask, keep=False):
        y = np.where(x > 0, x, self.negative_slope * x)
        return y, mask, x if keep else None

    def backward(self, cache, dy):
        return np.where(cache > 0, dy, self.negative_slope * dy)

    def lrp_refusal(self, last):
        if last:
            return "LRP needs a linear output layer, got a LeakyReLU layer"
        return None

    def relevance(self, cache, r, rule):
        return r  # keeps sign and order, 0 -> 0: relevance passes

    def __repr__(self):
        return f"LeakyReLU({self.negative_slope!r})"


class Dense(Layer):
    """y = act(x K + b) on the last axis: Keras's Dense, also on
    sequences (TimeDistributed(Dense)). kernel K (n, m), bias b (m,)."""

    def __init__(self, kernel, bias=None, activation="linear"):
        K = _weights(kernel, "kernel")
        check_rank(K, 2, "kernel", "(n_in, n_out)")
        if 0 in K.shape:
            raise ValueError(f"kernel: expected at least one row and one "
                             f"column, got shape {K.shape}")
        self.kernel = K
        self.bias = None if bias is None else _weights(
            bias, "bias", (K.shape[1],), " (n_out,)")
        self.activation = check_function(activation)
        self.in_features = K.shape[0]

    def out_shape(self, shape):
        return _fits(shape, self.in_features, "Dense")[:-1] + (
            self.kernel.shape[1],)

    def forward(self, x, mask, keep=False):
        a = x @ self.kernel  # (..., n_out)
        if self.bias is not None:
            a = a + self.bias
        y = FUNCTIONS[self.activation](a)
        return y, mask, (x, a, y) if keep else None

    def backward(self, cache, dy):
        _, a, y = cache
        return vjp(self.activation, a, y, dy) @ self.kernel.T

    def lrp_refusal(self, last):
        return _activation_refusal(self.activation, last, "Dense")

    def relevance(self, cache, r, rule):
        """The epsilon rule through x K + b (the activation passes r)."""
        x = cache[0]
        r = r.reshape(-1, r.shape[-1])
        # only the outputs that carry relevance (the explained one, at
        # the top): the others would pass 0
        cols = np.flatnonzero((r != 0).any(axis=0))
        b = np.zeros(len(cols)) if self.bias is None else self.bias[cols]
        flat = rule.linear(x.reshape(-1, x.shape[-1]), self.kernel[:, cols],
                           b, r[:, cols])
        return flat.reshape(x.shape)

    def __repr__(self):
        return (f"Dense({self.kernel.shape[0]} -> {self.kernel.shape[1]}, "
                f"activation={self.activation!r})")


class Affine(Layer):
    """y = x * scale + offset on the last axis: Normalization, Rescaling,
    BatchNormalization at inference. scale, offset: numbers or (n,)."""

    def __init__(self, scale, offset):
        self.scale = _weights(scale, "scale")
        self.offset = _weights(offset, "offset")
        sizes = {a.shape[0] for a in (self.scale, self.offset) if a.ndim}
        for name, a in (("scale", self.scale), ("offset", self.offset)):
            if a.ndim > 1 or len(sizes) > 1:
                raise ValueError(
                    f"{name}: expected a number or shape (n,) matching the "
                    f"other's, got shapes {self.scale.shape} and "
                    f"{self.offset.shape}")
        self.in_features = sizes.pop() if sizes else None

    def out_shape(self, shape):
        return _fits(shape, self.in_features, "Affine")

    def forward(self, x, mask, keep=False):
        return x * self.scale + self.offset, mask, x if keep else None

    def backward(self, cache, dy):
        return dy * self.scale

    def relevance(self, cache, r, rule):
        """The epsilon rule through each y_j = x_j s_j + o_j."""
        return lrp_elementwise([cache * self.scale], self.offset, r,
                               rule.eps, rule.bias_factor)[0]


class LayerNorm(Layer):
    """Keras 3's LayerNormalization over the last axis (n features).

    y = (x - mean) k + beta with k = gamma / sqrt(var + epsilon), mean and
    var (biased) over the last axis, computed in Keras's order:
    inv = rsqrt(var + epsilon) gamma; y = x inv + (beta - mean inv).
    gamma or beta None: Keras's scale=False or center=False.
    """

    def __init__(self, gamma, beta, epsilon=1e-3):
        self.gamma = None if gamma is None else _weights(gamma, "gamma")
        self.beta = None if beta is None else _weights(beta, "beta")
        self.epsilon = check_real(epsilon, "epsilon")
        if self.epsilon < 0:
            raise ValueError(f"epsilon: expected a number >= 0, got "
                             f"{epsilon!r}")
        sizes = {a.shape for a in (self.gamma, self.beta) if a is not None}
        if len(sizes) > 1 or any(len(s) != 1 for s in sizes):
            raise ValueError(
                "gamma: expected shape (n,) and beta the same, got "
                f"{sizes}")
        self.in_features = sizes.pop()[0] if sizes else None

    def out_shape(self, shape):
        return _fits(shape, self.in_features, "LayerNorm")

    def forward(self, x, mask, keep=False):
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        inv = 1.0 / np.sqrt(var + self.epsilon)
        k = inv if self.gamma is None else inv * self.gamma
        res = -mean * k
        if self.beta is not None:
            res = res + self.beta
        y = x * k + res
        return y, mask, (x, mean, inv, k) if keep else None

    def backward(self, cache, dy):
        # x_hat = (x - mean) inv; dL/dx = inv (g - mean(g) - x_hat
        # mean(g x_hat)) with g = dy gamma
        x, mean, inv, _ = cache
        g = dy if self.gamma is None else dy * self.gamma
        x_hat = (x - mean) * inv
        return inv * (g - g.mean(axis=-1, keepdims=True) - x_hat * (
            g * x_hat).mean(axis=-1, keepdims=True))

    def relevance(self, cache, r, rule):
        """The epsilon rule with the spread held fixed (the LN rule of Ali
        et al. 2022): y_k = sum_j x_j (delta_jk - 1/n) k_k + beta_k."""
        x, _, _, k = cache
        n = x.shape[-1]
        shape = x.shape
        x, k, r = (a.reshape(-1, n) for a in (np.broadcast_to(x, shape),
                                               np.broadcast_to(k, shape),
                                               r))
        z = x[:, :, None] * (np.eye(n) - 1.0 / n) * k[:, None, :]  # x_j W_jk
        beta = 0.0 if self.beta is None else self.beta
        y = z.sum(axis=1) + beta  # (N, n)
        sign = np.where(y >= 0, 1.0, -1.0)
        scaled = _divide(r, y + rule.eps * sign)
        share = rule.bias_factor * (beta + rule.eps * sign) / n
        r_in = np.einsum("njk,nk->nj", z, scaled) + (share * scaled).sum(
            axis=1, keepdims=True)
        return r_in.reshape(shape)


class Masking(Layer):
    """Keras's Masking: a step whose features all equal ``mask_value`` is
    set to zeros and masked (skipped by every later LSTM)."""

    def __init__(self, mask_value=0.0):
        self.mask_value = check_real(mask_value, "mask_value")

    def out_shape(self, shape):
        if len(shape) != 2:
            raise ValueError(f"Masking expects sequences (T, n), got values "
                             f"of shape {shape}")
        return shape

    def forward(self, x, mask, keep=False):
        used = (x != self.mask_value).any(axis=-1)  # (batch, T)
        y = np.where(used[..., None], x, 0.0)
        return y, used, used if keep else None

    def backward(self, cache, dy):
        return np.where(cache[..., None], dy, 0.0)

    def relevance(self, cache, r, rule):
        return r  # a masked step keeps what reached its zeros

    def __repr__(self):
        return f"Masking({self.mask_value!r})"
