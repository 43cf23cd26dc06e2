"""LSTM layers of a ``Stack``: one direction (``Recurrent``) or both.

The time loop is ``lstmref.layer``'s, the backward pass ``lstmref.grad``'s
BPTT, the relevance rule Arras et al.'s (2017), written once here for
masks and sequence outputs.
"""

import numpy as np

from .._checks import check_flag
from ..layer import _arrange, _scan, _trace
from ..grad import _backward
from ..params import check_params
from .base import Layer, NoRule, lrp_elementwise

__all__ = ["Bidirectional", "MERGE_MODES", "Recurrent"]

#: How Keras's Bidirectional merges its two directions.
MERGE_MODES = ("concat", "sum", "ave", "mul")


class Recurrent(Layer):
    """One Keras LSTM layer: ``lstm(x, params, ...)`` with its flags.

    x (batch, T, input_dim) -> (batch, units), or (batch, T, units) with
    ``return_sequences``; then, with ``go_backwards``, in processing order
    (reversed), as Keras returns them. A mask (batch, T) makes the layer
    skip steps (states carry over); Keras hands the same mask on, in the
    input's order, when the layer returns sequences.
    """

    def __init__(self, params, return_sequences=False, go_backwards=False,
                 *, zero_output_for_mask=False):
        check_params(params)
        for name, flag in (("return_sequences", return_sequences),
                           ("go_backwards", go_backwards),
                           ("zero_output_for_mask", zero_output_for_mask)):
            check_flag(flag, name)
        self.params = params
        self.return_sequences = bool(return_sequences)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.in_features = params.input_dim

    @property
    def units(self):
        return self.params.units

    def out_shape(self, shape):
        if len(shape) != 2 or shape[1] != self.params.input_dim:
            raise ValueError(
                f"expected sequences (T, {self.params.input_dim}), got "
                f"{_shape_text(shape)}")
        return (shape[0], self.units) if self.return_sequences else (
            self.units,)

    def forward(self, x, mask, keep=False):
        xs, p, h0, c0, m = _arrange(x, self.params, (), mask,
                                    self.go_backwards)
        zero = self.zero_output_for_mask and m is not None
        mask_out = mask if self.return_sequences else None
        if not keep:
            outputs, _, _ = _scan(xs, p, h0, c0, m, zero, record=None,
                                  keep_outputs=self.return_sequences)
            y = outputs if self.return_sequences else outputs[:, -1]
            return y, mask_out, None
        tr = _trace(xs, p, h0, c0, m)
        # a masked step's output is the carried h (zeros before the first
        # used step, since h_0 = 0), or zeros with zero_output_for_mask
        seq = np.where(m[..., None], tr.h, 0.0) if zero else tr.h
        y = seq if self.return_sequences else seq[:, -1]
        return y, mask_out, (xs, p, tr, m if zero else None)

    def backward(self, cache, dy):
        xs, p, tr, zeroed = cache
        if zeroed is not None:  # outputs set to zero pass no gradient
            dy = dy * (zeroed if self.return_sequences else
                       zeroed[:, -1])[..., None]
        if self.return_sequences:
            return _backward(xs, p, tr, None, None, dy, self.go_backwards).x
        return _backward(xs, p, tr, dy, None, None, self.go_backwards).x

    def relevance(self, cache, r, rule):
        """Arras et al.'s rule, step by step from the last.

        h_t's relevance all goes to c_t (through o phi(c_t)); c_t = f
        c_{t-1} + i c_tilde shares it between c_{t-1} and i c_tilde by the
        epsilon rule; i c_tilde's goes through the candidate's weights to
        x_t and h_{t-1}; the gates take none. A masked step passes h's and
        c's relevance to the step before (they carried over); relevance of
        a masked step's zeroed output goes to the carried h as well.
        Appends (r_h0, r_c0) to ``rule.states``.
        """
        xs, p, tr, _ = cache
        batch, T, F = xs.shape
        u = p.units
        seq = self.return_sequences
        r_h = np.zeros((batch, u)) if seq else r
        r_c = np.zeros((batch, u))
        r_x = np.zeros_like(xs)
        W_c, U_c, b_c = p.gate("c")
        stacked = np.concatenate([W_c, U_c])  # (F + u, u): [x_t, h_{t-1}]
        ones = np.eye(2 * u)[:, :u] + np.eye(2 * u)[:, u:]  # [a, b] -> a+b
        for t in range(T - 1, -1, -1):
            if seq:
                r_h = r_h + r[:, t]
            h_prev = tr.h0 if t == 0 else tr.h[:, t - 1]
            c_prev = tr.c0 if t == 0 else tr.c[:, t - 1]
            r_c_new = r_c + r_h  # h_t = o * phi(c_t): all of it to c_t
            kept = tr.f[:, t] * c_prev
            written = tr.i[:, t] * tr.c_tilde[:, t]
            both = rule.linear(np.concatenate([kept, written], axis=1),
                               ones, np.zeros(u), r_c_new)
            r_in = rule.linear(np.concatenate([xs[:, t], h_prev], axis=1),
                               stacked, b_c, both[:, u:])
            used = tr.mask[:, t]
            if used.all():
                r_c, r_x[:, t], r_h = both[:, :u], r_in[:, :F], r_in[:, F:]
            else:  # skipped rows: h and c carried over, x_t unused
                keep = used[:, None]
                r_c = np.where(keep, both[:, :u], r_c)
                r_x[:, t] = np.where(keep, r_in[:, :F], 0.0)
                r_h = np.where(keep, r_in[:, F:], r_h)
        rule.states.append((r_h, r_c))
        return r_x[:, ::-1] if self.go_backwards else r_x

    def __repr__(self):
        return (f"Recurrent(units={self.units}, return_sequences="
                f"{self.return_sequences}, go_backwards={self.go_backwards})")


class Bidirectional(Layer):
    """Keras's Bidirectional: two LSTMs over the same input, merged.

    y = merge(y_forward, y_backward); with ``return_sequences`` the
    backward layer's outputs are flipped back to the input's time order
    first (Keras 3: ``ops.flip(y_rev, axis=1)``). merge: concat
    [y_f, y_b], sum y_f + y_b, ave (y_f + y_b) / 2, mul y_f * y_b. As
    Keras does, masked steps of returned sequences are zeros
    (``zero_output_for_mask`` is forced to ``return_sequences``).
    """

    def __init__(self, forward, backward, merge_mode="concat"):
        for name, layer in (("forward", forward), ("backward", backward)):
            if not isinstance(layer, Recurrent):
                raise TypeError(
                    f"{name}: expected a Recurrent, got "
                    f"{type(layer).__name__}")
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "backward: expected go_backwards different from forward's "
                f"(both are {forward.go_backwards})")
        if forward.return_sequences != backward.return_sequences:
            raise ValueError(
                "backward: expected return_sequences equal to forward's "
                f"({forward.return_sequences}), got "
                f"{backward.return_sequences}")
        if backward.params.input_dim != forward.params.input_dim:
            raise ValueError(
                f"backward: expected input_dim {forward.params.input_dim} "
                f"as forward's, got {backward.params.input_dim}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"merge_mode: expected one of {MERGE_MODES}, got "
                f"{merge_mode!r}")
        if merge_mode != "concat" and forward.units != backward.units:
            raise ValueError(
                f"backward: merge_mode {merge_mode!r} needs as many units "
                f"as forward's {forward.units}, got {backward.units}")
        seq = forward.return_sequences
        self.forward_layer, self.backward_layer = (
            Recurrent(r.params, seq, r.go_backwards,
                      zero_output_for_mask=seq) for r in (forward, backward))
        self.merge_mode = merge_mode
        self.return_sequences = seq
        self.in_features = forward.params.input_dim

    def out_shape(self, shape):
        out = self.forward_layer.out_shape(shape)
        if self.merge_mode == "concat":
            return out[:-1] + (out[-1] + self.backward_layer.units,)
        return out

    def forward(self, x, mask, keep=False):
        y_f, mask_out, c_f = self.forward_layer.forward(x, mask, keep)
        y_b, _, c_b = self.backward_layer.forward(x, mask, keep)
        if self.return_sequences:
            y_b = y_b[:, ::-1]  # back to the input's time order
        mode = self.merge_mode
        if mode == "concat":
            y = np.concatenate([y_f, y_b], axis=-1)
        elif mode == "sum":
            y = y_f + y_b
        elif mode == "ave":
            y = (y_f + y_b) / 2
        else:
            y = y_f * y_b
        return y, mask_out, (c_f, c_b, y_f, y_b) if keep else None

    def _split(self, cache, d):
        """Per-direction parts of d, each in its own layer's time order."""
        _, _, y_f, y_b = cache
        mode = self.merge_mode
        if mode == "concat":
            u = self.forward_layer.units
            d_f, d_b = d[..., :u], d[..., u:]
        elif mode == "sum":
            d_f = d_b = d
        elif mode == "ave":
            d_f = d_b = d / 2
        else:
            d_f, d_b = d * y_b, d * y_f
        return d_f, (d_b[:, ::-1] if self.return_sequences else d_b)

    def backward(self, cache, dy):
        dy_f, dy_b = self._split(cache, dy)
        return (self.forward_layer.backward(cache[0], dy_f)
                + self.backward_layer.backward(cache[1], dy_b))

    def lrp_refusal(self, last):
        if self.merge_mode == "mul":
            return ("LRP has no rule for Bidirectional merge_mode 'mul' "
                    "(a product of the two directions); concat, sum and "
                    "ave are linear")
        return None

    def relevance(self, cache, r, rule):
        """concat: each direction keeps its columns' relevance; sum, ave:
        the epsilon rule on y = y_f + y_b (or y_f / 2 + y_b / 2)."""
        reason = self.lrp_refusal(False)
        if reason:
            raise NoRule(reason)
        c_f, c_b, y_f, y_b = cache
        if self.merge_mode == "concat":
            r_f, r_b = self._split(cache, r)
        else:
            half = 0.5 if self.merge_mode == "ave" else 1.0
            r_f, r_b = lrp_elementwise([y_f * half, y_b * half], 0.0, r,
                                       rule.eps, rule.bias_factor)
            if self.return_sequences:
                r_b = r_b[:, ::-1]
        return (self.forward_layer.relevance(c_f, r_f, rule)
                + self.backward_layer.relevance(c_b, r_b, rule))

    def __repr__(self):
        return (f"Bidirectional({self.forward_layer!r}, "
                f"{self.backward_layer!r}, merge_mode={self.merge_mode!r})")


def _shape_text(shape):
    """(None, 3) -> '(T, 3)': a shape without batch, as a message says."""
    return "(" + ", ".join("T" if s is None else str(s) for s in shape) + (
        ",)" if len(shape) == 1 else ")")
