"""Attribution methods in the cases the main tests leave out: a
go_backwards network, and every way of naming the steps of contextual
decomposition, right and wrong.

Written to kill mutants that survived ``make mutation`` (see
benchmarks/mutation_report.txt). Forecasts come from the same network
built in Keras; the go_backwards cases rest on a symmetry: a layer that
reads the window backwards is the forward layer on the reversed window.
"""

import numpy as np
import pytest

from lstmref import attribution as A
from lstmref.network import Network
from helpers import keras_twin, random_params

T = 6


def networks(seed=61, twin=False):
    """(forward Network, the same weights reading backwards, Keras twin of
    the backward one if ``twin`` (else None), windows x (3, T, 2))."""
    rng = np.random.default_rng(seed)
    params = random_params(rng, 3, 2, scale=1.5)
    D, d = rng.normal(size=(3, 2)), rng.normal(size=2)
    forward = Network(params, D, d)
    backward = Network(params, D, d, go_backwards=True)
    x = rng.normal(size=(3, T, 2))
    if not twin:
        return forward, backward, None, x
    return forward, backward, keras_twin(backward), x


def refusal(call):
    """The message of the ValueError that ``call()`` raises."""
    with pytest.raises(ValueError) as caught:
        call()
    return str(caught.value)


@pytest.mark.parametrize("steps", [[0], [T - 1], [1, 4], [], list(range(T))])
def test_cd_of_a_backward_layer_is_cd_of_the_reversed_window(steps):
    forward, backward, model, x = networks(twin=True)
    ours = A.contextual_decomposition(backward, x, steps, output=1)
    mirrored = [T - 1 - s for s in steps]
    theirs = A.contextual_decomposition(forward, x[:, ::-1], mirrored,
                                        output=1)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    # and the parts sum to the Keras layer's forecast
    np.testing.assert_allclose(sum(ours), np.asarray(model(x))[:, 1],
                               rtol=0, atol=1e-10)


def test_cd_with_every_step_chosen_leaves_only_the_dense_bias():
    """No input is irrelevant: the irrelevant part of h stays exactly 0
    (tanh(0) = 0), and only the Dense bias, sent to irrelevant by the
    documented convention, remains there."""
    forward, _, model, x = networks(62)
    relevant, irrelevant = A.contextual_decomposition(forward, x,
                                                      list(range(T)))
    np.testing.assert_array_equal(irrelevant, forward.dense_bias[0])
    np.testing.assert_allclose(relevant + irrelevant,
                               forward.predict(x)[:, 0], atol=1e-12)


@pytest.mark.parametrize("steps", [[-1], [-T], [-T, T - 1], np.int64(2),
                                   np.array([0, 1], np.uint8)])
def test_cd_accepts_every_valid_step_index(steps):
    forward, _, _, x = networks(63)
    relevant, _ = A.contextual_decomposition(forward, x, steps)
    positive = np.atleast_1d(steps) % T
    np.testing.assert_array_equal(
        relevant, A.contextual_decomposition(forward, x, positive)[0])


@pytest.mark.parametrize("steps, shown", [
    ([T], f"[{T}]"), ([-T - 1], f"[{-T - 1}]"), ([0, 99], "[0, 99]"),
    ([0.0, 1.0], "[0.0, 1.0]"), ([[0, 1]], "[[0, 1]]"),
    (np.array([True, False]), "[True, False]"),
])
def test_cd_refuses_bad_steps_with_the_valid_range(steps, shown):
    forward, _, _, x = networks(64)
    with pytest.raises(ValueError) as caught:
        A.contextual_decomposition(forward, x, steps)
    assert str(caught.value) == (
        f"steps: expected step indices from 0 to {T - 1}, got {shown}")


@pytest.mark.parametrize("method", ["cd", "lrp"])
def test_methods_needing_a_linear_head_say_so(method):
    forward, _, _, x = networks(65)
    net = Network(forward.params, forward.dense_kernel, forward.dense_bias,
                  dense_activation="tanh")
    with pytest.raises(ValueError) as caught:
        if method == "cd":
            A.contextual_decomposition(net, x, [0])
        else:
            A.lrp(net, x)
    name = ("contextual decomposition" if method == "cd" else "LRP")
    assert str(caught.value) == (
        f"net: {name} needs a linear Dense activation, got 'tanh'")


@pytest.mark.parametrize("activation", ["sigmoid", "hard_sigmoid", "relu"])
@pytest.mark.parametrize("dense_bias", [True, False])
def test_cd_parts_sum_to_the_forecast_for_any_activation(activation,
                                                         dense_bias):
    """phi(0) is not 0 for a sigmoid activation, so the part of h that no
    input explains is not 0 either; with or without a Dense bias the two
    parts still sum to the forecast (computed by the equations by hand)."""
    rng = np.random.default_rng(66)
    params = random_params(rng, 3, 2, activation=activation, scale=1.5)
    D = rng.normal(size=(3, 2))
    d = rng.normal(size=2) if dense_bias else None
    net = Network(params, D, d)
    x = rng.normal(size=(4, T, 2))
    act = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)),
           "hard_sigmoid": lambda z: np.clip(z / 6 + 0.5, 0, 1),
           "relu": lambda z: np.maximum(z, 0)}[activation]
    h = c = np.zeros((4, 3))
    for t in range(T):
        z = x[:, t] @ params.kernel + h @ params.recurrent_kernel \
            + params.bias
        i, f, o = (1 / (1 + np.exp(-z[:, k:k + 3])) for k in (0, 3, 9))
        c = f * c + i * act(z[:, 6:9])
        h = o * act(c)
    forecast = h @ D[:, 1] + (0.0 if d is None else d[1])
    for steps in ([0, 2], [], [T - 1]):
        relevant, irrelevant = A.contextual_decomposition(net, x, steps,
                                                          output=1)
        np.testing.assert_allclose(relevant + irrelevant, forecast,
                                   rtol=0, atol=1e-12)


def test_lrp_epsilon_rule_at_a_zero_output_takes_sign_plus_one():
    """At y = 0 exactly the stabiliser is +eps, as in Arras et al.'s code
    (sign = where(y >= 0, 1, -1)). x = [1, -1], w = [1, 1], b = 0: y = 0,
    R_j = (x_j w_j + (b + eps) / 2) / eps, so with eps = 0.1 the shares of
    R = 1 are 1.05 / 0.1 and -0.95 / 0.1; they sum to R."""
    shares = A._lrp_linear(np.array([[1.0, -1.0]]), np.ones((2, 1)),
                           np.zeros(1), np.ones((1, 1)), 0.1, 1.0)
    np.testing.assert_allclose(shares, [[10.5, -9.5]], rtol=1e-14)


@pytest.mark.parametrize("eps,shown", [(-1.0, "-1.0"), (np.inf, "inf"),
                                       (np.nan, "nan")])
def test_lrp_refuses_an_eps_that_is_negative_or_not_finite(eps, shown):
    net, _, _, x = networks()
    assert refusal(lambda: A.lrp(net, x, eps=eps)) == (
        f"eps: expected a finite number >= 0, got {shown}")


def test_lrp_names_with_initial_state_when_it_is_not_a_bool():
    net, _, _, x = networks()
    with pytest.raises(TypeError) as error:
        A.lrp(net, x, with_initial_state=1)
    assert str(error.value) == (
        "with_initial_state: expected True or False, got int 1")


def test_methods_explain_output_0_when_no_output_is_given():
    """The default output is the first: occlusion, Shapley and IG without
    ``output`` measure Keras's output 0 (each difference taken from the
    Keras twin's own forecasts)."""
    _, backward, twin, x = networks(twin=True)
    base = np.zeros_like(x)

    def f(v):
        return np.asarray(twin(v))[:, 0]
    occluded = []
    for t in range(T):
        v = x.copy()
        v[:, t] = 0.0
        occluded.append(f(x) - f(v))
    np.testing.assert_allclose(A.occlusion(backward, x),
                               np.stack(occluded, 1), rtol=0, atol=1e-12)
    ig = A.integrated_gradients(backward, x, n_steps=64)
    np.testing.assert_allclose(ig.sum(axis=(1, 2)), f(x) - f(base),
                               rtol=0, atol=1e-6)
    phi = A.shapley_steps(backward, x[:, :4])
    np.testing.assert_allclose(phi.sum(axis=1),
                               f(x[:, :4]) - f(base[:, :4]), atol=1e-12)
    assert not np.allclose(f(x), np.asarray(twin(x))[:, 1])



def test_shapley_takes_windows_up_to_max_shapley_steps_and_no_longer():
    net, _, _, _ = networks()
    rng = np.random.default_rng(62)
    n = A.MAX_SHAPLEY_STEPS
    x = rng.normal(size=(1, n, 2))
    phi = A.shapley_steps(net, x)
    assert phi.shape == (1, n)
    np.testing.assert_allclose(
        phi.sum(), (net.predict(x) - net.predict(np.zeros_like(x)))[0, 0],
        rtol=0, atol=1e-10)
    with pytest.raises(ValueError, match=str(n)):
        A.shapley_steps(net, rng.normal(size=(1, n + 1, 2)))


@pytest.mark.parametrize("bad", [2.5, 40.0, "32", None, True, False, 1, 0,
                                 -3])
def test_ig_refuses_an_n_steps_that_is_no_integer_of_at_least_two(bad):
    """Floats (even 40.0), strings, None and bools are refused like 1, 0
    and negative counts, naming the argument and what it got."""
    forward, _, _, x = networks()
    assert refusal(lambda: A.integrated_gradients(forward, x, n_steps=bad)) \
        == f"n_steps: expected an integer >= 2, got {bad!r}"


def test_ig_refuses_an_unknown_quadrature_listing_the_known_ones():
    forward, _, _, x = networks()
    assert refusal(lambda: A.integrated_gradients(
        forward, x, method="simpson")) == (
        "method: expected one of ('gausslegendre', 'riemann_left', "
        "'riemann_right', 'riemann_middle', 'riemann_trapezoid'), got "
        "'simpson'")


def test_ig_default_is_32_gauss_legendre_nodes_as_documented():
    """The book and the command quote n_steps=32 Gauss-Legendre: the
    default call must be that one, bit for bit."""
    forward, _, _, x = networks()
    default = A.integrated_gradients(forward, x, output=1)
    stated = A.integrated_gradients(forward, x, output=1, n_steps=32,
                                    method="gausslegendre")
    assert default.tobytes() == stated.tobytes()
    other = A.integrated_gradients(forward, x, output=1, n_steps=33)
    assert other.tobytes() != stated.tobytes()  # control: n matters


METHODS = {"ig": A.integrated_gradients, "occlusion": A.occlusion,
           "shapley": A.shapley_steps, "lrp": A.lrp,
           "cd": lambda net, x: A.contextual_decomposition(net, x, [0])}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_method_refuses_bad_windows_naming_x_in_full(method):
    """Windows with one feature too many, a window without its batch
    axis, a NaN, or text: each gets the methods' own message about x, in
    full (not a later error from deep inside)."""
    net, _, _, x = networks()
    call = METHODS[method]
    wide = np.concatenate([x, x[..., :1]], axis=2)  # (3, T, 3)
    assert refusal(lambda: call(net, wide)) == (
        f"x: expected shape (batch, T, 2) with batch, T >= 1, got "
        f"(3, {T}, 3)")
    assert refusal(lambda: call(net, x[0])) == (  # one window, 2-D
        f"x: expected shape (batch, T, 2) with batch, T >= 1, got ({T}, 2)")
    holed = x.copy()
    holed[1, 2, 0] = np.nan
    assert refusal(lambda: call(net, holed)) == (
        "x: expected finite numbers, got nan at index (1, 2, 0) (1 "
        "non-finite value(s) in all)")
    with pytest.raises(TypeError) as caught:
        call(net, np.full((3, T, 2), "a"))
    assert str(caught.value) == (
        "x: expected an array of real numbers, got dtype <U1 (from ndarray)")


BASELINE_METHODS = {"ig": A.integrated_gradients, "occlusion": A.occlusion,
                    "shapley": A.shapley_steps}


@pytest.mark.parametrize("method", sorted(BASELINE_METHODS))
def test_each_method_refuses_a_bad_baseline_naming_it_in_full(method):
    """A baseline of another shape, with a NaN, or of text."""
    net, _, _, x = networks()
    call = BASELINE_METHODS[method]
    assert refusal(lambda: call(net, x, np.zeros(3))) == (
        f"baseline: expected shape (3, {T}, 2) (one per window), ({T}, 2) "
        "(one window for all) or (2,) (one day for all), got (3,)")
    assert refusal(lambda: call(net, x, np.array([0.0, np.inf]))) == (
        "baseline: expected finite numbers, got inf at index (1,) (1 "
        "non-finite value(s) in all)")
    with pytest.raises(TypeError) as caught:
        call(net, x, np.array(["a", "b"]))
    assert str(caught.value) == ("baseline: expected an array of real "
                                 "numbers, got dtype <U1 (from ndarray)")


def test_a_float64_baseline_keeps_a_float32_run_in_float32():
    """The baseline takes the windows' float type, as the layer's
    initial states do: a float32 network given float32 windows and a
    float64 baseline attributes in float32, to float32's rounding of the
    all-float64 run."""
    rng = np.random.default_rng(67)
    params = random_params(rng, 3, 2, dtype=np.float32)
    D = rng.normal(size=(3, 2)).astype(np.float32)
    d = rng.normal(size=2).astype(np.float32)
    net = Network(params, D, d)
    wide = Network(random_params(np.random.default_rng(67), 3, 2), D.astype(
        np.float64), d.astype(np.float64))  # the same numbers in float64
    x = rng.normal(size=(3, T, 2)).astype(np.float32)
    baseline = rng.normal(size=2)  # float64
    for call in (A.integrated_gradients, A.occlusion):  # (Shapley sums
        got = call(net, x, baseline)  # its weighted terms in float64)
        assert got.dtype == np.float32, call.__name__
        exact = call(wide, x.astype(np.float64), baseline)
        # float32 rounds weights and each operation by up to 2^-24 (6e-8)
        # of values near 1; through 6 steps and, for occlusion, a
        # difference of two forecasts, 3.2e-7 was seen: 2e-6 leaves 6x
        np.testing.assert_allclose(got, exact, rtol=0, atol=2e-6)
