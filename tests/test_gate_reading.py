"""gate_reading: saturation fractions and time constants from a Trace."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import lstmref
from lstmref import gate_reading
from helpers import random_mask, random_params


@st.composite
def traces(draw):
    """A real trace of a random layer, with or without a mask."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    units, input_dim = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    batch, T = draw(st.integers(1, 4)), draw(st.integers(1, 10))
    ra = draw(st.sampled_from(["sigmoid", "hard_sigmoid",
                               "hard_sigmoid_keras2"]))
    params = random_params(rng, units, input_dim, recurrent_activation=ra,
                           scale=draw(st.sampled_from([0.3, 1.0, 4.0])))
    mask = draw(st.sampled_from([None, "right", "holes"]))
    if mask is not None:
        mask = random_mask(rng, batch, T, mask)
        mask[0, -1] = True  # at least one used step
    return lstmref.trace(rng.normal(size=(batch, T, input_dim)), params,
                         mask=mask)


def constant_trace(f, batch=3, T=4, mask=None):
    """A trace whose forget gate is the constant f (units,) everywhere."""
    f = np.asarray(f, float)
    shape = (batch, T, f.size)
    gates = {name: np.full(shape, 0.5) for name in
             ("i", "c_tilde", "o", "c", "h", "z_i", "z_f", "z_c", "z_o")}
    used = np.ones((batch, T), bool) if mask is None else mask
    return lstmref.Trace(f=np.broadcast_to(f, shape).copy(), mask=used,
                         h0=np.zeros((batch, f.size)),
                         c0=np.zeros((batch, f.size)), **gates)


@settings(max_examples=100, deadline=None)
@given(traces(), st.sampled_from(gate_reading.SATURATION_GATES))
def test_saturation_fractions_lie_in_0_1_and_never_add_past_1(tr, gate):
    left, right = gate_reading.saturation(tr, gate)
    assert left.shape == right.shape == (tr.f.shape[-1],)
    for fraction in (left, right):
        assert np.all((fraction >= 0) & (fraction <= 1))
    assert np.all(left + right <= 1)


@settings(max_examples=100, deadline=None)
@given(traces(), st.sampled_from(gate_reading.SATURATION_GATES))
def test_saturation_counts_the_used_steps_one_by_one(tr, gate):
    """The vectorised fractions equal a plain loop over used steps."""
    g = getattr(tr, gate)
    batch, T, units = g.shape
    left, right = np.zeros(units), np.zeros(units)
    n = 0
    for b in range(batch):
        for t in range(T):
            if tr.mask[b, t]:
                n += 1
                left += g[b, t] < 0.1
                right += g[b, t] > 0.9
    ours = gate_reading.saturation(tr, gate)
    np.testing.assert_allclose(ours[0], left / n, rtol=0, atol=1e-15)
    np.testing.assert_allclose(ours[1], right / n, rtol=0, atol=1e-15)


@settings(max_examples=100, deadline=None)
@given(traces())
def test_masked_steps_are_excluded(tr):
    """Changing every gate value at a masked step changes nothing."""
    masked = ~tr.mask
    changed = {}
    for gate in gate_reading.SATURATION_GATES:
        g = getattr(tr, gate).copy()
        g[masked] = 0.99  # right-saturated: would count if not excluded
        changed[gate] = g
    other = dataclasses.replace(tr, **changed)
    for gate in gate_reading.SATURATION_GATES:
        for a, b in zip(gate_reading.saturation(tr, gate),
                        gate_reading.saturation(other, gate)):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(gate_reading.mean_gate(tr, gate),
                                      gate_reading.mean_gate(other, gate))
    np.testing.assert_array_equal(gate_reading.time_constants(tr),
                                  gate_reading.time_constants(other))


@given(st.lists(st.floats(0.001, 0.999), min_size=1, max_size=6))
def test_time_constant_of_a_constant_forget_gate_is_where_f_k_is_1_over_e(f):
    """A gate held at f keeps f^tau = 1/e of the cell after tau steps."""
    tau = gate_reading.time_constants(constant_trace(f))
    np.testing.assert_allclose(np.asarray(f) ** tau, np.exp(-1.0),
                               rtol=1e-12)


def test_time_constant_is_inf_when_the_gate_never_forgets_and_0_if_shut():
    tau = gate_reading.time_constants(constant_trace([1.0, 0.5, 0.0]))
    assert tau[0] == np.inf and tau[2] == 0.0
    assert tau[1] == 1 / np.log(2)  # 1.4427 days, not 1 / (1 - 0.5) = 2


def test_time_constant_uses_the_geometric_mean_of_f():
    """f alternating 0.25 and 1: the cell keeps 1/4 every two steps, so
    1/e after 2 / ln 4 = 1.4427 steps (the arithmetic mean, 0.625, would
    say 1 / 0.375 = 2.67)."""
    tr = constant_trace([0.5], batch=1, T=4)
    tr = dataclasses.replace(
        tr, f=np.array([0.25, 1.0, 0.25, 1.0]).reshape(1, 4, 1))
    np.testing.assert_allclose(gate_reading.time_constants(tr),
                               [2 / np.log(4)], rtol=1e-15)


@settings(max_examples=50, deadline=None)
@given(traces())
def test_time_constants_are_never_negative(tr):
    assert np.all(gate_reading.time_constants(tr) >= 0)


def test_masked_steps_do_not_enter_the_time_constant():
    mask = np.ones((3, 4), bool)
    mask[:, 0] = False
    tr = constant_trace([0.75], mask=mask)
    f = tr.f.copy()
    f[:, 0] = 0.0  # a shut gate at the masked first step
    tr = dataclasses.replace(tr, f=f)
    np.testing.assert_allclose(gate_reading.time_constants(tr),
                               [-1 / np.log(0.75)], rtol=1e-15)


def test_saturation_thresholds_are_strict():
    """A gate exactly at 0.1 or 0.9 is not saturated (< and >)."""
    tr = constant_trace([0.1, 0.9, 0.05, 0.95])
    left, right = gate_reading.saturation(tr, "f")
    np.testing.assert_array_equal(left, [0, 0, 1, 0])
    np.testing.assert_array_equal(right, [0, 0, 0, 1])


def test_saturation_with_wider_thresholds_counts_more():
    rng = np.random.default_rng(9)
    tr = lstmref.trace(rng.normal(size=(4, 8, 3)),
                       random_params(rng, 5, 3, scale=2.0))
    for gate in gate_reading.SATURATION_GATES:
        narrow = gate_reading.saturation(tr, gate, 0.1, 0.9)
        wide = gate_reading.saturation(tr, gate, 0.2, 0.8)
        assert np.all(wide[0] >= narrow[0]) and np.all(wide[1] >= narrow[1])


def test_gate_values_keeps_the_used_steps_in_order():
    mask = np.array([[True, False, True], [False, True, True]])
    tr = constant_trace([0.5], batch=2, T=3, mask=mask)
    f = np.arange(6.0).reshape(2, 3, 1) / 10
    tr = dataclasses.replace(tr, f=f)
    np.testing.assert_array_equal(
        gate_reading.gate_values(tr, "f")[:, 0], [0.0, 0.2, 0.4, 0.5])


def test_bad_arguments_are_refused_with_their_name():
    tr = constant_trace([0.5])
    with pytest.raises(TypeError, match="trace: expected a Trace"):
        gate_reading.saturation(tr.f, "f")
    with pytest.raises(ValueError, match="gate: expected one of"):
        gate_reading.saturation(tr, "c_tilde")
    with pytest.raises(ValueError, match="low, high: expected"):
        gate_reading.saturation(tr, "f", 0.9, 0.1)
    with pytest.raises(ValueError, match="low, high: expected"):
        gate_reading.saturation(tr, "f", -0.1, 0.9)
    with pytest.raises(TypeError, match="low: expected a real number"):
        gate_reading.saturation(tr, "f", "0.1")
    empty = constant_trace([0.5], mask=np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match="at least one used step"):
        gate_reading.time_constants(empty)


def test_saturation_by_gate_uses_both_thresholds_given():
    """Each gate's fractions by a plain count, with thresholds other than
    the defaults."""
    rng = np.random.default_rng(10)
    tr = lstmref.trace(rng.normal(size=(3, 7, 2)),
                       random_params(rng, 4, 2, scale=2.0))
    fractions = gate_reading.saturation_by_gate(tr, 0.3, 0.6)
    assert set(fractions) == {"i", "f", "o"}
    for gate, (left, right) in fractions.items():
        g = getattr(tr, gate).reshape(-1, 4)
        np.testing.assert_array_equal(left, (g < 0.3).sum(axis=0) / 21)
        np.testing.assert_array_equal(right, (g > 0.6).sum(axis=0) / 21)


def test_memory_horizon_counts_a_masked_step_as_keeping_everything():
    """retention[b, t] = product of f over the used steps after t, by a
    plain loop; a masked step's forget gate plays no part."""
    mask = np.array([[True, False, True, True], [True, True, False, False]])
    tr = constant_trace([0.5, 0.8], batch=2, T=4, mask=mask)
    f = np.random.default_rng(11).uniform(0.1, 0.9, (2, 4, 2))
    tr = dataclasses.replace(tr, f=f)
    retention, tau = gate_reading.memory_horizon(tr)
    for b in range(2):
        for t in range(4):
            expected = np.ones(2)
            for s in range(t + 1, 4):
                if mask[b, s]:
                    expected = expected * f[b, s]
            np.testing.assert_allclose(retention[b, t], expected,
                                       rtol=1e-15)
    used = f[mask]  # (n, units)
    np.testing.assert_allclose(tau, -1 / np.log(used).mean(axis=0),
                               rtol=1e-14)


def test_memory_horizon_refuses_what_is_not_a_trace():
    with pytest.raises(TypeError) as caught:
        gate_reading.memory_horizon(np.ones((1, 2, 3)))
    assert str(caught.value) == (
        "trace: expected a Trace (from lstmref.trace), got ndarray")


def test_gate_reading_errors_name_the_argument_exactly():
    tr = constant_trace([0.5, 0.5])
    with pytest.raises(TypeError) as error:
        gate_reading.gate_values(np.ones((1, 2, 3)), "f")
    assert str(error.value) == (
        "trace: expected a Trace (from lstmref.trace), got ndarray")
    empty = dataclasses.replace(tr, mask=np.zeros((3, 4), bool))
    with pytest.raises(ValueError) as error:
        gate_reading.gate_values(empty, "f")
    assert str(error.value) == (
        "trace: expected at least one used step, got a mask that is "
        "False everywhere (shape (3, 4))")
    with pytest.raises(ValueError) as error:
        gate_reading.saturation(tr, "f", low=0.2, high=1.5)
    assert str(error.value) == (
        "low, high: expected 0 <= low <= high <= 1, got low=0.2, high=1.5")
    with pytest.raises(TypeError, match=r"^high: "):
        gate_reading.saturation(tr, "f", high="0.9")


@pytest.mark.parametrize("low,high", [(0.0, 0.5), (0.3, 0.3), (0.5, 1.0),
                                      (0.0, 1.0)])
def test_saturation_accepts_its_bounds_inclusive(low, high):
    """0 <= low <= high <= 1 with equality allowed at every place."""
    tr = constant_trace([0.0, 0.3, 1.0])
    left, right = gate_reading.saturation(tr, "f", low=low, high=high)
    f = np.array([0.0, 0.3, 1.0])
    np.testing.assert_array_equal(left, f < low)
    np.testing.assert_array_equal(right, f > high)


@pytest.mark.parametrize("low,high", [(-0.1, 0.5), (0.6, 0.5), (0.5, 1.01),
                                      (0.5, 2.0)])
def test_saturation_refuses_bounds_outside_0_low_high_1(low, high):
    with pytest.raises(ValueError, match=r"^low, high: expected"):
        gate_reading.saturation(constant_trace([0.5]), "f", low=low,
                                high=high)


def test_an_integer_mask_is_read_as_true_and_false_not_as_indices():
    """mask 1/0 selects steps; read as indices it would pick rows 0 and 1."""
    f = np.array([0.9, 0.1, 0.2, 0.95]).reshape(1, 4, 1)
    tr = dataclasses.replace(constant_trace([0.5], batch=1, T=4), f=f,
                             mask=np.array([[0, 1, 1, 0]]))
    np.testing.assert_array_equal(gate_reading.gate_values(tr, "f"),
                                  [[0.1], [0.2]])


def test_mean_gate_averages_each_unit_over_the_used_steps_by_a_loop():
    rng = np.random.default_rng(21)
    mask = np.array([[True, False, True], [True, True, True]])
    tr = dataclasses.replace(constant_trace([0.5, 0.5], batch=2, T=3,
                                            mask=mask),
                             f=rng.uniform(size=(2, 3, 2)))
    for j in range(2):
        values = [tr.f[b, t, j] for b in range(2) for t in range(3)
                  if mask[b, t]]
        assert abs(gate_reading.mean_gate(tr, "f")[j]
                   - sum(values) / len(values)) < 1e-15


def test_a_shut_forget_gate_gives_tau_0_without_a_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tau = gate_reading.time_constants(constant_trace([0.0, 0.5]))
    assert tau[0] == 0.0
