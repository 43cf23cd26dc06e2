"""Layers that only change a ``Stack``'s shapes: Flatten, Reshape, Step.

They drop Keras's mask, as Keras's Flatten and Reshape do. Their backward
pass and relevance rule put values back into the input's shape.
"""

import numpy as np

from .base import Layer

__all__ = ["Flatten", "Reshape", "Step"]


class Flatten(Layer):
    """(batch, T, n) -> (batch, T * n), as Keras's Flatten (row-major)."""

    def out_shape(self, shape):
        return (None,) if None in shape else (int(np.prod(shape)),)

    def forward(self, x, mask, keep=False):
        return x.reshape(len(x), -1), None, x.shape if keep else None

    def backward(self, cache, dy):
        return dy.reshape(cache)

    def relevance(self, cache, r, rule):
        return r.reshape(cache)


class Reshape(Layer):
    """Keras's Reshape: ``shape`` is the target without the batch axis;
    one entry may be -1 (inferred)."""

    def __init__(self, shape):
        if not isinstance(shape, (tuple, list)) or not shape or not all(
                isinstance(s, (int, np.integer)) and not isinstance(
                    s, bool) and (s > 0 or s == -1) for s in shape) or list(
                    shape).count(-1) > 1:
            raise ValueError(
                "shape: expected a tuple of positive ints (one may be -1), "
                f"got {shape!r}")
        self.shape = tuple(int(s) for s in shape)

    def out_shape(self, shape):
        if None in shape:
            return tuple(None if s == -1 else s for s in self.shape)
        size, known = int(np.prod(shape)), int(np.prod(
            [s for s in self.shape if s != -1]))
        if size % known or (-1 not in self.shape and size != known):
            raise ValueError(f"Reshape to {self.shape} cannot take values "
                             f"of shape {shape}")
        return tuple(size // known if s == -1 else s for s in self.shape)

    def forward(self, x, mask, keep=False):
        return (x.reshape(len(x), *self.shape), None,
                x.shape if keep else None)

    def backward(self, cache, dy):
        return dy.reshape(cache)

    def relevance(self, cache, r, rule):
        return r.reshape(cache)

    def __repr__(self):
        return f"Reshape({self.shape})"


class Step(Layer):
    """One step of a sequence: (batch, T, n) -> (batch, n), x[:, index].

    How a model whose output is a sequence is explained at step ``index``
    (-1: the last, as Python counts)."""

    def __init__(self, index=-1):
        if isinstance(index, bool) or not isinstance(index,
                                                     (int, np.integer)):
            raise TypeError(f"index: expected an integer, got "
                            f"{type(index).__name__} {index!r}")
        self.index = int(index)

    def out_shape(self, shape):
        if len(shape) != 2:
            raise ValueError(f"Step expects sequences (T, n), got values of "
                             f"shape {shape}")
        T = shape[0]
        if T is not None and not -T <= self.index < T:
            raise ValueError(f"index: expected a step from {-T} to {T - 1}, "
                             f"got {self.index}")
        return shape[1:]

    def forward(self, x, mask, keep=False):
        T = x.shape[1]
        if not -T <= self.index < T:
            need = self.index + 1 if self.index >= 0 else -self.index
            raise ValueError(f"x: Step({self.index}) needs at least {need} "
                             f"steps, got T={T}")
        return x[:, self.index], None, x.shape if keep else None

    def backward(self, cache, dy):
        dx = np.zeros(cache, dy.dtype)
        dx[:, self.index] = dy
        return dx

    def relevance(self, cache, r, rule):
        return self.backward(cache, r)

    def __repr__(self):
        return f"Step({self.index})"

