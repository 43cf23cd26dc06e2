"""LRP and contextual decomposition against their papers' rules, worked in
exact arithmetic on a one-unit network.

With ``activation="linear"`` and ``recurrent_activation=
"hard_sigmoid_keras2"`` (clip(0.2 z + 0.5, 0, 1)) and weights that are
fractions, every value of the network is a fraction, so the rules can be
applied here with Python's ``Fraction``, written from the papers, with no
float and no line of lstmref's code:

* LRP, Arras et al. (2017), the epsilon rule through a linear map
  z_j = sum_i x_i w_ij + b_j, for each input i of output j::

      R_i<-j = (x_i w_ij + (eps sign(z_j) + delta b_j) / N)
               / (z_j + eps sign(z_j)) R_j

  with N the number of inputs; c_t = f c_{t-1} + i g splits R_c between
  its two terms by the same rule (no bias); gates take no relevance
  ("signal-take-all"): the product i g passes all of it to g.
* CD, Murdoch, Liu and Yu (2018): each gate's activation of
  (relevant + irrelevant + bias) is shared by the two-player Shapley
  average with the bias as reference point, products go to the relevant
  part only when no factor is irrelevant, and the bias x bias product of
  the input gate and candidate is relevant at the chosen steps.

Only the delta = 1 case is worked here, in fractions. Like Arras et al.'s
reference code (``lrp_linear``: the numerator adds bias_factor * (b + eps
sign) / N), lstmref multiplies the epsilon share by ``bias_factor`` too;
``tests/test_lrp_reference.py`` checks bias_factor 0.5 that way, in floats.
"""

from fractions import Fraction as Q

import numpy as np
import pytest

import lstmref
from lstmref import attribution as A

# One unit, one feature: gate order i, f, c, o, as Keras packs them.
W = [Q(1, 2), Q(-1, 4), Q(3, 4), Q(1, 4)]
U = [Q(1, 4), Q(1, 2), Q(-1, 2), Q(3, 8)]
B = [Q(1, 4), Q(5, 2), Q(-1, 4), Q(1, 2)]  # b_f large: f clips at 1 once
D, DB = Q(3, 2), Q(1, 4)
X = [Q(1), Q(-2), Q(3, 2)]  # three steps
EPS = Q(1, 1000)


def sigma(z):
    """Keras 1.x/2.x hard_sigmoid, exactly: clip(z / 5 + 1 / 2, 0, 1)."""
    return min(Q(1), max(Q(0), z / 5 + Q(1, 2)))


def forward():
    """Every step's gates and states, in fractions."""
    h, c, steps = Q(0), Q(0), []
    for x in X:
        z = [x * w + h * u + b for w, u, b in zip(W, U, B)]
        i, f, g, o = sigma(z[0]), sigma(z[1]), z[2], sigma(z[3])
        c_new = f * c + i * g
        steps.append(dict(x=x, h_prev=h, c_prev=c, i=i, f=f, g=g, o=o,
                          c=c_new, h=o * c_new))
        h, c = o * c_new, c_new
    return steps


def epsilon_rule(inputs, weights, bias, relevance, delta=1):
    """R of each input of one linear output (Arras et al. 2017)."""
    z = sum(x * w for x, w in zip(inputs, weights)) + bias
    s = 1 if z >= 0 else -1
    n = len(inputs)
    return [(x * w + (EPS * s + delta * bias) / n) / (z + EPS * s)
            * relevance for x, w in zip(inputs, weights)]


def lrp_by_hand():
    """Relevance of each x_t, and of h_0 and c_0, for y = D h_T + d."""
    steps = forward()
    y = D * steps[-1]["h"] + DB
    (r_h,) = epsilon_rule([steps[-1]["h"]], [D], DB, y)
    r_c, r_x = Q(0), [None] * len(X)
    for t in reversed(range(len(X))):
        s = steps[t]
        r_c += r_h  # h_t = o phi(c_t): all to c_t
        r_c, r_g = epsilon_rule([s["f"] * s["c_prev"], s["i"] * s["g"]],
                                [1, 1], 0, r_c)
        # g = z_c = x W_c + h U_c + b_c (linear activation)
        r_x[t], r_h = epsilon_rule([s["x"], s["h_prev"]], [W[2], U[2]],
                                   B[2], r_g)
    return r_x, r_h, r_c


def shapley_share(act, rel, irr, base):
    """Murdoch et al.'s two-player share of act(rel + irr + base)."""
    a_b = act(base)
    r = ((act(rel + base) - a_b) + (act(rel + irr + base) - act(irr + base)))
    q = ((act(irr + base) - a_b) + (act(rel + irr + base) - act(rel + base)))
    return r / 2, q / 2, a_b


def linear(z):
    """The candidate's activation in this example."""
    return z


def cd_by_hand(chosen):
    """Relevant and irrelevant parts of y for the steps ``chosen``."""
    rel_h = irr_h = rel_c = irr_c = Q(0)
    for t, x in enumerate(X):
        x_rel, x_irr = (x, Q(0)) if t in chosen else (Q(0), x)
        z_rel = [x_rel * w + rel_h * u for w, u in zip(W, U)]
        z_irr = [x_irr * w + irr_h * u for w, u in zip(W, U)]
        i_r, i_q, i_b = shapley_share(sigma, z_rel[0], z_irr[0], B[0])
        f_r, f_q, f_b = shapley_share(sigma, z_rel[1], z_irr[1], B[1])
        g_r, g_q, g_b = shapley_share(linear, z_rel[2], z_irr[2], B[2])
        o = sigma(z_rel[3] + z_irr[3] + B[3])
        rel_new = (f_r + f_b) * rel_c + i_r * (g_r + g_b) + i_b * g_r
        irr_new = ((f_r + f_q + f_b) * irr_c + f_q * rel_c
                   + i_q * (g_r + g_q + g_b) + (i_r + i_b) * g_q)
        if t in chosen:
            rel_new += i_b * g_b
        else:
            irr_new += i_b * g_b
        rel_c, irr_c = rel_new, irr_new
        # phi = linear: phi(rel + irr) splits into rel and irr exactly
        rel_h, irr_h = o * rel_c, o * irr_c
    return D * rel_h, D * irr_h + DB


@pytest.fixture
def net():
    def row(values):
        return np.array([[float(v) for v in values]])
    params = lstmref.LSTMParams(
        row(W), row(U), row(B)[0], activation="linear",
        recurrent_activation="hard_sigmoid_keras2")
    return lstmref.Network(params, np.array([[float(D)]]),
                           np.array([float(DB)]))


@pytest.fixture
def x():
    return np.array([[[float(v)] for v in X]])  # (1, T, 1)


def test_the_example_clips_a_gate_and_moves_every_relevance(net, x):
    """Guards that the example exercises the rules: a clipped gate, and
    no relevance that is zero by accident."""
    assert any(s["f"] == 1 for s in forward())
    r_x, r_h, r_c = lrp_by_hand()
    assert all(r != 0 for r in r_x)


def assert_is_lrp_by_hand(r_x, r_h0, r_c0):
    """lstmref's relevances (of x, h0, c0) are lrp_by_hand()'s to 1e-12."""
    x_hand, h_hand, c_hand = lrp_by_hand()
    np.testing.assert_allclose(r_x[0, :, 0], [float(r) for r in x_hand],
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose([r_h0[0, 0], r_c0[0, 0]],
                               [float(h_hand), float(c_hand)],
                               rtol=1e-12, atol=1e-15)


def test_lrp_equals_the_epsilon_rule_worked_in_fractions(net, x):
    r_x, r_h0, r_c0 = A.lrp(net, x, eps=float(EPS), bias_factor=1.0,
                            with_initial_state=True)
    assert_is_lrp_by_hand(r_x, r_h0, r_c0)


@pytest.mark.parametrize("chosen", [(0,), (1,), (2,), (0, 2), (0, 1, 2),
                                    ()])
def test_contextual_decomposition_equals_the_rules_worked_in_fractions(
        net, x, chosen):
    rel, irr = A.contextual_decomposition(net, x, list(chosen))
    rel_hand, irr_hand = cd_by_hand(set(chosen))
    np.testing.assert_allclose([rel[0], irr[0]],
                               [float(rel_hand), float(irr_hand)],
                               rtol=1e-12, atol=1e-15)


def test_lrp_defaults_are_the_documented_eps_1e_3_and_bias_factor_1(net, x):
    """Called without eps and bias_factor, lrp is the rule worked in
    fractions with eps = 1/1000 and the bias shared (bias_factor 1)."""
    r_x, r_h0, r_c0 = A.lrp(net, x, with_initial_state=True)
    assert_is_lrp_by_hand(r_x, r_h0, r_c0)
