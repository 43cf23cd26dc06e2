"""The attribution methods through a whole ``Stack``: their guarantees.

Integrated gradients are complete, exact Shapley values efficient, LRP
conserves the forecast (bias_factor = 1), occlusion is the change Keras
itself computes, and each method that cannot run on a model says why
(``attribution.applies``), in the words its error uses.
"""

import numpy as np
import pytest

import lstmref
from helpers import random_params
from lstmref import attribution as A
from lstmref import stack as S
# E402-free: the Keras cases and their float64 fixture, shared
# float64_keras is an autouse fixture: imported to apply here too
from test_stack import build, float64_keras, keras_output  # noqa: F401

T, F = 6, 3


def models(seed=0):
    """Models without Keras: name -> Stack, random non-zero weights."""
    rng = np.random.default_rng(seed)

    def p(units, features, **kw):
        return random_params(rng, units, features, **kw)

    def dense(n_in, n_out, activation="linear"):
        return S.Dense(rng.normal(size=(n_in, n_out)),
                       rng.uniform(0.1, 1, n_out), activation)

    def bidi(units, seq, mode):
        return S.Bidirectional(S.Recurrent(p(units, F), seq),
                               S.Recurrent(p(units, F), seq, True), mode)

    out = {
        "stacked": S.Stack([
            S.Recurrent(p(4, F), True, True), S.Recurrent(p(3, 4), True),
            S.Recurrent(p(3, 3)), dense(3, 2)]),
        "stacked_masked_head": S.Stack([
            S.Masking(0.0), S.Affine(rng.uniform(0.5, 2, F),
                                     rng.normal(size=F)),
            S.Recurrent(p(4, F), True), S.Recurrent(p(3, 4), True, True),
            S.LayerNorm(rng.uniform(0.5, 2, 3), rng.normal(size=3)),
            dense(3, 4, "relu"), dense(4, 2), S.Step(-2)]),
    }
    for mode in ("concat", "sum", "ave"):
        out[f"bidirectional_{mode}"] = S.Stack([
            bidi(3, True, mode), S.Recurrent(p(3, 6 if mode == "concat"
                                               else 3)), dense(3, 2)])
        out[f"bidirectional_{mode}_last"] = S.Stack([
            bidi(3, False, mode), dense(6 if mode == "concat" else 3, 2)])
    out["stacked_leaky"] = S.Stack([  # drawn last: the others unchanged
        S.Recurrent(p(4, F), True), S.LeakyReLU(0.3), S.Recurrent(p(3, 4)),
        dense(3, 2)])
    return out


MODELS = models()
LRP_MODELS = sorted(MODELS)
IG_MODELS = ["stacked", "bidirectional_concat", "bidirectional_sum_last"]


def windows(seed, masked=False):
    x = np.random.default_rng(seed).normal(size=(4, T, F))
    if masked:
        x[0, :2] = 0.0
        x[2, 3] = 0.0
    return x


@pytest.mark.parametrize("name", IG_MODELS)
def test_ig_completeness_through_the_stack(name):
    net, x = MODELS[name], windows(1)
    base = np.full_like(x, 0.3)
    ig = A.integrated_gradients(net, x, baseline=base, output=1,
                                n_steps=48)
    gap = net.predict(x)[:, 1] - net.predict(base)[:, 1]
    assert np.abs(gap).min() > 1e-4  # a real change to explain
    np.testing.assert_allclose(ig.sum(axis=(1, 2)), gap, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", IG_MODELS)
def test_shapley_efficiency_through_the_stack(name):
    net, x = MODELS[name], windows(2)
    phi = A.shapley_steps(net, x, output=0)
    gap = net.predict(x)[:, 0] - net.predict(np.zeros_like(x))[:, 0]
    np.testing.assert_allclose(phi.sum(axis=1), gap, rtol=0, atol=1e-12)


@pytest.mark.parametrize("eps", [0.0, 1e-3])
@pytest.mark.parametrize("name", LRP_MODELS)
def test_lrp_conserves_the_forecast_through_the_stack(name, eps):
    net = MODELS[name]
    x = windows(3, masked="masked" in name)
    r_x, r_h, r_c = A.lrp(net, x, output=1, eps=eps, bias_factor=1.0,
                          with_initial_state=True)
    total = r_x.sum(axis=(1, 2)) + r_h.sum(axis=1) + r_c.sum(axis=1)
    np.testing.assert_allclose(total, net.predict(x)[:, 1], rtol=0,
                               atol=1e-12)
    # the control: half the bias shares go missing, and it shows
    r_x = A.lrp(net, x, output=1, eps=eps, bias_factor=0.5)
    assert np.abs(r_x.sum(axis=(1, 2)) - net.predict(x)[:, 1]).max() > 1e-3


def test_lrp_initial_states_are_one_pair_per_lstm_run():
    net = MODELS["bidirectional_concat"]  # 3 + 3 units, then 3
    _, r_h, r_c = A.lrp(net, windows(4), with_initial_state=True)
    assert r_h.shape == r_c.shape == (4, 9)


def test_masked_steps_get_no_relevance_from_an_lstm():
    net, x = MODELS["stacked_masked_head"], windows(5, masked=True)
    r_x = A.lrp(net, x, output=0)
    assert np.all(r_x[0, :2] == 0) and np.all(r_x[2, 3] == 0)
    assert np.all(r_x[1] != 0)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lrp_of_a_sequence_read_at_its_last_step_is_the_networks(
        go_backwards):
    """The sequence path of the LSTM rule: relevance put on the last
    output only gives what the one-layer rule gives on h_T."""
    rng = np.random.default_rng(6)
    params = random_params(rng, 3, F)
    D, d = rng.normal(size=(3, 2)), rng.normal(size=2)
    net = lstmref.Network(params, D, d, go_backwards=go_backwards)
    seq = S.Stack([S.Recurrent(params, True, go_backwards), S.Step(-1),
                   S.Dense(D, d)])
    x = windows(7)
    for ours, theirs in zip(A.lrp(seq, x, 1, with_initial_state=True),
                            A.lrp(net, x, 1, with_initial_state=True)):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", ["three_stacked_masked",
                                  "bidirectional_masked_sequences",
                                  "dense_on_sequences_step_2"])
def test_occlusion_is_the_change_keras_computes(name):
    model, net, x, step = build(name, 11)
    occ = A.occlusion(net, x, output=1)
    for t in range(x.shape[1]):
        hidden = x.copy()
        hidden[:, t] = 0.0
        expected = (keras_output(model, x, step)[:, 1]
                    - keras_output(model, hidden, step)[:, 1])
        np.testing.assert_allclose(occ[:, t], expected, rtol=0, atol=1e-12)


def test_cd_of_a_stack_that_is_one_lstm_and_dense_is_the_networks():
    rng = np.random.default_rng(8)
    params = random_params(rng, 3, F)
    D, d = rng.normal(size=(3, 2)), rng.normal(size=2)
    net = lstmref.Network(params, D, d, go_backwards=True)
    stack = S.Stack(net.layers)
    x = windows(9)
    for ours, theirs in zip(A.contextual_decomposition(stack, x, [1, 2], 1),
                            A.contextual_decomposition(net, x, [1, 2], 1)):
        np.testing.assert_array_equal(ours, theirs)


def test_cd_refuses_other_models_saying_why():
    with pytest.raises(ValueError) as caught:
        A.contextual_decomposition(MODELS["stacked"], windows(1), [0])
    assert str(caught.value) == (
        "net: contextual decomposition is defined here for one LSTM layer "
        "returning its last output, then one Dense layer; got Recurrent -> "
        "Recurrent -> Recurrent -> Dense")


@pytest.mark.parametrize("activation", ["softmax", "relu", "tanh"])
def test_cd_refuses_a_two_layer_stack_whose_dense_is_not_linear(activation):
    """LSTM -> Dense(softmax): the right shape, the wrong activation, and
    the refusal says so (softmax and relu are no gate activations, so no
    Network can even hold them; tanh can, and is refused the same way)."""
    rng = np.random.default_rng(11)
    stack = S.Stack([S.Recurrent(random_params(rng, 3, F)),
                     S.Dense(np.ones((3, 2)), None, activation)])
    reason = ("contextual decomposition needs a linear Dense activation, "
              f"got {activation!r}")
    assert A.applies("contextual_decomposition", stack) == reason
    with pytest.raises(ValueError) as caught:
        A.contextual_decomposition(stack, windows(1), [0])
    assert str(caught.value) == f"net: {reason}"


def lrp_refusals():
    rng = np.random.default_rng(10)
    p = random_params(rng, 3, F)
    lstm = S.Recurrent(p)
    return {
        "mul": (S.Stack([S.Bidirectional(lstm, S.Recurrent(p, False, True),
                                         "mul"), S.Dense(np.ones((3, 1)))]),
                "LRP has no rule for Bidirectional merge_mode 'mul' (a "
                "product of the two directions); concat, sum and ave are "
                "linear (layer 0: Bidirectional)"),
        "output_softmax": (S.Stack([lstm, S.Dense(np.ones((3, 2)), None,
                                                  "softmax")]),
                           "LRP needs a linear Dense activation, got "
                           "'softmax'"),
        "hidden_sigmoid": (
            S.Stack([lstm, S.Dense(np.ones((3, 2)), None, "sigmoid"),
                     S.Dense(np.ones((2, 1)))]),
            "LRP passes relevance only through activations that keep sign "
            f"and order and map 0 to 0 ({sorted(S.functions.LRP_PASS)}); a "
            "hidden Dense layer has 'sigmoid' (layer 1: Dense)"),
    }


@pytest.mark.parametrize("case", sorted(lrp_refusals()))
def test_lrp_refuses_layers_without_a_rule_saying_why(case):
    net, reason = lrp_refusals()[case]
    assert A.applies("lrp", net) == reason
    with pytest.raises(ValueError) as caught:
        A.lrp(net, windows(1))
    assert str(caught.value) == f"net: {reason}"


def test_applies_says_which_methods_run_on_which_model():
    rng = np.random.default_rng(12)
    params = random_params(rng, 3, F)
    tanh = lstmref.Network(params, np.ones((3, 1)), dense_activation="tanh")
    assert A.applies("lrp", tanh) == (
        "LRP needs a linear Dense activation, got 'tanh'")
    assert A.applies("contextual_decomposition", tanh) == (
        "contextual decomposition needs a linear Dense activation, got "
        "'tanh'")
    linear = lstmref.Network(params, np.ones((3, 1)))
    for method in A.METHODS:
        assert A.applies(method, linear) is None
        assert A.applies(method, linear, steps=14) is None
    assert A.applies("shapley_steps", linear, steps=15) == (
        "exact Shapley values need 2^T passes per window; T=15 > 14")
    stacked = MODELS["stacked"]
    assert [A.applies(m, stacked) is None for m in A.METHODS] == [
        True, True, True, False, True]


def test_applies_checks_its_arguments():
    with pytest.raises(ValueError, match=r"^method: expected one of "):
        A.applies("saliency", MODELS["stacked"])
    with pytest.raises(TypeError, match=r"^net: expected a Network .* or "
                                        r"a Stack .*, got LSTMParams"):
        A.applies("lrp", MODELS["stacked"].layers[0].params)


def test_each_layers_rule_is_the_epsilon_rule_written_out():
    """Conservation holds for many wrong rules; this checks the shares
    themselves, computed here from each layer's own formula, with
    bias_factor = 0 so that a bias share cannot hide a wrong term."""
    from lstmref.stack.base import Rule
    rng = np.random.default_rng(13)
    x, r = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    rule = Rule(eps=0.0, bias_factor=0.0)
    # Affine: R_j = x_j s_j / y_j R_j
    s, o = rng.uniform(0.5, 2, 5), rng.normal(size=5)
    layer = S.Affine(s, o)
    y, _, cache = layer.forward(x, None, True)
    np.testing.assert_allclose(layer.relevance(cache, r, rule),
                               x * s / y * r, rtol=1e-13)
    # LayerNorm, spread fixed: y_k = sum_j x_j W_jk + beta_k with
    # W = (I - 1/n) diag(gamma / sqrt(var + epsilon))
    gamma, beta = rng.uniform(0.5, 2, 5), rng.normal(size=5)
    layer = S.LayerNorm(gamma, beta, 1e-3)
    y, _, cache = layer.forward(x, None, True)
    for i in range(4):
        k = gamma / np.sqrt(x[i].var() + 1e-3)
        W = (np.eye(5) - 1 / 5) * k[None, :]
        expected = [sum(x[i, j] * W[j, m] / y[i, m] * r[i, m]
                        for m in range(5)) for j in range(5)]
        np.testing.assert_allclose(layer.relevance(cache, r, rule)[i],
                                   expected, rtol=1e-12)
    # Bidirectional sum of last outputs: R_f = y_f / (y_f + y_b) R
    p_f, p_b = random_params(rng, 3, F), random_params(rng, 3, F)
    fwd, bwd = S.Recurrent(p_f), S.Recurrent(p_b, False, True)
    layer = S.Bidirectional(fwd, bwd, "sum")
    xs = windows(14)
    y, _, cache = layer.forward(xs, None, True)
    r3 = rng.normal(size=y.shape)
    y_f, y_b = fwd.forward(xs, None)[0], bwd.forward(xs, None)[0]
    both = Rule(eps=0.0, bias_factor=0.0)
    ours = layer.relevance(cache, r3, both)
    one = Rule(eps=0.0, bias_factor=0.0)
    expected = (fwd.relevance(fwd.forward(xs, None, True)[2],
                              y_f / y * r3, one)
                + bwd.relevance(bwd.forward(xs, None, True)[2],
                                y_b / y * r3, one))
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", ["sum", "ave"])
def test_a_bidirectional_sequence_shares_relevance_in_input_time_order(
        mode):
    """Sequences of the two directions, merged by sum or ave: the share of
    output step t (input order) that the backward layer gets belongs to
    its own step T - 1 - t, where it computed that output. Written here
    from the two layers run alone; a share handed to the backward layer
    in the input's order instead gives other numbers."""
    from lstmref.stack.base import Rule
    rng = np.random.default_rng(21)
    half = 0.5 if mode == "ave" else 1.0
    fwd = S.Recurrent(random_params(rng, 3, F), True)
    bwd = S.Recurrent(random_params(rng, 3, F), True, True)
    layer = S.Bidirectional(fwd, bwd, mode)
    xs = windows(22)
    y, _, cache = layer.forward(xs, None, True)
    r = rng.normal(size=y.shape)  # (4, T, 3), input order
    y_f = fwd.forward(xs, None)[0] * half  # input order
    y_b = bwd.forward(xs, None)[0][:, ::-1] * half  # processing -> input
    np.testing.assert_allclose(y, y_f + y_b, rtol=0, atol=1e-15)
    rule = Rule(eps=0.0, bias_factor=0.0)
    expected = (fwd.relevance(fwd.forward(xs, None, True)[2], y_f / y * r,
                              rule)
                + bwd.relevance(bwd.forward(xs, None, True)[2],
                                (y_b / y * r)[:, ::-1], rule))
    ours = layer.relevance(cache, r, Rule(eps=0.0, bias_factor=0.0))
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)


def test_lrp_passes_relevance_only_through_sign_and_order_keeping_functions():
    """``LRP_PASS``, the activations a hidden layer may have under LRP,
    checked on a grid from the functions themselves: each maps 0 to 0,
    never turns an input's sign (relu's zeros allowed), and never
    decreases (a function with an offset, like softplus, or a dip, like
    gelu, would hand relevance to the wrong side)."""
    from lstmref.stack.functions import FUNCTIONS, LRP_PASS
    a = np.linspace(-8, 8, 3201)  # steps of 0.005, through 0
    assert 0.0 in a
    for name in sorted(LRP_PASS):
        y = FUNCTIONS[name](a)
        assert y[a == 0] == 0, name
        assert np.all(y * a >= 0), name
        assert np.all(np.diff(y) >= 0), name
    for name in ("softplus", "gelu", "silu", "sigmoid", "exponential"):
        assert name not in LRP_PASS  # each fails one of the three checks


def test_initial_state_shares_come_in_layer_order():
    """Two LSTMs of 4 and 3 units: r_h0 and r_c0 hold the first layer's
    4 columns, then the second's 3, each what that layer's rule gives
    when the relevance is carried down by hand, layer by layer."""
    from lstmref.stack.base import Rule
    rng = np.random.default_rng(31)
    first = S.Recurrent(random_params(rng, 4, F), True)
    second = S.Recurrent(random_params(rng, 3, 4))
    head = S.Dense(rng.normal(size=(3, 2)), rng.uniform(0.1, 1, 2))
    net = S.Stack([first, second, head])
    x = windows(32)
    _, r_h0, r_c0 = A.lrp(net, x, output=1, with_initial_state=True)
    rule = Rule(eps=1e-3, bias_factor=1.0)  # lrp's defaults
    h1, _, c1 = first.forward(x, None, True)
    h2, _, c2 = second.forward(h1, None, True)
    y, _, c3 = head.forward(h2, None, True)
    r = np.zeros_like(y)
    r[:, 1] = y[:, 1]
    r = second.relevance(c2, head.relevance(c3, r, rule), rule)
    first.relevance(c1, r, rule)
    (h_second, c_second), (h_first, c_first) = rule.states
    np.testing.assert_allclose(r_h0, np.hstack([h_first, h_second]),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r_c0, np.hstack([c_first, c_second]),
                               rtol=1e-12, atol=1e-15)
    assert np.abs(r_c0).min() > 0  # every column carries a share


def test_the_gradient_of_one_step_of_a_sequence_is_that_steps():
    """Step(2) of a sequence: d y_2 / d x by central differences; the
    steps after 2 have no effect on y_2 (their gradient is 0)."""
    rng = np.random.default_rng(33)
    net = S.Stack([S.Recurrent(random_params(rng, 4, F), True),
                   S.Dense(rng.normal(size=(4, 2)), rng.normal(size=2)),
                   S.Step(2)])
    x = windows(34)
    grad = net.input_gradient(x, 1)
    step = 1e-6
    numeric = np.zeros_like(x)
    for idx in np.ndindex(*x.shape[1:]):
        up, down = x.copy(), x.copy()
        up[(slice(None),) + idx] += step
        down[(slice(None),) + idx] -= step
        numeric[(slice(None),) + idx] = (
            net.predict(up)[:, 1] - net.predict(down)[:, 1]) / (2 * step)
    # central differences: error about step^2 plus round-off / step
    np.testing.assert_allclose(grad, numeric, rtol=0, atol=1e-7)
    assert np.all(grad[:, 3:] == 0) and np.abs(grad[:, :3]).max() > 0.01
