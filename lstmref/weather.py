"""The book's running example: forecasting Seattle's weather with an LSTM.

The data (``data/seattle-weather.csv``, NOAA via vega_datasets, see
``data/README.md``) ships with the package; nothing is downloaded. Loading
and windowing need only NumPy; ``build_forecaster`` and
``train_forecaster`` import Keras when called. The chapters call
``cached_train_forecaster``, which trains once and then reads the
weights from disk (``lstmref.model_cache``), or ``stored_forecaster``,
which reads the same stored model without importing Keras (it trains,
with Keras, only when nothing is stored yet).

The model is the one from the question the book answers::

    LSTM(units) -> Dense(n_features) -> Activation("linear")

reading ``time_steps`` past days of the four measurements and predicting
the next day's four.
"""

from pathlib import Path

import numpy as np

__all__ = ["FEATURES", "DATA_PATH", "load_weather", "standardize",
           "make_windows", "build_forecaster", "train_forecaster",
           "cached_train_forecaster", "stored_forecaster"]

#: The four daily measurements used as features, in column order.
FEATURES = ("precipitation", "temp_max", "temp_min", "wind")
#: Where the shipped copy of the data lies.
DATA_PATH = Path(__file__).parent / "data" / "seattle-weather.csv"
#: Days 2012-01-01 .. 2014-12-31 train the model; 2015 tests it.
N_TRAIN_DAYS = 1096


def load_weather(path=DATA_PATH):
    """Read the weather table.

    Returns a dict with ``date`` (N,) strings, ``features`` (N, 4) float64
    in the order of ``FEATURES`` (mm, degrees C, degrees C, m/s as read;
    the source does not state units) and ``weather`` (N,) strings.
    """
    rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    header = Path(path).read_text().splitlines()[0].split(",")
    expected = ["date", *FEATURES, "weather"]
    if header != expected:
        raise ValueError(
            f"path: expected the columns {expected}, got {header} in {path}")
    return {"date": rows[:, 0], "features": rows[:, 1:5].astype(np.float64),
            "weather": rows[:, 5]}


def standardize(features, n_train=N_TRAIN_DAYS):
    """Scale each column to mean 0, std 1 using the training days only.

    features (N, F) -> ``(scaled, mean, std)`` with mean and std (F,).
    """
    mean = features[:n_train].mean(axis=0)
    std = features[:n_train].std(axis=0)
    return (features - mean) / std, mean, std


def make_windows(series, time_steps):
    """Cut a series into (past ``time_steps`` days, next day) pairs.

    series (N, F) -> x (N - time_steps, time_steps, F), y (N - time_steps,
    F), where x[k] holds days k .. k + time_steps - 1 and y[k] day
    k + time_steps.
    """
    series = np.asarray(series)
    if not isinstance(time_steps, (int, np.integer)) or not (
            1 <= time_steps < len(series)):
        raise ValueError(
            f"time_steps: expected an integer from 1 to {len(series) - 1}, "
            f"got {time_steps!r}")
    n = len(series) - time_steps
    index = np.arange(n)[:, None] + np.arange(time_steps)[None, :]
    return series[index], series[time_steps:]


def build_forecaster(time_steps, units=8, n_features=len(FEATURES),
                     dtype="float64", seed=0):
    """The question's model, LSTM -> Dense -> linear, as a Keras Sequential.

    float64 layers by default, so that lstmref can be compared with it to
    round-off (about 1e-16) rather than float32's 1e-7.
    """
    import keras
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((time_steps, n_features), dtype=dtype),
        keras.layers.LSTM(units, dtype=dtype, name="lstm"),
        keras.layers.Dense(n_features, dtype=dtype, name="dense"),
        keras.layers.Activation("linear", dtype=dtype, name="linear"),
    ])


def build_stacked_forecaster(time_steps, units=8, n_features=len(FEATURES),
                             dtype="float64", seed=0):
    """A second shape: two LSTM layers, the first returning its sequence.

    LSTM(units, return_sequences=True) -> LSTM(units) -> Dense; the shape
    most forecasting tutorials stack, read by ``from_keras_model`` as a
    ``lstmref.stack.Stack``.
    """
    import keras
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((time_steps, n_features), dtype=dtype),
        keras.layers.LSTM(units, return_sequences=True, dtype=dtype,
                          name="lstm"),
        keras.layers.LSTM(units, dtype=dtype, name="lstm_2"),
        keras.layers.Dense(n_features, dtype=dtype, name="dense"),
    ])


def train_forecaster(time_steps=5, units=8, epochs=12, seed=0,
                     stacked=False):
    """Train the forecaster on 2012-2014 and return it with its data.

    Seeded and deterministic (same weights every run on the same machine).
    ``stacked``: train ``build_stacked_forecaster``'s two-layer model.
    Returns ``(model, data)`` where data holds ``x_train, y_train, x_test,
    y_test`` (standardized windows), ``mean``, ``std``, ``dates_test`` (the
    date each test target falls on) and ``history`` (loss per epoch).
    """
    import keras
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    table = load_weather()
    scaled, mean, std = standardize(table["features"])
    x, y = make_windows(scaled, time_steps)
    split = N_TRAIN_DAYS - time_steps  # targets before 2015 train
    build = build_stacked_forecaster if stacked else build_forecaster
    model = build(time_steps, units, seed=seed)
    # One call into TensorFlow per epoch rather than per batch: the same
    # updates in the same order (the weights come out bit-identical), with
    # less Python between them.
    batches = -(-split // 32)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse",
                  steps_per_execution=batches)
    # Adam's moments made now, the zeros fit would make: made inside
    # fit's first trace instead, they make TensorFlow trace the training
    # step a second time (the same weights either way, only slower).
    model.optimizer.build(model.trainable_variables)
    history = model.fit(x[:split], y[:split], epochs=epochs, batch_size=32,
                        shuffle=True, verbose=0)
    data = {"x_train": x[:split], "y_train": y[:split],
            "x_test": x[split:], "y_test": y[split:], "mean": mean,
            "std": std, "dates_test": table["date"][time_steps:][split:],
            "history": history.history["loss"]}
    return model, data


def forecaster_key(time_steps=5, units=8, epochs=12, seed=0,
                   stacked=False):
    """The model cache's key of ``cached_train_forecaster``'s arguments:
    the data file's bytes, this file's code, the arguments and the
    installed versions (``lstmref.model_cache.cache_key``; no import)."""
    from .model_cache import cache_key
    arguments = (time_steps, units, epochs, seed) + (("stacked",) if stacked
                                                     else ())
    return cache_key([DATA_PATH, __file__], arguments)


def cached_train_forecaster(time_steps=5, units=8, epochs=12, seed=0,
                            stacked=False):
    """``train_forecaster``'s ``(model, data)``, trained once per machine.

    The first call trains and stores the weights and data; later calls
    (other chapters' kernels, later builds) rebuild the model with
    ``build_forecaster`` and set the stored weights, bit for bit those of
    a fresh training. The model is not compiled. The key covers the data
    file's bytes, this file's code, the arguments and the versions of
    Keras, TensorFlow and NumPy (``lstmref.model_cache``).
    """
    from .model_cache import load_or_train
    from .quiet import import_keras
    import_keras()
    import tensorflow as tf

    def build():
        # as train_forecaster does, so later TensorFlow ops run alike
        tf.config.experimental.enable_op_determinism()
        shape = build_stacked_forecaster if stacked else build_forecaster
        return shape(time_steps, units, seed=seed)

    key = forecaster_key(time_steps, units, epochs, seed, stacked)
    return load_or_train(key, lambda: train_forecaster(
        time_steps, units, epochs, seed, stacked), build)


def stored_forecaster(time_steps=5, units=8, epochs=12, seed=0,
                      stacked=False):
    """``cached_train_forecaster``'s model as stored on disk: a
    ``lstmref.model_cache.Stored`` (``weights``, ``data`` and the
    ``.keras`` file's bytes, ``keras_file``).

    Reads the cache without importing Keras or TensorFlow. When nothing
    is stored yet, trains first (``cached_train_forecaster``, which
    imports Keras); when the cache cannot be written, the model just
    trained is saved into memory instead.
    """
    from . import model_cache
    key = forecaster_key(time_steps, units, epochs, seed, stacked)
    stored = model_cache.read(key)
    if stored is None:
        model, data = cached_train_forecaster(time_steps, units, epochs,
                                              seed, stacked)
        stored = model_cache.read(key) or model_cache.Stored(
            model.get_weights(), data, model_cache.saved_bytes(model))
    return stored
