"""LSTMParams owns its weights: read-only copies of the arrays given."""

import numpy as np
import pytest

import lstmref


def arrays(dtype, units=2, features=3, seed=31):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(features, 4 * units)).astype(dtype),
            rng.normal(size=(units, 4 * units)).astype(dtype),
            rng.normal(size=4 * units).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_changing_the_given_arrays_afterwards_leaves_the_layer_as_checked(
        dtype):
    """Arrays already of the stored float type are copied too: a NaN
    written into the caller's array later never reaches the layer."""
    given = arrays(dtype)
    kept = [a.copy() for a in given]
    p = lstmref.LSTMParams(*given)
    for a in given:
        a[...] = np.nan
    for stored, before in zip((p.kernel, p.recurrent_kernel, p.bias), kept):
        assert stored.dtype == dtype
        np.testing.assert_array_equal(stored, before)


def test_the_stored_arrays_are_read_only_and_the_given_ones_are_not():
    given = arrays(np.float64)
    p = lstmref.LSTMParams(*given)
    for name in ("kernel", "recurrent_kernel", "bias"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(p, name)[0] = 1.0
    for a in given:  # the caller's arrays keep working as before
        a[0] = 1.0
    no_bias = lstmref.LSTMParams(*given[:2])
    assert no_bias.bias is None
    with pytest.raises(ValueError, match="read-only"):
        no_bias.kernel[0, 0] = 1.0


def test_a_layer_of_no_units_is_refused():
    """Zero columns are a multiple of 4, but not a positive one: an empty
    layer (kernel (3, 0), recurrent_kernel (0, 0)) would otherwise pass
    every shape check."""
    with pytest.raises(ValueError) as caught:
        lstmref.LSTMParams(np.zeros((3, 0)), np.zeros((0, 0)), np.zeros(0))
    assert str(caught.value) == (
        "recurrent_kernel: expected 4 * units columns (one block per gate "
        "i, f, c, o), got shape (0, 0), whose 0 columns are not a positive "
        "multiple of 4")

