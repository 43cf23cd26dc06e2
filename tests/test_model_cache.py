"""The forecaster read from the model cache is the one training gives.

``weather.cached_train_forecaster`` trains once and then rebuilds the
model from stored weights (lstmref/model_cache.py). Its promise is
exactness: the same weights bit for bit as ``train_forecaster``, hence the
same predictions, compared here byte for byte (``tobytes``), not to a
tolerance. The key must change with anything that changes the weights,
and a damaged file must be trained again, never used.
"""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstmref import model_cache, weather
from lstmref.quiet import import_keras

ROOT = Path(__file__).resolve().parents[1]
# Small enough to train in about a second; the cache does not care.
ARGS = dict(time_steps=3, units=4, epochs=2, seed=7)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of the test's own, through $LSTMREF_CACHE."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(model_cache.ENV_VAR, str(folder))
    return folder


@pytest.fixture(scope="module")
def fresh():
    """``train_forecaster(**ARGS)`` without any cache."""
    return weather.train_forecaster(**ARGS)


def assert_same_bytes(model, data, ref_model, ref_data):
    """Weights, predictions and data equal byte for byte (and in dtype)."""
    ours, theirs = model.get_weights(), ref_model.get_weights()
    assert len(ours) == len(theirs) == 5  # kernel, recurrent, bias, dense
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    x = ref_data["x_test"]
    assert np.asarray(model(x)).tobytes() == np.asarray(
        ref_model(x)).tobytes()
    assert list(data) == list(ref_data)
    for name, value in ref_data.items():
        if name == "history":  # a list of Python floats, as Keras gives
            assert data[name] == value
            assert all(type(v) is float for v in data[name])
        else:
            assert data[name].dtype == value.dtype
            assert data[name].tobytes() == value.tobytes()


def forbid_training(monkeypatch):
    """Make any training fail, to prove a call was answered from disk."""
    def train(*args, **kwargs):
        raise AssertionError("trained although the cache held the model")
    monkeypatch.setattr(weather, "train_forecaster", train)


def test_cache_miss_and_hit_give_the_weights_of_a_fresh_training(
        cache, fresh, monkeypatch):
    missed = weather.cached_train_forecaster(**ARGS)
    assert len(list(cache.glob("*.npz"))) == 1
    assert_same_bytes(*missed, *fresh)
    forbid_training(monkeypatch)
    hit = weather.cached_train_forecaster(**ARGS)
    assert_same_bytes(*hit, *fresh)
    assert not list(cache.glob("*.tmp"))  # the temporary file was moved


def recorded_key(monkeypatch, **args):
    """The key cached_train_forecaster asks load_or_train for (no
    training: load_or_train is replaced by a recorder)."""
    keys = []
    monkeypatch.setattr(model_cache, "load_or_train",
                        lambda key, train, build: keys.append(key))
    weather.cached_train_forecaster(**{**ARGS, **args})
    return keys[0]


def test_key_changes_with_the_seed_and_each_argument(monkeypatch):
    base = recorded_key(monkeypatch)
    assert recorded_key(monkeypatch) == base  # control: same call, same key
    changed = [recorded_key(monkeypatch, **{name: ARGS[name] + 1})
               for name in ARGS]
    assert len({base, *changed}) == 1 + len(ARGS)


def test_key_changes_with_the_data_bytes(tmp_path, monkeypatch):
    base = recorded_key(monkeypatch)
    copy = tmp_path / "seattle-weather.csv"
    shutil.copyfile(weather.DATA_PATH, copy)
    monkeypatch.setattr(weather, "DATA_PATH", copy)
    assert recorded_key(monkeypatch) == base  # control: same bytes
    text = copy.read_text()
    copy.write_text(text.replace("0.0,", "0.1,", 1))  # one value changed
    assert recorded_key(monkeypatch) != base


def test_key_changes_with_the_training_code(tmp_path, monkeypatch):
    base = recorded_key(monkeypatch)
    copy = tmp_path / "weather.py"
    shutil.copyfile(weather.__file__, copy)
    monkeypatch.setattr(weather, "__file__", str(copy))
    assert recorded_key(monkeypatch) == base  # control: same bytes
    copy.write_text(copy.read_text().replace("Adam(0.01)", "Adam(0.02)"))
    assert recorded_key(monkeypatch) != base


@pytest.mark.parametrize("module", ["keras", "tensorflow"])
def test_key_changes_with_the_framework_versions(monkeypatch, module):
    base = model_cache.cache_key([weather.DATA_PATH], (5,))
    real = importlib.metadata.version
    names = model_cache.DISTRIBUTIONS[module]

    def version(name):
        return real(name) + (".post1" if name in names else "")
    monkeypatch.setattr(importlib.metadata, "version", version)
    assert model_cache.cache_key([weather.DATA_PATH], (5,)) != base


def test_key_reads_the_versions_keras_and_tensorflow_report():
    keras = import_keras()
    import tensorflow as tf
    assert model_cache._version("keras") == keras.__version__
    assert model_cache._version("tensorflow") == tf.__version__


def test_reading_a_stored_model_imports_no_framework(cache):
    """The point of ``read``: a chapter that only reads the stored model
    starts no TensorFlow (checked in a fresh interpreter)."""
    weather.cached_train_forecaster(**ARGS)
    code = (
        "import sys\n"
        "from lstmref import weather\n"
        f"stored = weather.stored_forecaster(**{ARGS!r})\n"
        "assert len(stored.weights) == 5 and stored.keras_file\n"
        "loaded = [m for m in ('keras', 'tensorflow', 'tf_keras')\n"
        "          if m in sys.modules]\n"
        "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, env={**os.environ,
                                          model_cache.ENV_VAR: str(cache)})
    assert done.returncode == 0, done.stderr[-2000:]


def test_stored_keras_file_is_the_trained_model(cache, fresh, tmp_path):
    """The ``.keras`` bytes kept with the weights load, in Keras, into the
    trained model: same weights byte for byte, same layers."""
    weather.cached_train_forecaster(**ARGS)
    stored = weather.stored_forecaster(**ARGS)
    path = tmp_path / "model.keras"
    path.write_bytes(stored.keras_file)
    loaded = import_keras().saving.load_model(path)
    assert [layer.name for layer in loaded.layers] == [
        layer.name for layer in fresh[0].layers]
    for a, b, c in zip(loaded.get_weights(), fresh[0].get_weights(),
                       stored.weights):
        assert a.tobytes() == b.tobytes() == c.tobytes()


def test_stored_forecaster_trains_once_when_nothing_is_stored(
        cache, fresh, monkeypatch):
    stored = weather.stored_forecaster(**ARGS)  # empty cache: trains
    assert len(list(cache.glob("*.npz"))) == 1
    forbid_training(monkeypatch)
    again = weather.stored_forecaster(**ARGS)
    for a, b, c in zip(stored.weights, again.weights,
                       fresh[0].get_weights()):
        assert a.tobytes() == b.tobytes() == c.tobytes()
    assert stored.keras_file == again.keras_file


def test_stored_forecaster_without_a_writable_cache_still_answers(
        cache, fresh, monkeypatch):
    def savez(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", savez)
    with pytest.warns(UserWarning, match="could not store the model"):
        stored = weather.stored_forecaster(**ARGS)
    for a, b in zip(stored.weights, fresh[0].get_weights()):
        assert a.tobytes() == b.tobytes()
    assert stored.keras_file[:2] == b"PK"  # a zip, as .keras files are


def truncate(raw, weights):
    return raw[:len(raw) // 2]


def flip_a_weight_byte(raw, weights):
    at = raw.find(weights[0].tobytes()) + 3
    assert at > 3, "the first weight's bytes are stored as they are"
    return raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:]


def empty(raw, weights):
    return b""


def garbage(raw, weights):
    return b"not a zip file" * 100


@pytest.mark.parametrize(
    "damage", [truncate, flip_a_weight_byte, empty, garbage])
def test_damaged_cache_file_is_trained_again(cache, fresh, damage):
    weather.cached_train_forecaster(**ARGS)
    [path] = cache.glob("*.npz")
    raw = path.read_bytes()
    path.write_bytes(damage(raw, fresh[0].get_weights()))
    assert path.read_bytes() != raw
    assert_same_bytes(*weather.cached_train_forecaster(**ARGS), *fresh)
    assert model_cache._read(path) is not None  # stored again, whole
    assert model_cache._read(path).keras_file[:2] == b"PK"


def test_checksum_catches_a_changed_array(cache, fresh):
    """The control for the CRC of the zip: an array rewritten in a valid
    file (so only the stored checksum can tell) is refused."""
    weather.cached_train_forecaster(**ARGS)
    [path] = cache.glob("*.npz")
    with np.load(path) as stored:
        arrays = dict(stored)
    assert model_cache._read(path) is not None  # control: intact file
    arrays["weight_000"] = arrays["weight_000"] + 1.0
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert model_cache._read(path) is None


def test_failed_write_leaves_no_file(cache, fresh, monkeypatch):
    def savez(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", savez)
    with pytest.warns(UserWarning, match="could not store the model"):
        model, data = weather.cached_train_forecaster(**ARGS)
    assert_same_bytes(model, data, *fresh)
    assert not list(cache.iterdir())  # neither half a file nor a temp


def test_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(model_cache.ENV_VAR, str(tmp_path / "mine"))
    assert model_cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(model_cache.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_cache.cache_dir() == tmp_path / "xdg" / "lstmref"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert model_cache.cache_dir() == tmp_path / "home" / ".cache/lstmref"


def test_default_cache_folder_is_not_in_the_repository(monkeypatch):
    monkeypatch.delenv(model_cache.ENV_VAR, raising=False)
    folder = model_cache.cache_dir().resolve()
    assert folder != ROOT and ROOT not in folder.parents
