"""LRP on many units, backwards layers and heads without bias, against the
rule of Arras et al. (2017) written here element by element.

``test_exact_rules`` checks the rule in fractions on one unit; this file
checks what one unit cannot show: which unit and which weight column each
share uses, the time order of a ``go_backwards`` layer, the output column
of a head with several outputs, a head or layer without bias. The
reference below is plain Python over scalars (``math``, loops over units
and inputs), with its own forward pass; it shares no line with lstmref.

The rule, for a linear map z_k = sum_j a_j w_jk + b_k over n inputs, with
s_k = +1 if z_k >= 0 else -1 and the bias factor beta::

    R_j = sum_k (a_j w_jk + beta (b_k + eps s_k) / n) / (z_k + eps s_k) R_k

The forecast y = h_T D[:, out] + d[out] is the relevance at the top;
h_t passes all of its relevance to c_t; c_t = f c_{t-1} + i g splits it
between its two terms by the rule (no bias), as one map from the 2u terms
[f c_{t-1}, i g] to the u cells with n = 2u, as Arras et al.'s reference
code does (so each cell's stabiliser share reaches every term); the written part
i g goes to g ("signal-take-all": gates take none), and g's relevance
flows back through z_g = x_t W_g + h_{t-1} U_g + b_g (n = F + u).
"""

import itertools
import math

import numpy as np
import pytest

from lstmref import attribution as A
from lstmref.network import Network
from helpers import random_params


def forward(x, kernel, recurrent, bias, units):
    """Every step's (x_t, h_prev, c_prev, i, f, g, c, h) in reading order
    of the layer (already reversed for go_backwards); lists of floats."""
    u = units
    h, c, steps = [0.0] * u, [0.0] * u, []
    for x_t in x:
        z = [sum(x_t[k] * kernel[k][col] for k in range(len(x_t)))
             + sum(h[k] * recurrent[k][col] for k in range(u)) + bias[col]
             for col in range(4 * u)]
        i = [1 / (1 + math.exp(-z[j])) for j in range(u)]
        f = [1 / (1 + math.exp(-z[u + j])) for j in range(u)]
        g = [math.tanh(z[2 * u + j]) for j in range(u)]
        o = [1 / (1 + math.exp(-z[3 * u + j])) for j in range(u)]
        c_new = [f[j] * c[j] + i[j] * g[j] for j in range(u)]
        h_new = [o[j] * math.tanh(c_new[j]) for j in range(u)]
        steps.append(dict(x=list(x_t), h_prev=h, c_prev=c, i=i, f=f, g=g,
                          c=c_new, z_g=z[2 * u:3 * u]))
        h, c = h_new, c_new
    return steps, h


def share(a, w, b, z, relevance, eps, beta):
    """The rule above: inputs a (n,), weights w[j][k], biases b (m,),
    outputs z (m,), relevance (m,) -> relevance of each input (n,)."""
    n = len(a)
    out = [0.0] * n
    for k, (z_k, r_k) in enumerate(zip(z, relevance)):
        s = 1.0 if z_k >= 0 else -1.0
        for j in range(n):
            out[j] += ((a[j] * w[j][k] + beta * (b[k] + eps * s) / n)
                       / (z_k + eps * s) * r_k)
    return out


def lrp_reference(x, params, D, d, output, go_backwards, eps, beta):
    """r_x (T, F) in the caller's time order, r_h0 (u,), r_c0 (u,)."""
    u, F = params.units, params.input_dim
    kernel, recurrent = params.kernel.tolist(), params.recurrent_kernel.tolist()
    bias = [0.0] * (4 * u) if params.bias is None else params.bias.tolist()
    order = list(range(len(x)))[::-1] if go_backwards else list(range(len(x)))
    steps, h_T = forward([x[t] for t in order], kernel, recurrent, bias, u)
    d_out = 0.0 if d is None else float(d[output])
    column = [[float(D[j, output])] for j in range(u)]
    y = sum(h_T[j] * column[j][0] for j in range(u)) + d_out
    r_h = share(h_T, column, [d_out], [y], [y], eps, beta)
    r_c = [0.0] * u
    r_x = [[0.0] * F for _ in x]
    for position in range(len(x) - 1, -1, -1):
        st = steps[position]
        r_c = [r_c[j] + r_h[j] for j in range(u)]
        # c = [kept, written] summed pairwise: one map from 2u inputs to u
        # outputs, n = 2u as in Arras et al.'s code (bias_nb_units = 2 d)
        kept = [st["f"][j] * st["c_prev"][j] for j in range(u)]
        written = [st["i"][j] * st["g"][j] for j in range(u)]
        pairs = [[1.0 if k == j % u else 0.0 for k in range(u)]
                 for j in range(2 * u)]
        both = share(kept + written, pairs, [0.0] * u, st["c"], r_c, eps,
                     beta)
        r_prev, r_written = both[:u], both[u:]
        inputs = st["x"] + st["h_prev"]
        weights = [[kernel[k][2 * u + m] for m in range(u)] for k in range(F)] \
            + [[recurrent[k][2 * u + m] for m in range(u)] for k in range(u)]
        back = share(inputs, weights, bias[2 * u:3 * u], st["z_g"],
                     r_written, eps, beta)
        r_x[order[position]] = back[:F]
        r_h, r_c = back[F:], r_prev
    return np.array(r_x), np.array(r_h), np.array(r_c)


CASES = list(itertools.product([False, True], [False, True], [True, False],
                               [1.0, 0.5]))


@pytest.mark.parametrize("go_backwards,head_bias,layer_bias,beta", CASES,
                         ids=lambda v: str(v))
def test_lrp_equals_the_rule_written_element_by_element(
        go_backwards, head_bias, layer_bias, beta):
    rng = np.random.default_rng(71)
    params = random_params(rng, 3, 2, use_bias=layer_bias, scale=1.5)
    D = rng.normal(size=(3, 2))
    d = rng.uniform(0.2, 1.0, 2) * np.array([1, -1]) if head_bias else None
    net = Network(params, D, d, go_backwards=go_backwards)
    x = rng.normal(size=(2, 5, 2))
    for output in (0, 1):
        r_x, r_h0, r_c0 = A.lrp(net, x, output=output, eps=1e-3,
                                bias_factor=beta, with_initial_state=True)
        for b in range(2):
            want_x, want_h, want_c = lrp_reference(
                x[b].tolist(), params, D, d, output, go_backwards, 1e-3, beta)
            np.testing.assert_allclose(r_x[b], want_x, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(r_h0[b], want_h, rtol=1e-9,
                                       atol=1e-12)
            np.testing.assert_allclose(r_c0[b], want_c, rtol=1e-9,
                                       atol=1e-12)


def test_the_reference_sees_different_relevance_at_every_step():
    """Guard: the example moves relevance to every step and feature, so a
    mix-up of steps or columns cannot hide behind zeros or symmetry."""
    rng = np.random.default_rng(71)
    params = random_params(rng, 3, 2, scale=1.5)
    D = rng.normal(size=(3, 2))
    x = rng.normal(size=(1, 5, 2))
    r_x, _, _ = lrp_reference(x[0].tolist(), params, D, None, 1, True, 1e-3,
                              1.0)
    assert np.all(np.abs(r_x) > 1e-6)
    assert len(np.unique(np.round(r_x, 9))) == r_x.size


def test_lrp_with_eps_0_is_the_plain_rule():
    """eps = 0 is allowed (eps >= 0): the z-rule with no stabiliser."""
    rng = np.random.default_rng(72)
    params = random_params(rng, 3, 2, scale=1.5)
    D, d = rng.normal(size=(3, 1)), np.array([0.4])
    x = rng.normal(size=(1, 4, 2))
    r_x = A.lrp(Network(params, D, d), x, eps=0.0)
    want, _, _ = lrp_reference(x[0].tolist(), params, D, d, 0, False, 0.0,
                               1.0)
    np.testing.assert_allclose(r_x[0], want, rtol=1e-9, atol=1e-12)
