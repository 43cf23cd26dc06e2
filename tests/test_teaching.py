"""The book's teaching versions compute what Keras 3 and lstmref compute.

``lstmref.teaching.layer_loop`` is the loop the whole-layer chapter shows
instead of the fast ``_scan``. Each configuration draws seeded random
weights with every bias entry non-zero (``helpers.random_params``),
builds the real Keras layer with the same flags and compares every
returned array. float64 on both sides: only the order of float additions
differs, about 1e-16 per operation, so 1e-12 is round-off and nothing
else.
"""

import numpy as np
import pytest

import lstmref
from helpers import keras_lstm, random_mask, random_params
from lstmref.teaching import layer_loop

TOL = 1e-12  # float64 round-off only

CASES = {  # layer flags, plus what the call passes
    "defaults": {},
    "right-padded mask": dict(mask="right"),
    "mask with holes": dict(mask="holes"),
    "zero_output_for_mask": dict(mask="holes", zero_output_for_mask=True),
    "go_backwards": dict(go_backwards=True),
    "go_backwards with holes": dict(go_backwards=True, mask="holes"),
    "initial_state": dict(initial_state=True),
    "use_bias=False": dict(use_bias=False),
    "hard_sigmoid": dict(ra="hard_sigmoid"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("units, input_dim, T, batch",
                         [(1, 1, 1, 1), (3, 4, 7, 5), (16, 4, 20, 8)])
def test_layer_loop_equals_keras(case, units, input_dim, T, batch):
    opts = CASES[case]
    rng = np.random.default_rng([units, input_dim, T, batch,
                                 list(CASES).index(case)])
    p = random_params(rng, units, input_dim,
                      use_bias=opts.get("use_bias", True),
                      recurrent_activation=opts.get("ra", "sigmoid"))
    x = rng.normal(size=(batch, T, input_dim))
    call, ours = {}, {}
    if "mask" in opts:
        call["mask"] = ours["mask"] = random_mask(rng, batch, T,
                                                  opts["mask"])
    if opts.get("initial_state"):
        states = list(rng.normal(0, 0.5, (2, batch, units)))
        assert np.all(states[0] != 0) and np.all(states[1] != 0)
        call["initial_state"] = ours["initial_state"] = states
    flags = {k: opts[k] for k in ("go_backwards", "zero_output_for_mask")
             if k in opts}
    layer = keras_lstm(p, batch=batch, return_sequences=True,
                       return_state=True, **flags)
    theirs = [np.asarray(a) for a in layer(x, **call)]
    mine = layer_loop(x, p, **ours, **flags)
    for name, a, b in zip(("outputs", "h_T", "c_T"), mine, theirs,
                          strict=True):
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=0, atol=TOL, err_msg=name)


def test_layer_loop_equals_lstmref_lstm_exactly_in_shape_and_closely():
    """The teaching loop and the fast loop agree on every return value."""
    rng = np.random.default_rng(12)
    p = random_params(rng, 5, 3)
    x = rng.normal(size=(4, 9, 3))
    mask = random_mask(rng, 4, 9, "holes")
    fast = lstmref.lstm(x, p, mask=mask, go_backwards=True,
                        return_sequences=True, return_state=True)
    slow = layer_loop(x, p, mask=mask, go_backwards=True)
    for a, b in zip(slow, fast, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


def test_a_wrong_gate_order_is_caught():
    """Control: the same loop with the f and c blocks swapped differs from
    Keras by far more than the tolerance, so the tests above can fail."""
    rng = np.random.default_rng(5)
    p = random_params(rng, 3, 4)
    swapped = lstmref.LSTMParams(
        *(np.concatenate([a[..., :3], a[..., 6:9], a[..., 3:6], a[..., 9:]],
                         axis=-1) for a in lstmref.to_keras(p)))
    x = rng.normal(size=(2, 6, 4))
    keras_h = np.asarray(keras_lstm(p)(x))
    _, h_swapped, _ = layer_loop(x, swapped)
    assert np.max(np.abs(h_swapped - keras_h)) > 1e-3
