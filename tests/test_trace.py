"""trace() and lstm() against the LSTM equations run by hand in NumPy
(written here, not lstmref's loop) and against Keras 3's outputs and
states, step by step."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import lstmref
from lstmref import RANGES
from helpers import keras_lstm, random_mask, random_params

ACTS = sorted(lstmref.ACTIVATIONS)

#: Each activation written from its definition, independently of
#: lstmref.activations (Keras 3's hard_sigmoid is relu6(x + 3) / 6; Keras
#: 1-2's is clip(0.2 x + 0.5, 0, 1)).
HAND = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "hard_sigmoid": lambda z: np.minimum(np.maximum(z + 3.0, 0.0), 6.0)
    / 6.0,
    "hard_sigmoid_keras2": lambda z: np.minimum(np.maximum(
        0.2 * z + 0.5, 0.0), 1.0),
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
}
assert sorted(HAND) == ACTS


def by_hand(x, params, mask=None, go_backwards=False, h0=None, c0=None):
    """Every step of an LSTM, from the equations, one step at a time.

    Keras's packed layout, read here by its definition: gate k of "ifco"
    owns columns k*u:(k+1)*u of kernel, recurrent_kernel and bias. At a
    masked step the states carry over; the output repeats the previous
    output (zeros before the first used step), or is zeros with
    zero_output_for_mask. Returns a dict of (batch, T, units) arrays in
    processing order (reversed with go_backwards), as trace orders them,
    plus "out" and "out_zero" (the two kinds of output) and the final
    "h_T", "c_T".
    """
    batch, T, _ = x.shape
    u = params.units
    sigma = HAND[params.recurrent_activation]
    phi = HAND[params.activation]
    b = np.zeros(4 * u) if params.bias is None else params.bias
    used = np.ones((batch, T), bool) if mask is None else np.asarray(mask)
    if go_backwards:
        x, used = x[:, ::-1], used[:, ::-1]
    h = np.zeros((batch, u)) if h0 is None else np.array(h0, float)
    c = np.zeros((batch, u)) if c0 is None else np.array(c0, float)
    out, out_zero = np.zeros((batch, u)), np.zeros((batch, u))
    names = ("z_i", "z_f", "z_c", "z_o", "i", "f", "c_tilde", "o", "c",
             "h", "out", "out_zero")
    seen = {k: np.zeros((batch, T, u)) for k in names}
    for t in range(T):
        # a masked step's values are thrown away, and with linear or relu
        # activations they may overflow there: no warning for them
        with np.errstate(over="ignore", invalid="ignore"):
            z = {}
            for k, g in enumerate("ifco"):
                cols = slice(k * u, (k + 1) * u)
                z[g] = (x[:, t] @ params.kernel[:, cols]
                        + h @ params.recurrent_kernel[:, cols] + b[cols])
            i, f, o = sigma(z["i"]), sigma(z["f"]), sigma(z["o"])
            c_tilde = phi(z["c"])
            c_new = f * c + i * c_tilde
            h_new = o * phi(c_new)
        keep = used[:, t, None]
        c, h = np.where(keep, c_new, c), np.where(keep, h_new, h)
        out = np.where(keep, h_new, out)
        out_zero = np.where(keep, h_new, 0.0)
        values = dict(z_i=z["i"], z_f=z["f"], z_c=z["c"], z_o=z["o"], i=i,
                      f=f, c_tilde=c_tilde, o=o, c=c, h=h, out=out,
                      out_zero=out_zero)
        for k in names:
            seen[k][:, t] = values[k]
    seen.update(h_T=h, c_T=c, mask=used)
    return seen


@st.composite
def configurations(draw):
    """A random layer, input, mask, direction and initial state."""
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
    state = None
    if draw(st.booleans()):
        state = [rng.normal(0, 0.5, (batch, units)) for _ in range(2)]
    # Linear or relu gates let the states grow without bound; overflow to
    # inf is a property of those settings, not what these tests check.
    ref = by_hand(x, params, mask, backwards,
                  *(state if state else (None, None)))
    assume(all(np.all(np.isfinite(ref[k][ref["mask"]]))
               for k in ("z_i", "z_f", "z_c", "z_o", "c", "h")))
    assume(np.all(np.isfinite(ref["h"])) and np.all(np.isfinite(ref["c"])))
    return params, x, mask, backwards, state, ref


#: Gates no activation bounds: their products let a rounding error grow
#: from step to step (see assert_close).
UNBOUNDED = ("linear", "relu")


def assert_close(ours, theirs, name, params=None, steps=0):
    """Equal up to round-off. Both sides do the same operations in another
    order, so they differ by about 1e-16 of the largest terms summed.
    Linear and relu activations let values grow to thousands, and a small
    entry can be the difference of two such terms: the tolerance scales
    with the largest value. With an unbounded recurrent activation, the
    gates are linear in h_{t-1} too, so c_t = f c_{t-1} + i g and
    h_t = o phi(c_t) are products of terms that each carry the step
    before's relative error: it can double, or more, at every step
    (hypothesis found a linear/linear case at 1.2e-11 after 10 steps, the
    values near 3e13, once lstmref's loop summed in blocks of rows). There
    the tolerance grows as 4^T, for T = ``steps``."""
    scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    growth = 1.0
    if params is not None and params.recurrent_activation in UNBOUNDED:
        growth = 4.0 ** steps
    np.testing.assert_allclose(ours, theirs, rtol=0,
                               atol=1e-12 * scale * growth, err_msg=name)


@settings(max_examples=150, deadline=None)
@given(configurations())
def test_trace_equals_the_equations_run_by_hand(config):
    """Every gate, pre-activation and state of every step, at used steps
    (a masked step's gates are what the cell computed there, which may
    overflow; its states must carry over, checked at every step)."""
    params, x, mask, backwards, state, ref = config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        tr = lstmref.trace(x, params, mask=mask, go_backwards=backwards,
                           initial_state=state)
    used = ref["mask"]
    np.testing.assert_array_equal(tr.mask, used)
    for name in ("z_i", "z_f", "z_c", "z_o", "i", "f", "c_tilde", "o"):
        assert_close(getattr(tr, name)[used], ref[name][used], name,
                     params, x.shape[1])
    for name in ("c", "h"):
        assert_close(getattr(tr, name), ref[name], name, params,
                     x.shape[1])
    h0, c0 = state if state else (np.zeros_like(ref["h_T"]),) * 2
    np.testing.assert_array_equal(tr.h0, h0)
    np.testing.assert_array_equal(tr.c0, c0)


@settings(max_examples=100, deadline=None)
@given(configurations(), st.booleans(), st.booleans())
def test_lstm_equals_the_equations_run_by_hand(config, sequences, zero):
    """lstm's output (last or every step, either output rule for masked
    steps) and final states equal the loop written out above."""
    params, x, mask, backwards, state, ref = config
    ours = lstmref.lstm(x, params, mask=mask, go_backwards=backwards,
                        initial_state=state, return_sequences=sequences,
                        return_state=True, zero_output_for_mask=zero)
    out = ref["out_zero" if zero else "out"]
    out = out if sequences else out[:, -1]
    for name, a, b in zip(("output", "h_T", "c_T"), ours,
                          (out, ref["h_T"], ref["c_T"])):
        assert a.shape == b.shape, name
        assert_close(a, b, name, params, x.shape[1])


@pytest.mark.parametrize("flags", [
    dict(), dict(mask="holes"), dict(go_backwards=True),
    dict(go_backwards=True, mask="right", initial_state=True),
    dict(mask="holes", initial_state=True),
    dict(activation="relu", recurrent_activation="hard_sigmoid"),
])
def test_trace_h_and_c_equal_keras_outputs_and_states(flags):
    """Keras shows h_t as return_sequences' output at every used step
    (processing order with go_backwards, as trace) and h_T, c_T with
    return_state: trace's h and final c must be those."""
    rng = np.random.default_rng(sum(map(ord, str(sorted(flags.items())))))
    batch, T, units, F = 4, 8, 3, 2
    params = random_params(
        rng, units, F, scale=1.5,
        activation=flags.get("activation", "tanh"),
        recurrent_activation=flags.get("recurrent_activation", "sigmoid"))
    x = rng.normal(size=(batch, T, F))
    call = {}
    if "mask" in flags:
        call["mask"] = random_mask(rng, batch, T, flags["mask"])
    if flags.get("initial_state"):
        call["initial_state"] = [rng.normal(0, 0.5, (batch, units))
                                 for _ in range(2)]
    backwards = flags.get("go_backwards", False)
    layer = keras_lstm(params, return_sequences=True, return_state=True,
                       go_backwards=backwards)
    out, h_T, c_T = (np.asarray(a) for a in layer(x, **call))
    tr = lstmref.trace(x, params, go_backwards=backwards, **call)
    used = tr.mask
    if "mask" in call:  # trace's mask is the caller's, in processing order
        expected = call["mask"][:, ::-1] if backwards else call["mask"]
        np.testing.assert_array_equal(used, expected)
    # float64 on both sides: round-off only
    np.testing.assert_allclose(tr.h[used], out[used], rtol=0, atol=1e-12)
    np.testing.assert_allclose(tr.h[:, -1], h_T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tr.c[:, -1], c_T, rtol=0, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(configurations())
def test_gate_values_lie_in_their_activation_range(config):
    params, x, mask, backwards, state, _ = config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        tr = lstmref.trace(x, params, mask=mask, go_backwards=backwards,
                           initial_state=state)
    lo, hi = RANGES[params.recurrent_activation]
    used = tr.mask
    for gate in (tr.i, tr.f, tr.o):
        assert np.all((gate[used] >= lo) & (gate[used] <= hi))
    lo, hi = RANGES[params.activation]
    assert np.all((tr.c_tilde[used] >= lo) & (tr.c_tilde[used] <= hi))


def test_trace_preactivations_give_the_gates():
    """Each gate is its activation (written here) of its pre-activation,
    and c, h follow from them by the two state equations."""
    rng = np.random.default_rng(31)
    params = random_params(rng, 5, 3)
    tr = lstmref.trace(rng.normal(size=(4, 9, 3)), params)
    sigmoid = HAND["sigmoid"]
    for z, gate in ((tr.z_i, tr.i), (tr.z_f, tr.f), (tr.z_o, tr.o)):
        np.testing.assert_allclose(gate, sigmoid(z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr.c_tilde, np.tanh(tr.z_c), rtol=0,
                               atol=1e-15)
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


def test_trace_of_a_float32_run_is_float32():
    """Every array of the trace keeps the run's float type."""
    rng = np.random.default_rng(36)
    params = random_params(rng, 3, 2, dtype=np.float32)
    tr = lstmref.trace(rng.normal(size=(2, 5, 2)).astype(np.float32),
                       params)
    for name in ("i", "f", "c_tilde", "o", "c", "h", "z_i", "z_f", "z_c",
                 "z_o", "h0", "c0"):
        assert getattr(tr, name).dtype == np.float32, name
