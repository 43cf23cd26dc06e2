"""lstmref.story: the one setup every chapter uses."""

import numpy as np

from lstmref import weather
from lstmref.story import WINDOW_DAYS, setup


def test_the_window_is_60_days_from_1_october_2015():
    s = setup()
    days = s.days[s.window]
    assert len(days) == WINDOW_DAYS == 60
    assert str(days[0]) == "2015-10-01" and str(days[-1]) == "2015-11-29"
    assert len(s.days) == 365 and str(s.days[0]) == "2015-01-01"


def test_the_year_is_the_csv_s_2015_rows_standardized_on_2012_2014():
    s = setup()
    table = np.genfromtxt(weather.DATA_PATH, delimiter=",", names=True,
                          dtype=None, encoding="utf-8")
    rows = table[[str(d).startswith("2015") for d in table["date"]]]
    measured = np.stack([rows[name] for name in weather.FEATURES], axis=1)
    np.testing.assert_array_equal(s.raw, measured)
    train = np.stack([table[name][:1096] for name in weather.FEATURES], 1)
    np.testing.assert_allclose(
        s.x[0], (measured - train.mean(0)) / train.std(0), rtol=0,
        atol=1e-15)


def test_the_year_s_run_equals_keras_own_lstm_over_the_same_days():
    """s.run is the trained layer's states over 2015 from zero states, as
    Keras computes them with return_sequences (its weights, its code)."""
    s = setup()
    keras = s.keras
    layer = s.model.get_layer("lstm")
    twin = keras.layers.LSTM(layer.units, return_sequences=True,
                             return_state=True, dtype="float64")
    h, _, c = twin(s.x)  # builds the layer
    twin.set_weights(layer.get_weights())
    h, _, c = twin(s.x)
    np.testing.assert_allclose(s.run.h, np.asarray(h), rtol=0, atol=1e-13)
    np.testing.assert_allclose(s.run.c[:, -1], np.asarray(c), rtol=0,
                               atol=1e-13)
