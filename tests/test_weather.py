"""The book's weather data and forecaster."""

import numpy as np
import pytest

import lstmref
from lstmref import weather


def test_shipped_data_has_every_day_2012_to_2015():
    table = weather.load_weather()
    assert table["features"].shape == (1461, 4)
    assert table["date"][0] == "2012/01/01"
    assert table["date"][-1] == "2015/12/31"
    assert set(table["weather"]) == {"sun", "fog", "rain", "drizzle", "snow"}
    assert np.isfinite(table["features"]).all()


def test_windows_hold_the_past_days_and_the_next_one():
    series = np.arange(20.0).reshape(10, 2)
    x, y = weather.make_windows(series, 3)
    assert x.shape == (7, 3, 2) and y.shape == (7, 2)
    np.testing.assert_array_equal(x[4], series[4:7])
    np.testing.assert_array_equal(y[4], series[7])


@pytest.mark.parametrize("bad", [0, 10, 2.5, "5"])
def test_windows_refuse_bad_time_steps(bad):
    with pytest.raises(ValueError, match="time_steps: expected an integer"):
        weather.make_windows(np.zeros((10, 2)), bad)


def test_standardize_uses_training_days_only():
    features = np.concatenate([np.zeros((4, 1)), np.full((4, 1), 100.0)])
    features[:4, 0] = [1, 2, 3, 4]
    scaled, mean, std = weather.standardize(features, n_train=4)
    assert mean[0] == 2.5
    np.testing.assert_allclose(scaled[:4].mean(), 0, atol=1e-15)


def test_trained_forecaster_is_lstmref_then_dense():
    model, data = weather.train_forecaster(epochs=2)
    assert data["history"][-1] < data["history"][0]
    params = lstmref.from_keras(model.get_layer("lstm"))
    kernel, bias = model.get_layer("dense").get_weights()
    x = data["x_test"]
    ours = lstmref.lstm(x, params) @ kernel + bias
    # float64 layers: only round-off separates the two (about 1e-16).
    np.testing.assert_allclose(ours, np.asarray(model(x)), rtol=0,
                               atol=1e-12)


def test_stacked_forecaster_is_two_lstm_layers_then_dense():
    """The second shape: lstmref's two layers, written out here with
    ``lstm``, equal Keras's model, with random non-zero weights and
    biases in place of the initial ones (whose biases are mostly 0)."""
    model = weather.build_stacked_forecaster(5)
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(0, 0.5, w.shape)
                       for w in model.get_weights()])
    assert [type(layer).__name__ for layer in model.layers] == [
        "LSTM", "LSTM", "Dense"]
    first = lstmref.from_keras(model.get_layer("lstm"))
    second = lstmref.from_keras(model.get_layer("lstm_2"))
    kernel, bias = model.get_layer("dense").get_weights()
    x = np.random.default_rng(3).normal(size=(6, 5, len(weather.FEATURES)))
    ours = lstmref.lstm(lstmref.lstm(x, first, return_sequences=True),
                        second) @ kernel + bias
    np.testing.assert_allclose(ours, np.asarray(model(x)), rtol=0,
                               atol=1e-12)
    stack = lstmref.from_keras_model(model)
    np.testing.assert_allclose(stack.predict(x), ours, rtol=0, atol=1e-13)


def test_training_traces_its_step_once_and_matches_plain_keras(monkeypatch):
    """``train_forecaster`` builds Adam's moments before ``fit``; that
    spares TensorFlow a second trace of the training step and changes no
    weight: a training written as Keras's guide writes it (compile, fit,
    nothing else) gives the same weights bit for bit."""
    import keras
    traced = []

    def counted(*args, **kwargs):
        model = build(*args, **kwargs)
        step = model.train_step
        model.train_step = lambda data: traced.append(1) or step(data)
        return model

    build = weather.build_forecaster
    monkeypatch.setattr(weather, "build_forecaster", counted)
    ours, data = weather.train_forecaster(epochs=2)
    monkeypatch.undo()
    assert len(traced) == 1, f"the training step was traced {len(traced)}x"

    plain = weather.build_forecaster(5)
    plain.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse",
                  steps_per_execution=-(-len(data["x_train"]) // 32))
    history = plain.fit(data["x_train"], data["y_train"], epochs=2,
                        batch_size=32, shuffle=True, verbose=0)
    assert history.history["loss"] == data["history"]
    for theirs, mine in zip(plain.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
