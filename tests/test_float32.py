"""The float32 path, and the time loops' blocks of rows.

lstmref computes in the common float type of its inputs (NumPy's result
type): a float32 model (weights, Dense layer) given float32 windows runs
and answers in float32, about twice as fast as float64; any float64 input
makes the whole run float64, the default, which the parity tests check to
1e-12. Here the float32 runs are compared with Keras and TensorFlow's
GradientTape running the same model in float32.

Tolerance: each float32 operation rounds by up to 2^-24 (6e-8) of its
result, and lstmref and TensorFlow order their sums differently (and
compute sigmoid and tanh by different formulas), so the two differ by
round-off grown over 24 steps forward and 24 back, each step a 53-term
sum and about ten element-wise operations: about 1,000 roundings, 6e-5
of the largest value in the worst case, 2e-6 if they add up like a random
walk. Measured over six seeds: at most 9e-7 of the largest value.
``RTOL`` = 1e-5 of the largest |value| leaves ten times that, sits
between the random-walk and the worst case, and is far below the 1e-2 a
wrong sign or a missing term gives.

The time loops take the batch in blocks of rows (``layer._row_blocks``);
a batch of several blocks must give every window what it gets alone.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import lstmref
from lstmref.grad import backward, input_gradient
from lstmref.layer import _row_blocks
from lstmref.network import Network
from helpers import keras_lstm, random_mask, random_params, tape_gradient

RTOL = 1e-5  # of the largest |value|; see the module's docstring
T, FEATURES, UNITS = 24, 3, 50  # the model: 48 rows per block


@pytest.fixture(autouse=True, scope="module")
def keras_dtype_policy_kept():
    """Leave Keras's global dtype policy as this module found it. Keras
    fixes it (from floatx, here float32) at the first layer it builds, so
    a later module that switches floatx to float64 would still get
    float32 layers wherever it gives no dtype."""
    from keras.src.backend.common import global_state
    before = global_state.get_global_attribute("dtype_policy", None)
    yield
    global_state.set_global_attribute("dtype_policy", before)


def relative_error(ours, theirs):
    """max |ours - theirs| / max |theirs|, in float64."""
    theirs = np.asarray(theirs, np.float64)
    return float(np.abs(np.asarray(ours, np.float64) - theirs).max()
                 / np.abs(theirs).max())


def float32_model(rng, n_out=2):
    """A float32 Network and the Keras model holding the same weights."""
    params = random_params(rng, UNITS, FEATURES, dtype=np.float32)
    D = rng.normal(0, 0.5, (UNITS, n_out)).astype(np.float32)
    d = rng.normal(0, 0.5, n_out).astype(np.float32)
    net = Network(params, D, d)
    dense = keras.layers.Dense(n_out, dtype="float32")
    model = keras.Sequential([keras.Input((T, FEATURES), dtype="float32"),
                              keras_lstm(params), dense])
    dense.set_weights([D, d])
    return net, model


def test_batch_spans_several_blocks():
    """The tests below cover block boundaries only if this holds."""
    blocks = _row_blocks(100, UNITS, FEATURES)
    assert len(blocks) == 3 and blocks[-1].stop == 100


def test_float32_network_predicts_and_differentiates_like_keras():
    rng = np.random.default_rng(320)
    net, model = float32_model(rng)
    x = rng.normal(size=(100, T, FEATURES)).astype(np.float32)
    y = net.predict(x)
    assert y.dtype == np.float32
    assert relative_error(y, model(x)) <= RTOL
    for output in (0, 1):
        ours = input_gradient(net, x, output)
        assert ours.dtype == np.float32
        assert relative_error(ours, tape_gradient(model, x, output)) <= RTOL


def test_float32_backward_is_float64s_to_round_off():
    """Every gradient of a float32 run, against the float64 run of the
    same numbers (which the parity tests tie to Keras to 1e-10)."""
    rng = np.random.default_rng(321)
    p32 = random_params(rng, UNITS, FEATURES, dtype=np.float32)
    x = rng.normal(size=(100, T, FEATURES)).astype(np.float32)
    h0, c0, dh_T, dc_T = (rng.normal(0, 0.5, (100, UNITS)).astype(
        np.float32) for _ in range(4))
    mask = random_mask(rng, 100, T, "holes")
    g32 = backward(x, p32, dh_T, dc_T, initial_state=[h0, c0], mask=mask)
    g64 = backward(x.astype(np.float64), p32.astype(np.float64), dh_T,
                   dc_T, initial_state=[h0, c0], mask=mask)
    for name in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0"):
        ours = getattr(g32, name)
        assert ours.dtype == np.float32, name
        assert relative_error(ours, getattr(g64, name)) <= RTOL, name


def test_a_float64_input_makes_the_run_float64():
    """float32 weights with float64 windows: computed in float64, the
    windows not rounded to float32 (NumPy's promotion rule)."""
    rng = np.random.default_rng(322)
    net, _ = float32_model(rng)
    x = rng.normal(size=(3, T, FEATURES))
    wide = Network(net.params.astype(np.float64),
                   net.dense_kernel.astype(np.float64),
                   net.dense_bias.astype(np.float64))
    for ours, exact in ((net.predict(x), wide.predict(x)),
                        (input_gradient(net, x), input_gradient(wide, x))):
        assert ours.dtype == np.float64
        np.testing.assert_array_equal(ours, exact)


def test_float64_initial_states_make_the_run_float64():
    """float32 windows and weights with float64 [h0, c0]: the states are
    not rounded to float32; the run is the float64 one, bit for bit."""
    rng = np.random.default_rng(323)
    params = random_params(rng, 4, FEATURES).astype(np.float32)
    x = rng.normal(size=(2, 6, FEATURES)).astype(np.float32)
    h0, c0 = rng.normal(0, 0.5, (2, 2, 4))  # float64, not float32's
    ours = lstmref.lstm(x, params, initial_state=[h0, c0],
                        return_sequences=True)
    exact = lstmref.lstm(x.astype(np.float64), params.astype(np.float64),
                         initial_state=[h0, c0], return_sequences=True)
    assert ours.dtype == np.float64
    np.testing.assert_array_equal(ours, exact)


def test_integrated_gradients_of_a_float32_model_are_float32():
    """IG of a float32 model over float32 windows is computed in float32
    (its quadrature nodes too) and equals TensorFlow's GradientTape
    integrating the same Keras model in float32 at the same nodes."""
    import tensorflow as tf
    rng = np.random.default_rng(323)
    net, model = float32_model(rng)
    x = rng.normal(size=(4, T, FEATURES)).astype(np.float32)
    ig = lstmref.attribution.integrated_gradients(net, x, output=1,
                                                  n_steps=8)
    assert ig.dtype == np.float32
    nodes, weights = np.polynomial.legendre.leggauss(8)
    path = tf.constant((((nodes + 1) / 2)[:, None, None, None] * x[None])
                       .reshape(-1, T, FEATURES).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(path)
        y = model(path)[:, 1]
    grads = tape.gradient(y, path).numpy().reshape(8, *x.shape)
    expected = x * np.tensordot((weights / 2).astype(np.float32), grads,
                                axes=1)
    assert relative_error(ig, expected) < RTOL


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("masked", [False, True])
def test_windows_in_a_large_batch_get_what_they_get_alone(dtype, masked):
    """Forward outputs and states, the trace and every gradient of a
    batch of three blocks, against each window run by itself. The
    products group differently by batch size in BLAS, so they agree to
    round-off: 1e-13 in float64, 1e-6 in float32 (of the largest value);
    the weight gradients, sums over the windows, add up the windows' own."""
    rng = np.random.default_rng(324)
    params = random_params(rng, UNITS, FEATURES, dtype=dtype)
    batch = 100
    x = rng.normal(size=(batch, T, FEATURES)).astype(dtype)
    h0, c0, dh_T = (rng.normal(0, 0.5, (batch, UNITS)).astype(dtype)
                    for _ in range(3))
    dh = rng.normal(size=(batch, T, UNITS)).astype(dtype)
    mask = random_mask(rng, batch, T, "holes") if masked else None
    tol = 1e-13 if dtype == np.float64 else 1e-6
    call = dict(initial_state=[h0, c0], mask=mask, go_backwards=True)
    out = lstmref.lstm(x, params, return_sequences=True, return_state=True,
                       **call)
    tr = lstmref.trace(x, params, **call)
    g = backward(x, params, dh_T, dh=dh, **call)
    sums = {name: 0 for name in ("kernel", "recurrent_kernel", "bias")}
    for k in range(batch):
        one = dict(initial_state=[h0[k:k + 1], c0[k:k + 1]],
                   mask=None if mask is None else mask[k:k + 1],
                   go_backwards=True)
        alone = lstmref.lstm(x[k:k + 1], params, return_sequences=True,
                             return_state=True, **one)
        for a, b in zip(out, alone):
            assert relative_error(a[k:k + 1], b) <= tol
        tr_k = lstmref.trace(x[k:k + 1], params, **one)
        for name in ("i", "f", "c_tilde", "o", "c", "h", "z_i", "z_o"):
            assert relative_error(getattr(tr, name)[k:k + 1],
                                  getattr(tr_k, name)) <= tol, name
        g_k = backward(x[k:k + 1], params, dh_T[k:k + 1], dh=dh[k:k + 1],
                       **one)
        for name in ("x", "h0", "c0"):
            assert relative_error(getattr(g, name)[k:k + 1],
                                  getattr(g_k, name)) <= tol, name
        for name in sums:
            sums[name] = sums[name] + getattr(g_k, name).astype(np.float64)
    for name, total in sums.items():
        assert getattr(g, name).dtype == dtype
        assert relative_error(getattr(g, name), total) <= 10 * tol, name
