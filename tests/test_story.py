"""lstmref.story: the one setup every chapter uses."""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

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


def test_the_story_s_network_is_the_keras_model_s_weights_bit_for_bit():
    """``s.net`` is read from the .keras file Keras saved; ``s.model`` is
    rebuilt from the stored weights: both must be the same numbers."""
    s = setup()
    weights = s.model.get_weights()  # kernel, recurrent, bias, D, d
    ours = [s.params.kernel, s.params.recurrent_kernel, s.params.bias,
            s.net.dense_kernel, s.net.dense_bias]
    assert len(weights) == len(ours)
    for theirs, mine in zip(weights, ours):
        assert theirs.dtype == mine.dtype and theirs.tobytes() == mine.tobytes()
    lstm = s.model.get_layer("lstm")
    assert s.params.activation == lstm.activation.__name__
    assert s.params.recurrent_activation == (
        lstm.recurrent_activation.__name__)
    assert s.net.dense_activation == "linear"
    np.testing.assert_allclose(s.net.predict(s.data["x_test"]),
                               np.asarray(s.model(s.data["x_test"])),
                               rtol=0, atol=1e-12)


def test_setup_without_keras_imports_no_tensorflow_until_asked():
    """``setup(keras=False)`` in a fresh interpreter (the model already
    stored, as it is after the first chapter): no Keras, TensorFlow or
    tf_keras module loaded; the objects alive then frozen out of the
    garbage collector's walks, as with Keras; the same numbers as the
    Keras story; and ``s.model`` still gives the Keras model when asked."""
    setup()  # stores the model if this machine has not yet
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from lstmref.story import setup\n"
        "s = setup(keras=False)\n"
        "frameworks = ('keras', 'tensorflow', 'tf_keras')\n"
        "loaded = [m for m in frameworks if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "import gc\n"
        "assert gc.get_freeze_count() > 0  # the exit skips these objects\n"
        "np.save(sys.argv[1], s.run.h)\n"
        "assert s.model.get_layer('lstm').units == s.params.units\n"
        "assert 'tensorflow' in sys.modules\n")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "h.npy"
        done = subprocess.run([sys.executable, "-c", code, str(out)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        assert np.load(out).tobytes() == setup().run.h.tobytes()


def test_setup_names_keras_when_it_is_not_a_bool():
    with pytest.raises(TypeError, match=r"^keras: "):
        setup(keras="no")
