"""trace() agrees with lstm() and with the cell's equations, step by step."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import lstmref
from lstmref import RANGES
from helpers import random_mask, random_params

ACTS = sorted(lstmref.ACTIVATIONS)


@st.composite
def configurations(draw):
    """A random layer, input, mask and direction."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    units, input_dim = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    batch, T = draw(st.integers(1, 4)), draw(st.integers(1, 12))
    params = random_params(
        rng, units, input_dim, use_bias=draw(st.booleans()),
        activation=draw(st.sampled_from(ACTS)),
        recurrent_activation=draw(st.sampled_from(ACTS)), scale=2.0)
    x = rng.normal(size=(batch, T, input_dim))
    mask = draw(st.sampled_from([None, "right", "holes"]))
    if mask is not None:
        mask = random_mask(rng, batch, T, mask)
    backwards = draw(st.booleans())
    # Linear or relu gates let the states grow without bound; overflow to
    # inf is a property of those settings, not what these tests check.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # tested below
        tr = lstmref.trace(x, params, mask=mask, go_backwards=backwards)
    assume(all(np.all(np.isfinite(a)) for a in (tr.z_i, tr.z_f, tr.z_c,
                                                   tr.z_o, tr.c, tr.h)))
    return params, x, mask, backwards


@settings(max_examples=150, deadline=None)
@given(configurations())
def test_trace_last_h_equals_lstm_output_and_states(config):
    params, x, mask, backwards = config
    tr = lstmref.trace(x, params, mask=mask, go_backwards=backwards)
    out, h, c = lstmref.lstm(x, params, mask=mask, go_backwards=backwards,
                             return_state=True)
    np.testing.assert_array_equal(tr.h[:, -1], h)
    np.testing.assert_array_equal(tr.c[:, -1], c)
    if mask is None:
        np.testing.assert_array_equal(tr.h[:, -1], out)


@settings(max_examples=150, deadline=None)
@given(configurations())
def test_gate_values_lie_in_their_activation_range(config):
    params, x, mask, backwards = config
    tr = lstmref.trace(x, params, mask=mask, go_backwards=backwards)
    lo, hi = RANGES[params.recurrent_activation]
    for gate in (tr.i, tr.f, tr.o):
        assert np.all((gate >= lo) & (gate <= hi))
    lo, hi = RANGES[params.activation]
    assert np.all((tr.c_tilde >= lo) & (tr.c_tilde <= hi))


@settings(max_examples=100, deadline=None)
@given(configurations())
def test_lstm_equals_the_step_equations_run_by_hand(config):
    """The fast loop computes what ``cell.step`` writes out, step by step."""
    params, x, mask, backwards = config
    if backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    h = c = np.zeros((x.shape[0], params.units))
    out = np.zeros_like(h)
    for t in range(x.shape[1]):
        # At a masked step the states computed there are thrown away, and
        # with linear or relu activations they may overflow (the layer's
        # loop ignores that too): no warning for a value never used.
        with np.errstate(over="ignore", invalid="ignore"):
            h_new, c_new = lstmref.step(x[:, t], h, c, params)
        keep = np.ones((x.shape[0], 1), bool) if mask is None \
            else mask[:, t, None]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        out = np.where(keep, h_new, out)
    if backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    ours = lstmref.lstm(x, params, mask=mask, go_backwards=backwards,
                        return_state=True)
    # Same operations in a different order, so they differ by round-off,
    # about 1e-16 of the largest terms summed. Linear and relu activations
    # let values grow to thousands, and a small entry can be the difference
    # of two such terms: the tolerance scales with the largest value.
    for a, b in zip(ours, (out, h, c)):
        scale = max(1.0, float(np.abs(b).max()))
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * scale)


def test_trace_preactivations_give_the_gates():
    rng = np.random.default_rng(31)
    params = random_params(rng, 5, 3)
    tr = lstmref.trace(rng.normal(size=(4, 9, 3)), params)
    i, f, c_tilde, o = lstmref.gates(
        np.concatenate([tr.z_i, tr.z_f, tr.z_c, tr.z_o], axis=-1), params)
    for ours, theirs in ((i, tr.i), (f, tr.f), (c_tilde, tr.c_tilde),
                         (o, tr.o)):
        np.testing.assert_array_equal(ours, theirs)
    c_prev = np.concatenate([tr.c0[:, None], tr.c[:, :-1]], axis=1)
    np.testing.assert_allclose(tr.c, tr.f * c_prev + tr.i * tr.c_tilde,
                               atol=1e-15)
    np.testing.assert_allclose(tr.h, tr.o * np.tanh(tr.c), atol=1e-15)


def test_masked_steps_carry_state():
    rng = np.random.default_rng(32)
    params = random_params(rng, 3, 2)
    x = rng.normal(size=(2, 6, 2))
    mask = np.array([[1, 1, 0, 0, 1, 0], [0, 1, 1, 1, 1, 1]], bool)
    tr = lstmref.trace(x, params, mask=mask)
    np.testing.assert_array_equal(tr.h[0, 3], tr.h[0, 1])
    np.testing.assert_array_equal(tr.c[0, 5], tr.c[0, 4])
    np.testing.assert_array_equal(tr.h[1, 0], np.zeros(3))
    assert not np.array_equal(tr.h[0, 4], tr.h[0, 3])
    np.testing.assert_array_equal(tr.mask, mask)


def test_inputs_and_states_are_not_modified():
    rng = np.random.default_rng(33)
    params = random_params(rng, 3, 2)
    x = rng.normal(size=(2, 5, 2))
    state = [rng.normal(size=(2, 3)) for _ in range(2)]
    copies = [a.copy() for a in (x, *state, params.kernel, params.bias)]
    lstmref.lstm(x, params, initial_state=state, go_backwards=True)
    lstmref.trace(x, params, initial_state=state)
    for before, after in zip(copies, (x, *state, params.kernel,
                                      params.bias)):
        np.testing.assert_array_equal(before, after)


def test_gate_returns_the_keras_column_blocks():
    rng = np.random.default_rng(34)
    params = random_params(rng, 3, 2)
    for k, name in enumerate("ifco"):
        W, U, b = params.gate(name)
        cols = slice(3 * k, 3 * k + 3)
        np.testing.assert_array_equal(W, params.kernel[:, cols])
        np.testing.assert_array_equal(U, params.recurrent_kernel[:, cols])
        np.testing.assert_array_equal(b, params.bias[cols])


def test_weights_hold_no_time_axis():
    """The same params run any sequence length: T is nowhere in them."""
    rng = np.random.default_rng(35)
    params = random_params(rng, 4, 3)
    for T in (5, 500):
        assert lstmref.lstm(rng.normal(size=(2, T, 3)), params).shape == (2, 4)


def test_core_imports_only_numpy():
    code = ("import sys, lstmref, lstmref.explorer; "
            "bad = [m for m in ('tensorflow', 'keras', 'torch', 'matplotlib',"
            " 'ipywidgets', 'scipy', 'pandas') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"


def test_overflow_is_reported_not_silent():
    """Linear gates and candidate let c grow without bound: say so."""
    params = lstmref.LSTMParams(np.full((1, 4), 3.0), np.full((1, 4), 3.0),
                                activation="linear",
                                recurrent_activation="linear")
    with pytest.warns(RuntimeWarning, match="overflowed"):
        out = lstmref.lstm(np.ones((1, 30, 1)), params)
    assert not np.isfinite(out).all()
