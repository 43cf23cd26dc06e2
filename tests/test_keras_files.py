"""``lstmref.files``: model files read as data, never as code.

Most files here are written by the real library (Keras 3, or tf_keras for
tf.keras 2.x and Keras 2's ``hard_sigmoid``) from a float64 model with
random non-zero weights and biases; what the reader returns is compared
with that model's own layers and predictions. Files of Keras 1.2.2-2.2.4,
which nothing installable here writes, come from tests/data/real_models
and are compared with the predictions their Keras recorded, or with what
tf_keras loads. Two copies are edited as an old writer would have left
them (backslashes of tf.keras 2.15 on Windows; Keras 1's gate function).
A file holding a ``Lambda`` whose function would create a marker file is
refused in every format, and the marker never appears, though the
library itself, loading the same file, does create it.
"""

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
import tf_keras

from helpers import keras_lstm, random_params
from lstmref import LSTMParams, Network
from lstmref.files import (ModelFileError, keras_activation,
                           network_from_file, read_model_file,
                           stack_from_file)
from lstmref.files import SUPPORTED
from lstmref.files.safety import CODE_LAYERS, KERAS_LAYERS, refuse_code

T, F, UNITS, N_OUT = 6, 3, 4, 2
LIBRARIES = {"keras": keras, "tf_keras": tf_keras}
#: Every file a library writes: Keras 3 .keras and legacy .h5; tf.keras
#: 2.x (tf_keras) .h5 and .keras.
FORMATS = [("keras", ".keras"), ("keras", ".h5"), ("tf_keras", ".h5"),
           ("tf_keras", ".keras")]
#: float64 all the way: only rounding in a different order separates the
#: two computations, far below this.
ATOL = 1e-12
MARKER = "LSTMREF_TEST_MARKER"
#: Files written by Keras 1.2.2-2.2.4 (Apache-2.0, see its README.md).
REAL = Path(__file__).parent / "data" / "real_models"


def randomize(model, rng):
    """Give every weight of ``model`` random non-zero values."""
    weights = [rng.normal(0, 0.6, w.shape) for w in model.get_weights()]
    assert all(np.all(w != 0) for w in weights)
    model.set_weights(weights)


def save(model, folder, library, suffix, name="model"):
    """Save ``model`` in ``folder`` as ``name + suffix``; the path."""
    path = Path(folder) / f"{name}-{library}{suffix}"
    model.save(path)
    return path


def windows(rng, batch=5):
    """Inputs on the scale where hard sigmoids clip and bend."""
    return rng.normal(0, 1.5, (batch, T, F))


def lstm_dense(library, rng, *, recurrent_activation="sigmoid",
               dense_activation="linear", go_backwards=False,
               use_bias=True, functional=False, trailing=0):
    """LSTM -> Dense (-> Activation('linear') * trailing), float64."""
    K = LIBRARIES[library]
    params = random_params(rng, UNITS, F, use_bias=use_bias,
                           recurrent_activation=recurrent_activation)
    lstm = keras_lstm(params, framework=library, go_backwards=go_backwards)
    dense = K.layers.Dense(N_OUT, activation=dense_activation,
                           dtype="float64")
    tail = [K.layers.Activation("linear", dtype="float64")
            for _ in range(trailing)]
    inputs = K.Input((T, F), dtype="float64")
    if functional:
        y = inputs
        for layer in [lstm, dense, *tail]:
            y = layer(y)
        model = K.Model(inputs, y)
    else:
        model = K.Sequential([inputs, lstm, dense, *tail])
    dense.set_weights([rng.normal(0, 0.6, w.shape)
                       for w in dense.get_weights()])
    assert all(np.all(w != 0) for w in model.get_weights())
    return model


CASES = {
    "sequential": {},
    "functional": {"functional": True, "trailing": 1},
    "backwards, no bias, relu head": {
        "go_backwards": True, "use_bias": False, "dense_activation": "relu"},
    "tanh head, two linear activations": {
        "dense_activation": "tanh", "trailing": 2},
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("library, suffix", FORMATS)
def test_network_from_file_predicts_as_the_library(library, suffix, case,
                                                   tmp_path):
    rng = np.random.default_rng([FORMATS.index((library, suffix)),
                                 list(CASES).index(case)])
    model = lstm_dense(library, rng, **CASES[case])
    path = save(model, tmp_path, library, suffix)
    net = network_from_file(path)
    x = windows(rng)
    assert net.params.dtype == np.float64
    np.testing.assert_allclose(net.predict(x), np.asarray(model(x)),
                               rtol=0, atol=ATOL)


@pytest.mark.parametrize("library, suffix, expected", [
    ("keras", ".keras", "hard_sigmoid"), ("keras", ".h5", "hard_sigmoid"),
    ("tf_keras", ".h5", "hard_sigmoid_keras2"),
    ("tf_keras", ".keras", "hard_sigmoid_keras2")])
def test_hard_sigmoid_is_read_by_the_files_keras_version(
        library, suffix, expected, tmp_path):
    """Both libraries write "hard_sigmoid"; Keras 2's is 0.2 x + 1/2,
    Keras 3's x / 6 + 1/2, and each file is read as its writer computes."""
    rng = np.random.default_rng(11)
    model = lstm_dense(library, rng, recurrent_activation=expected)
    path = save(model, tmp_path, library, suffix)
    lstm_config = next(layer.config for layer in read_model_file(
        path).layers if layer.class_name == "LSTM")
    assert lstm_config["recurrent_activation"] == "hard_sigmoid"
    net = network_from_file(path)
    assert net.params.recurrent_activation == expected
    x = windows(rng)
    keras_y = np.asarray(model(x))
    np.testing.assert_allclose(net.predict(x), keras_y, rtol=0, atol=ATOL)
    # the control: the other slope gives other predictions
    other = {"hard_sigmoid": "hard_sigmoid_keras2",
             "hard_sigmoid_keras2": "hard_sigmoid"}[expected]
    p = net.params
    wrong = Network(LSTMParams(p.kernel, p.recurrent_kernel, p.bias,
                               recurrent_activation=other),
                    net.dense_kernel, net.dense_bias)
    assert np.max(np.abs(wrong.predict(x) - keras_y)) > 1e-3


def rich(library):
    """Input -> Bidirectional(LSTM) -> LSTM -> Dropout ->
    BatchNormalization -> Dense, functional, float64."""
    K = LIBRARIES[library]
    f64 = {"dtype": "float64"}
    inputs = K.Input((T, F), dtype="float64", name="window")
    y = K.layers.Bidirectional(K.layers.LSTM(
        3, return_sequences=True, **f64), name="both_ways", **f64)(inputs)
    y = K.layers.LSTM(UNITS, name="upper", use_bias=False, **f64)(y)
    y = K.layers.Dropout(0.3, **f64)(y)
    y = K.layers.BatchNormalization(name="norm", **f64)(y)
    y = K.layers.Dense(N_OUT, name="head", **f64)(y)
    return K.Model(inputs, y)


def keras_names(layer):
    """The short names Keras gives a layer's weights, in order."""
    names = []
    for v in layer.weights:
        parts = v.name.split(":")[0].split("/")
        path = getattr(v, "path", v.name).split(":")[0].split("/")
        side = [p.split("_")[0] for p in path if p.startswith(
            ("forward_", "backward_"))]
        names.append("/".join(side[:1] + parts[-1:]))
    return names


@pytest.mark.parametrize("library, suffix", FORMATS)
def test_read_model_file_gives_each_layers_weights_by_name(
        library, suffix, tmp_path):
    model = rich(library)
    randomize(model, np.random.default_rng(3))
    path = save(model, tmp_path, library, suffix)
    found = read_model_file(path)
    assert found.format == suffix
    assert found.keras2 == (library == "tf_keras")
    assert found.keras_version == LIBRARIES[library].__version__
    assert found.input_shape == (None, T, F)
    layers = [r for r in found.layers if r.class_name != "InputLayer"]
    live = [layer for layer in model.layers
            if type(layer).__name__ != "InputLayer"]
    assert [r.class_name for r in layers] == [
        type(layer).__name__ for layer in live]
    assert [r.name for r in layers] == [layer.name for layer in live]
    assert [r.position for r in found.layers] == list(
        range(len(found.layers)))
    for record, layer in zip(layers, live):
        assert list(record.weights) == keras_names(layer)
        expected = layer.get_weights()
        assert len(record.weights) == len(expected)
        for ours, theirs in zip(record.weights.values(), expected):
            np.testing.assert_array_equal(ours, theirs)
    inbound = {r.name: r.inbound for r in found.layers}
    assert inbound["both_ways"] == ("window",)
    assert inbound["upper"] == ("both_ways",)
    assert inbound["head"] == ("norm",)
    names = list(layers[0].weights)
    assert names[:3] == ["forward/kernel", "forward/recurrent_kernel",
                         "forward/bias"]


def test_two_layers_of_one_class_keep_their_own_weights(tmp_path):
    """In a .keras file the groups are named by class (lstm, lstm_1), not
    by the layers' names: given names in the opposite order, each layer
    still gets its own arrays."""
    model = keras.Sequential([
        keras.Input((T, F), dtype="float64"),
        keras.layers.LSTM(5, return_sequences=True, name="zz",
                          dtype="float64"),
        keras.layers.LSTM(2, name="aa", dtype="float64"),
        keras.layers.Dense(1, dtype="float64")])
    randomize(model, np.random.default_rng(4))
    for suffix in (".keras", ".h5"):
        found = read_model_file(save(model, tmp_path, "keras", suffix))
        for name in ("zz", "aa"):
            record = next(r for r in found.layers if r.name == name)
            expected = model.get_layer(name).get_weights()
            assert len(record.weights) == len(expected) == 3
            for ours, theirs in zip(record.weights.values(), expected):
                np.testing.assert_array_equal(ours, theirs)


# --- No code from a file ever runs --------------------------------------

def marker_model(library):
    """Input -> Lambda(touch the file named by $LSTMREF_TEST_MARKER) ->
    LSTM -> Dense: the Lambda's code is stored in the file as bytecode."""
    K = LIBRARIES[library]
    touch = lambda x: (  # noqa: E731 - saved as a lambda on purpose
        __import__("pathlib").Path(__import__("os").environ[
            "LSTMREF_TEST_MARKER"]).touch(), x)[1]
    return K.Sequential([
        K.Input((T, F), dtype="float64"),
        K.layers.Lambda(touch, name="touch", dtype="float64"),
        K.layers.LSTM(2, dtype="float64"),
        K.layers.Dense(1, dtype="float64")])


@pytest.fixture(scope="module")
def lambda_files(tmp_path_factory):
    """One Lambda file per format; $LSTMREF_TEST_MARKER then names a
    fresh path that does not exist. Returns (files, marker path)."""
    folder = tmp_path_factory.mktemp("lambda")
    os.environ[MARKER] = str(folder / "while-saving")
    files = {}
    for library, suffix in FORMATS:
        model = marker_model(library)
        files[library, suffix] = save(model, folder, library, suffix)
    marker = folder / "marker"
    os.environ[MARKER] = str(marker)
    assert not marker.exists()
    yield files, marker
    os.environ.pop(MARKER, None)


@pytest.mark.parametrize("reader", [read_model_file, network_from_file])
@pytest.mark.parametrize("library, suffix", FORMATS)
def test_a_lambda_is_refused_and_never_runs(lambda_files, library, suffix,
                                            reader):
    files, marker = lambda_files
    with pytest.raises(ModelFileError) as error:
        reader(files[library, suffix])
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(str(files[library, suffix]))
    assert "'touch'" in message and "(Lambda, position 1 from 0)" in message
    assert "built-in layers" in message and "never runs code" in message
    assert not marker.exists()


def load_with_library(library, path):
    """The library's own loader, told to trust the file."""
    if library == "keras":
        return keras.saving.load_model(path, safe_mode=False,
                                       compile=False)
    return tf_keras.models.load_model(path, safe_mode=False, compile=False)


@pytest.mark.parametrize("library, suffix", FORMATS)
def test_the_lambda_files_code_does_run_when_keras_loads_it(
        lambda_files, library, suffix):
    """The control: the marker appears once the library itself loads the
    file and calls the model, so the refusal above is what kept it away."""
    files, marker = lambda_files
    assert not marker.exists()
    model = load_with_library(library, files[library, suffix])
    model(np.zeros((1, T, F)))
    assert marker.exists()
    marker.unlink()


def test_reading_imports_no_keras_and_no_tensorflow(lambda_files, tmp_path):
    """In a fresh interpreter, reading every Lambda file (refused) and a
    plain one imports neither Keras nor TensorFlow: nothing is built."""
    files, marker = lambda_files
    plain = save(lstm_dense("keras", np.random.default_rng(8)), tmp_path,
                 "keras", ".keras")
    script = f"""
import sys
from lstmref.files import ModelFileError, read_model_file
for path in {[str(p) for p in files.values()]!r}:
    try:
        read_model_file(path)
    except ModelFileError:
        pass
    else:
        raise SystemExit("not refused: " + path)
read_model_file({str(plain)!r})
loaded = sorted(m for m in sys.modules if m.split(".")[0] in
                ("keras", "tensorflow", "tf_keras", "torch"))
print(loaded)
"""
    result = subprocess.run([sys.executable, "-c", script], text=True,
                            capture_output=True, timeout=120,
                            env={**os.environ, MARKER: str(marker)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert not marker.exists()


def test_reading_a_real_keras2_lambda_file_imports_nothing(tmp_path):
    """A Lambda saved by Keras 2.0.9 (tests/data/real_models) is refused
    in a fresh interpreter that never imports Keras or TensorFlow."""
    path = REAL / "sequential_lambda.h5"
    script = f"""
import sys
from lstmref.files import ModelFileError, read_model_file
try:
    read_model_file({str(path)!r})
except ModelFileError as error:
    print(error)
print(sorted(m for m in sys.modules if m.split(".")[0] in
             ("keras", "tensorflow", "tf_keras", "torch")))
"""
    result = subprocess.run([sys.executable, "-c", script], text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    message, loaded = result.stdout.strip().splitlines()
    assert "'lambda_1' (Lambda, position 1 from 0)" in message
    assert loaded == "[]"


# --- Files of Keras 1 and 2 that Keras 3 cannot load ---------------------

#: The old files hold float32 weights and their recorded outputs were
#: computed in float32 (Theano, TensorFlow 1): agreement to a few float32
#: roundings of the output's size, 1e-6 relative, is all there is.
FLOAT32 = 1e-6


def recorded(name):
    """(inputs, the predictions Keras recorded) of ``name`` in
    tests/data/real_models."""
    import h5py
    with h5py.File(REAL / f"{name}_inputs_and_outputs.h5", "r") as store:
        x = next(iter(store["inputs"].values()))[()]
        y = next(iter(store["predictions"].values()))[()]
    return x.astype(np.float64), y.astype(np.float64)


def with_recurrent_activation(net, name):
    """``net`` with another gate function (the control)."""
    p = net.params
    return Network(LSTMParams(p.kernel, p.recurrent_kernel, p.bias,
                              activation=p.activation,
                              recurrent_activation=name),
                   net.dense_kernel, net.dense_bias, net.dense_activation)


@pytest.mark.parametrize("name, version", [
    ("simple_lstm_th_keras_1", "1.2.2"),
    ("simple_flatten_lstm_tf_keras_2", "2.1.3")])
def test_an_old_file_predicts_what_its_keras_recorded(name, version):
    """Keras 1.2.2 (twelve arrays, gates i, c, f, o) and Keras 2.1.3 wrote
    these files with their predictions; neither file loads in Keras 3."""
    path = REAL / f"{name}_model.h5"
    assert read_model_file(path).keras_version == version
    net = network_from_file(path)
    assert net.params.recurrent_activation == "hard_sigmoid_keras2"
    x, y = recorded(name)
    scale = np.max(np.abs(y))
    np.testing.assert_allclose(net.predict(x), y, rtol=0,
                               atol=FLOAT32 * scale)
    with pytest.raises((TypeError, ValueError)):
        keras.saving.load_model(path, compile=False, safe_mode=True)
    if name.endswith("keras_1"):  # the control: Keras 3's slope misses
        wrong = with_recurrent_activation(net, "hard_sigmoid")
        assert np.max(np.abs(wrong.predict(x) - y)) > 1e-3 * scale


@pytest.mark.parametrize("name", [
    "simple_lstm_tf_keras_2_model.h5",
    "simple_flatten_lstm_tf_keras_2_model.h5", "rnn_132.h5",
    "bidirectional_lstm_tensorflow_2.h5"])
def test_an_old_files_weights_are_what_tf_keras_loads(name):
    """tf_keras loads these Keras 2.0-2.2 files (Keras 3 cannot); every
    layer's arrays read here equal its ``get_weights()``, in order."""
    path = REAL / name
    found = read_model_file(path)
    assert found.keras2
    model = tf_keras.models.load_model(path, compile=False)
    with pytest.raises((TypeError, ValueError)):
        keras.saving.load_model(path, compile=False, safe_mode=True)
    layers = [r for r in found.layers if r.class_name != "InputLayer"]
    assert [r.name for r in layers] == [
        layer.name for layer in model.layers
        if type(layer).__name__ != "InputLayer"]
    for record in layers:
        expected = model.get_layer(record.name).get_weights()
        assert len(record.weights) == len(expected) > 0
        for ours, theirs in zip(record.weights.values(), expected):
            np.testing.assert_array_equal(ours, theirs)
    if name.startswith("bidirectional"):
        assert list(layers[0].weights) == [
            f"{side}/{w}" for side in ("forward", "backward")
            for w in ("kernel", "recurrent_kernel", "bias")]


def test_a_keras2_file_predicts_as_tf_keras_loading_it():
    """Keras 2.0.6, LSTM -> Dense: float32 weights, compared in float32.
    The file fixes one time step; its layers, called one after the other,
    take nine."""
    path = REAL / "simple_lstm_tf_keras_2_model.h5"
    net = network_from_file(path)
    lstm, dense = tf_keras.models.load_model(path, compile=False).layers
    x = np.random.default_rng(12).normal(0, 1.5, (8, 9, 1))
    y = np.asarray(dense(lstm(x.astype(np.float32))), np.float64)
    np.testing.assert_allclose(net.predict(x), y, rtol=0,
                               atol=FLOAT32 * np.max(np.abs(y)))


@pytest.mark.parametrize("name", ["rnn_132.h5",
                                  "bidirectional_lstm_tensorflow_2.h5"])
def test_an_old_stacked_or_bidirectional_file_predicts_as_tf_keras(name):
    """tf.keras 2.2.4's functional LSTM -> LSTM (relu, Keras 2's hard
    sigmoid, both returning sequences: the last step explained) and Keras
    2.1.3's Bidirectional(LSTM): float32 weights, compared in float32."""
    path = REAL / name
    stack = stack_from_file(path)
    model = tf_keras.models.load_model(path, compile=False)
    steps, features = read_model_file(path).input_shape[1:]
    x = np.random.default_rng(16).normal(0, 1.5, (8, steps, features))
    y = np.asarray(model(x.astype(np.float32)), np.float64)
    y = y[:, -1] if y.ndim == 3 else y
    np.testing.assert_allclose(stack.predict(x), y, rtol=0,
                               atol=FLOAT32 * np.max(np.abs(y)))
    if name.startswith("rnn"):  # Keras 2's slope, and the last step
        gates = stack.layers[0].params.recurrent_activation
        assert gates == "hard_sigmoid_keras2"
        assert type(stack.layers[-1]).__name__ == "Step"


# --- tf.keras 2.15 on Windows: backslashes in the weight groups -----------

def with_backslashes(source, target):
    """Copy a .keras archive, naming its weight groups as tf.keras 2.15
    wrote them on Windows: ``layers\\lstm\\cell/vars/0``."""
    import h5py

    def windows_name(name):
        """'layers/lstm/cell/vars/0' -> 'layers\\lstm\\cell/vars/0'."""
        head, sep, tail = name.partition("/vars")
        return head.replace("/", "\\") + sep + tail if sep else name

    with zipfile.ZipFile(source) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    arrays, groups = {}, []
    with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as store:
        store.visititems(lambda name, obj: arrays.__setitem__(
            name, obj[()]) if isinstance(obj, h5py.Dataset) else
            groups.append(name))
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as store:
        for name in groups:
            if name.endswith("vars"):
                store.require_group(windows_name(name))
        for name, value in arrays.items():
            store[windows_name(name)] = value
    members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def test_a_windows_tf_keras_file_that_keras_cannot_load_is_read(tmp_path):
    rng = np.random.default_rng(13)
    model = lstm_dense("tf_keras", rng, trailing=1)
    plain = save(model, tmp_path, "tf_keras", ".keras")
    path = with_backslashes(plain, tmp_path / "windows.keras")
    for load in (lambda: tf_keras.models.load_model(path, compile=False),
                 lambda: keras.saving.load_model(path, compile=False)):
        # tf_keras: 'expected 3 variables, but received 0'; Keras 3:
        # 'Unrecognized keyword arguments passed to LSTM'
        with pytest.raises(ValueError):
            load()
    x = windows(rng)
    np.testing.assert_allclose(network_from_file(path).predict(x),
                               np.asarray(model(x)), rtol=0, atol=ATOL)


# --- Refusals and errors: one line that names the file --------------------

def one_line_error(path, reader=read_model_file):
    """The ModelFileError ``reader(path)`` raises, as text."""
    with pytest.raises(ModelFileError) as error:
        reader(path)
    message = str(error.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


@pytest.mark.parametrize("library, suffix", FORMATS)
def test_a_custom_layer_is_refused_in_every_format(library, suffix,
                                                   tmp_path):
    K = LIBRARIES[library]

    @K.saving.register_keras_serializable(package="lstmref_test")
    class Twice(K.layers.Layer):
        def call(self, x):
            return 2 * x

    model = K.Sequential([K.Input((T, F)), Twice(name="twice"),
                          K.layers.LSTM(2), K.layers.Dense(1)])
    message = one_line_error(save(model, tmp_path, library, suffix))
    # Keras 3's legacy .h5 names the class by its registered name
    assert re.search(r"layer 'twice' \((lstmref_test>)?Twice, position 1 "
                     r"from 0\)", message)
    assert "not one of Keras's built-in layers" in message


@pytest.mark.parametrize("library, suffix", FORMATS)
def test_a_custom_activation_function_is_refused(library, suffix, tmp_path):
    """Keras stores a function of ours by its module, 'builtins': code
    outside Keras, refused."""
    def doubled(x):
        return 2 * x

    K = LIBRARIES[library]
    model = K.Sequential([K.Input((T, F)), K.layers.LSTM(
        2, activation=doubled, name="odd"), K.layers.Dense(1)])
    message = one_line_error(save(model, tmp_path, library, suffix))
    assert "layer 'odd' (LSTM, position 1 from 0) names the custom object"\
        " 'function' from the module 'builtins'" in message


def test_a_subclassed_model_is_refused(tmp_path):
    @keras.saving.register_keras_serializable(package="lstmref_test")
    class Forecaster(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.lstm = keras.layers.LSTM(2)

        def call(self, x):
            return self.lstm(x)

    model = Forecaster()
    model(np.zeros((1, T, F)))
    message = one_line_error(save(model, tmp_path, "keras", ".keras"))
    assert "its class 'Forecaster'" in message
    assert "subclassed model is Python code" in message


def test_files_that_are_not_models_are_refused_by_name(tmp_path):
    assert "no such file" in one_line_error(tmp_path / "missing.keras")
    assert "a directory" in one_line_error(tmp_path)
    text = tmp_path / "notes.h5"
    text.write_text("not a model")
    assert "a file that is neither" in one_line_error(text)
    empty = tmp_path / "empty.keras"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("metadata.json", "{}")
    assert "without ['config.json', 'model.weights.h5']" in one_line_error(
        empty)
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("config.json", "{not json")
        archive.writestr("model.weights.h5", b"")
    assert "expected JSON in config.json" in one_line_error(broken)
    odd = tmp_path / "odd.keras"
    with zipfile.ZipFile(odd, "w") as archive:
        archive.writestr("config.json", json.dumps(
            {"class_name": "Sequential", "config": {"layers": [42]}}))
        archive.writestr("model.weights.h5", b"")
    assert "layer '?' (?, position 0 from 0) is not a layer configuration" \
        in one_line_error(odd)
    model = lstm_dense("tf_keras", np.random.default_rng(14))
    weights = tmp_path / "only.weights.h5"
    model.save_weights(weights)
    assert "save_weights carry no architecture" in one_line_error(weights)
    for suffix, expected in ((".keras", "neither (or one cut short)"), (
            ".h5", "cannot read it as a Keras model file: OSError")):
        whole = save(model, tmp_path, "tf_keras", suffix).read_bytes()
        cut = tmp_path / f"cut{suffix}"  # a zip's directory is at its end
        cut.write_bytes(whole[:len(whole) // 2])
        assert expected in one_line_error(cut)


def two_heads(rng):
    """Input -> LSTM -> (Dense, Dense) -> Add: not a chain."""
    inputs = keras.Input((T, F), dtype="float64")
    h = keras.layers.LSTM(3, dtype="float64")(inputs)
    y = keras.layers.Add(dtype="float64")([
        keras.layers.Dense(1, dtype="float64", name="left")(h),
        keras.layers.Dense(1, dtype="float64", name="right")(h)])
    return keras.Model(inputs, y)


@pytest.mark.parametrize("layers, expected", [
    (lambda K: [K.layers.GRU(2, name="gru"), K.layers.Dense(1)],
     "expected one of the layers lstmref reads, got the layer 'gru' (GRU, "
     "position 1 from 0)"),
    (lambda K: [K.layers.Dense(2, name="first"), K.layers.LSTM(2)],
     "expected an LSTM as the first layer (after only InputLayer, Masking,"
     " Normalization, Rescaling or layers inactive at prediction), got the "
     "layer 'first' (Dense, position 1 from 0)"),
    (lambda K: [K.layers.Conv1D(2, 2, name="conv"), K.layers.LSTM(2)],
     "got the layer 'conv' (Conv1D, position 1 from 0)"),
    (lambda K: [K.layers.LSTM(2, return_sequences=True),
                K.layers.SimpleRNN(2, name="simple")],
     "got the layer 'simple' (SimpleRNN, position 2 from 0)"),
    (lambda K: [K.layers.Bidirectional(K.layers.GRU(2), name="both")],
     "expected Bidirectional(LSTM), not Bidirectional(GRU), got the layer "
     "'both' (Bidirectional, position 1 from 0)"),
    (lambda K: [K.layers.LSTM(2, return_sequences=True),
                K.layers.TimeDistributed(K.layers.Activation("relu"),
                                         name="each")],
     "TimeDistributed(Dense), not TimeDistributed(Activation), got the "
     "layer 'each'"),
    (lambda K: [K.layers.LSTM(2), K.layers.Masking(name="late")],
     "expected Masking only before the first LSTM, got the layer 'late'"),
    (lambda K: [K.layers.Dropout(0.1), K.layers.Dense(1, name="alone")],
     "got the layer 'alone' (Dense, position 2 from 0)"),
    (lambda K: [K.layers.LSTM(2), K.layers.ReLU(max_value=6.0, name="six")],
     "expected ReLU with max_value=None (its default), not 6.0, got the "
     "layer 'six' (ReLU, position 2 from 0)"),
])
@pytest.mark.parametrize("library", ["keras", "tf_keras"])
def test_a_model_lstmref_cannot_compute_is_refused_by_layer(
        library, layers, expected, tmp_path):
    """One line: the file, the layer, its position in the file's list
    (the InputLayer is 0), and what lstmref reads."""
    K = LIBRARIES[library]
    model = K.Sequential([K.Input((T, F)), *layers(K)])
    path = save(model, tmp_path, library, ".h5")
    message = one_line_error(path, network_from_file)
    assert expected in message
    assert message.endswith(f"lstmref reads {SUPPORTED}") or (
        "activation" in expected)
    assert read_model_file(path).layers  # the file itself reads


# built in the test, not at collection (conftest.pytest_collection_finish)
@pytest.mark.parametrize("layers, expected", [
    (lambda: [keras.layers.Bidirectional(keras.layers.LSTM(2),
                                         merge_mode=None, name="both"),
              keras.layers.Dense(1)],
     "expected a Bidirectional merge_mode concat, sum, ave or mul, not "
     "None, got the layer 'both' (Bidirectional, position 1 from 0)"),
    (lambda: [keras.layers.LSTM(2), keras.layers.Dense(
        2, activation="glu", name="halves")],
     "layer 'halves' (Dense) activation: expected one of ["),
    (lambda: [keras.layers.LSTM(2), keras.layers.LayerNormalization(
        rms_scaling=True, name="rms")],
     "expected a LayerNormalization without rms_scaling=True, got the "
     "layer 'rms' (LayerNormalization, position 2 from 0)"),
])
def test_what_keras_3_alone_writes_is_refused_by_layer(layers, expected,
                                                       tmp_path):
    """A Bidirectional with two outputs (a Sequential of tf_keras cannot
    hold one) and an activation lstmref does not compute."""
    inputs = keras.Input((T, F))
    y = inputs
    for layer in layers():
        y = layer(y[0] if isinstance(y, (list, tuple)) else y)
    path = save(keras.Model(inputs, y), tmp_path, "keras", ".keras")
    assert expected in one_line_error(path, stack_from_file)


@pytest.mark.parametrize("flag", ["return_state", "stateful"])
def test_an_lstm_flag_lstmref_cannot_compute_is_refused(flag, tmp_path):
    layer = keras.layers.LSTM(2, name="odd", **{flag: True})
    inputs = keras.Input((T, F), batch_size=2)
    out = layer(inputs)
    model = keras.Model(inputs, out[0] if flag == "return_state" else out)
    message = one_line_error(save(model, tmp_path, "keras", ".keras"),
                             stack_from_file)
    assert (f"expected an LSTM without {flag}=True (lstmref computes "
            in message)
    assert "got the layer 'odd' (LSTM, position 1 from 0)" in message


def test_a_model_that_is_not_a_chain_is_refused(tmp_path):
    path = save(two_heads(np.random.default_rng(15)), tmp_path, "keras",
                ".keras")
    message = one_line_error(path, network_from_file)
    assert ("expected a chain of layers, each taking the one before "
            "('left'), not ['lstm") in message
    assert "got the layer 'right' (Dense, position 3 from 0)" in message
    inbound = {r.name: r.inbound for r in read_model_file(path).layers}
    assert inbound["right"] == inbound["left"]
    assert set(inbound[next(n for n in inbound if n.startswith("add"))]) == {
        "left", "right"}


def test_keras_activation_names_hard_sigmoid_by_version():
    assert keras_activation("hard_sigmoid", keras2=True) == (
        "hard_sigmoid_keras2")
    assert keras_activation("hard_sigmoid", keras2=False) == "hard_sigmoid"
    assert keras_activation({"module": "keras.activations",
                             "config": "tanh"}, keras2=False) == "tanh"
    assert keras_activation(None, keras2=True) == "linear"
    with pytest.raises(ModelFileError, match=r"^gate: expected one of .*"
                       r"got 'swish'$"):
        keras_activation("swish", keras2=False, argument="gate")


# Keras 1 and 2 layers that Keras 3 and tf_keras no longer export.
OLD_LAYERS = {"AtrousConvolution1D", "AtrousConvolution2D", "CuDNNGRU",
              "CuDNNLSTM", "Deconvolution2D", "Highway", "MaxoutDense",
              "Merge", "TimeDistributedDense"}


def test_the_built_in_layer_list_names_keras_classes():
    """Every name the reader lets through is a layer class of Keras 3 or
    tf_keras (or of Keras 1-2, listed above); none loads code."""
    for name in sorted(KERAS_LAYERS - OLD_LAYERS):
        assert any(isinstance(getattr(K.layers, name, None), type)
                   for K in LIBRARIES.values()), name
    assert not any(hasattr(K.layers, name) for K in LIBRARIES.values()
                   for name in OLD_LAYERS)
    assert not KERAS_LAYERS & CODE_LAYERS
    assert {"Lambda", "TFSMLayer", "TorchModuleWrapper"} <= CODE_LAYERS


@pytest.mark.parametrize("library, suffix", [("keras", ".keras"),
                                             ("tf_keras", ".h5")])
def test_a_lambda_inside_a_wrapper_is_refused(library, suffix, tmp_path):
    K = LIBRARIES[library]
    model = K.Sequential([
        K.Input((T, F)),
        K.layers.TimeDistributed(K.layers.Lambda(lambda x: 2 * x),
                                 name="each_step"),
        K.layers.LSTM(2), K.layers.Dense(1)])
    message = one_line_error(save(model, tmp_path, library, suffix))
    assert ("layer 'each_step' (TimeDistributed, position 1 from 0) wraps "
            "a layer that is a Lambda layer") in message


def test_keras1_gates_function_is_read_from_inner_activation(tmp_path):
    """Keras 1 named the gates' function ``inner_activation``: a copy of
    the Keras 1.2.2 file that says "sigmoid" there is read as sigmoid."""
    import h5py
    path = tmp_path / "sigmoid_gates.h5"
    path.write_bytes((REAL / "simple_lstm_th_keras_1_model.h5").read_bytes())
    with h5py.File(path, "r+") as store:
        config = json.loads(store.attrs["model_config"])
        assert config["config"][0]["config"]["inner_activation"] == (
            "hard_sigmoid")
        config["config"][0]["config"]["inner_activation"] = "sigmoid"
        store.attrs["model_config"] = json.dumps(config)
    assert network_from_file(path).params.recurrent_activation == "sigmoid"


def layer_config(class_name="Dense", **extra):
    """A layer's configuration as a file stores it."""
    return {"class_name": class_name, "config": {"name": "it"}, **extra}


@pytest.mark.parametrize("layer, reason", [
    (layer_config(module="keras.layers", registered_name="mine>Dense"),
     "names the registered custom object 'mine>Dense'"),
    (layer_config(config={"name": "it", "function": ["4wEAAAAA", None]}),
     "holds Python code (its configuration's 'function' entry)"),
    (layer_config("Merge", config={"name": "it", "mode": ["4wEA"],
                                   "mode_type": "lambda"}),
     "holds Python code (its configuration's 'mode_type' entry)"),
    (layer_config("Bidirectional", config={
        "name": "it", "layer": layer_config("Attentive")}),
     "wraps a layer that is of the class 'Attentive'"),
    (layer_config("TFOpLambda"), "is a TFOpLambda layer, which loads or "
     "runs code"),
])
def test_refuse_code_finds_code_anywhere_in_a_layer(layer, reason):
    with pytest.raises(ModelFileError, match=re.escape(
            f"m.h5: refusing to read the model: layer 'it' "
            f"({layer['class_name']}, position 1 from 0) {reason}")):
        refuse_code("m.h5", "Sequential", None, [layer_config(), layer])


def test_refuse_code_lets_keras_own_objects_through():
    """The control: Keras 1's Merge of a named mode, a Keras 3 layer with
    its dtype policy and initializer objects, a nested Sequential."""
    policy = {"module": "keras", "class_name": "DTypePolicy",
              "config": {"name": "float32"}, "registered_name": None}
    layers = [
        layer_config("Merge", config={"name": "it", "mode": "concat",
                                      "mode_type": "raw"}),
        layer_config("LSTM", module="keras.layers", registered_name=None,
                     config={"name": "it", "dtype": policy,
                             "kernel_initializer": {
                                 "module": "keras.initializers",
                                 "class_name": "GlorotUniform",
                                 "config": {}, "registered_name": None}}),
        layer_config("Sequential", config={
            "name": "inner", "layers": [layer_config("Dense")]}),
    ]
    refuse_code("m.keras", "Functional", "keras.src.models.functional",
                layers)


def test_weight_names_split_over_several_attributes_are_joined(tmp_path):
    """Keras splits a long ``weight_names`` into ``weight_names0``,
    ``weight_names1``...: the same weights read either way."""
    import h5py
    model = lstm_dense("tf_keras", np.random.default_rng(16))
    path = save(model, tmp_path, "tf_keras", ".h5")
    before = read_model_file(path)
    with h5py.File(path, "r+") as store:
        group = store["model_weights"][before.layers[1].name]
        names = group.attrs["weight_names"]
        del group.attrs["weight_names"]
        group.attrs["weight_names0"] = names[:2]
        group.attrs["weight_names1"] = names[2:]
    after = read_model_file(path)
    assert list(after.layers[1].weights) == [
        "kernel", "recurrent_kernel", "bias"]
    for ours, theirs in zip(after.layers[1].weights.values(),
                            model.layers[0].get_weights()):
        np.testing.assert_array_equal(ours, theirs)
