"""Weights in and out of the layouts and LSTMParams' helpers, in the
cases the main tests leave out: a float type change keeps the bias and
both activations, a layer without bias reads as zeros of its own type,
the defaults are the frameworks' (TF1's forget_bias 1.0, PyTorch's key
names for a cell), and the candidate's letters name its block.

Written to kill mutants that survived ``make mutation`` (see
benchmarks/mutation_report.txt). Expected values are written out by
hand from each layout's documentation, or are PyTorch's own.
"""

import numpy as np
import pytest

import lstmref
from lstmref.layouts._gates import block
from helpers import random_params


@pytest.mark.parametrize("use_bias", [True, False])
def test_astype_keeps_bias_and_activations(use_bias):
    rng = np.random.default_rng(51)
    params = random_params(rng, 3, 2, use_bias=use_bias, activation="relu",
                           recurrent_activation="hard_sigmoid")
    single = params.astype(np.float32)
    assert (single.activation, single.recurrent_activation) == (
        "relu", "hard_sigmoid")
    for name in ("kernel", "recurrent_kernel", "bias"):
        ours, original = getattr(single, name), getattr(params, name)
        if original is None:
            assert ours is None
            continue
        assert ours.dtype == np.float32, name
        np.testing.assert_array_equal(ours, np.float32(original))


def test_mixed_float_types_run_in_float64_with_the_activations_kept():
    """float32 windows with float64 weights: the weights are not cast down,
    and a relu/hard_sigmoid layer stays one (equations by hand)."""
    rng = np.random.default_rng(52)
    params = random_params(rng, 2, 1, activation="relu",
                           recurrent_activation="hard_sigmoid")
    x = rng.normal(size=(3, 1, 1)).astype(np.float32)
    z = x[:, 0].astype(np.float64) @ params.kernel + params.bias
    gate = np.clip(z / 6 + 0.5, 0, 1)
    i, f, c_tilde, o = (gate[:, :2], gate[:, 2:4],
                        np.maximum(z[:, 4:6], 0), gate[:, 6:])
    h = o * np.maximum(i * c_tilde, 0)
    ours = lstmref.lstm(x, params)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, h, rtol=0, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_layer_without_bias_reads_as_zeros_of_its_type(dtype):
    params = random_params(np.random.default_rng(53), 3, 2,
                           use_bias=False, dtype=dtype)
    zeros = params.bias_or_zeros()
    assert zeros.shape == (12,) and zeros.dtype == dtype
    assert not zeros.any()
    for name in lstmref.GATES:
        b = params.gate(name)[2]
        assert b.shape == (3,) and b.dtype == dtype and not b.any()


def test_from_keras1_keeps_the_activations_given():
    rng = np.random.default_rng(54)
    arrays = lstmref.to_keras1(random_params(rng, 2, 3))
    read = lstmref.from_keras1(arrays, activation="relu",
                               recurrent_activation="sigmoid")
    assert (read.activation, read.recurrent_activation) == ("relu",
                                                            "sigmoid")
    default = lstmref.from_keras1(arrays)
    assert (default.activation, default.recurrent_activation) == (
        "tanh", "hard_sigmoid_keras2")  # Keras 1's defaults


def test_to_tf1_subtracts_tf1s_default_forget_bias_of_1():
    """TF1's LSTMCell(forget_bias=1.0) adds 1 to the forget gate's bias at
    run time; its bias variable is ours minus 1 there, blocks i, j, f, o."""
    rng = np.random.default_rng(55)
    params = random_params(rng, 2, 3)
    b = params.bias  # i, f, c, o
    _, bias = lstmref.to_tf1(params)
    np.testing.assert_array_equal(
        bias, np.concatenate([b[0:2], b[4:6], b[2:4] - 1.0, b[6:8]]))


@pytest.mark.parametrize("cell", [False, True])
def test_to_torch_uses_pytorchs_own_key_names(cell):
    import torch
    params = random_params(np.random.default_rng(56), 2, 3)
    module = torch.nn.LSTMCell(3, 2) if cell else torch.nn.LSTM(3, 2)
    state = lstmref.to_torch(params, cell=cell)
    assert set(state) == set(module.state_dict())
    module.load_state_dict({k: torch.from_numpy(v).float()
                            for k, v in state.items()}, strict=True)


@pytest.mark.parametrize("order, gate, k", [
    ("ifco", "c", 2), ("ifgo", "g", 2), ("ijfo", "j", 1), ("icfo", "c", 1),
    ("ijfo", "c", 1), ("ifgo", "c", 2), ("ijfo", "f", 2), ("icfo", "o", 3),
])
def test_block_finds_the_candidate_by_any_of_its_letters(order, gate, k):
    assert block(order, gate, 5) == slice(5 * k, 5 * (k + 1))


@pytest.mark.parametrize("cell", [False, True])
def test_from_torch_reads_a_module_without_bias(cell):
    """bias=False: no bias keys, a layer without bias, and the same
    outputs as PyTorch's own module (float64)."""
    import torch
    torch.manual_seed(57)
    module = (torch.nn.LSTMCell(3, 2, bias=False) if cell
              else torch.nn.LSTM(3, 2, bias=False, batch_first=True))
    module = module.double()
    params = lstmref.from_torch(module)
    assert params.bias is None
    x = np.random.default_rng(57).normal(size=(4, 5, 3))
    with torch.no_grad():
        if cell:
            h = c = torch.zeros(4, 2, dtype=torch.float64)
            for t in range(5):
                h, c = module(torch.from_numpy(x[:, t]), (h, c))
            theirs = h.numpy()
        else:
            theirs = module(torch.from_numpy(x))[0][:, -1].numpy()
    np.testing.assert_allclose(lstmref.lstm(x, params), theirs, rtol=0,
                               atol=1e-12)


def fake_layer(module, version):
    """An object whose class comes from ``module``, a stand-in package
    with ``__version__`` = version (None: no version at all)."""
    import sys
    import types
    package = types.ModuleType(module)
    if version is not None:
        package.__version__ = version
    sys.modules[module] = package
    return type("LSTM", (), {"__module__": f"{module}.layers"})()


@pytest.mark.parametrize("version, major", [
    ("2.15.0", 2), ("3.1.0", 3), ("3.12.4", 3), (None, 3)])
def test_keras_major_version_is_read_from_the_layers_package(
        version, major):
    from lstmref.layouts.keras import _keras_major
    layer = fake_layer("fakekeras", version)
    try:
        assert _keras_major(layer) == major
    finally:
        import sys
        del sys.modules["fakekeras"]


def test_an_unnamed_activation_is_refused_with_its_repr():
    """A callable without __name__ (a partial) is named by its repr."""
    import functools
    from lstmref.layouts.keras import identify_activation
    fn = functools.partial(np.tanh)
    with pytest.raises(ValueError) as caught:
        identify_activation(fn)
    assert str(caught.value) == (
        "activation: expected one of ['hard_sigmoid', 'hard_sigmoid_keras2',"
        f" 'linear', 'relu', 'sigmoid', 'tanh'], got the layer's function "
        f"{repr(fn)!r}; pass activation=... by name if it computes one of "
        "them")


def test_a_function_named_tanh_that_is_not_tanh_is_refused():
    """1.5 tanh(x) differs from tanh by at most 0.5: still refused."""
    from lstmref.layouts.keras import identify_activation

    def tanh(x):
        return 1.5 * np.tanh(x)

    with pytest.raises(ValueError) as caught:
        identify_activation(tanh, "recurrent_activation")
    assert str(caught.value) == (
        "recurrent_activation: expected a function that computes lstmref's "
        "'tanh', got the layer's function called 'tanh' whose values "
        "differ; pass recurrent_activation=... by name")
    assert identify_activation(np.tanh) == "tanh"


class OnlyWeights:
    """Has get_weights, like a layer, but nothing else of one."""

    def get_weights(self):
        return []


class WeightsAndConfig(OnlyWeights):
    """A nameless object with get_weights and get_config, not an LSTM."""

    def get_config(self):
        return {}


@pytest.mark.parametrize("obj, message", [
    (OnlyWeights(), "obj: expected a Keras LSTM layer or its get_weights() "
                    "list [kernel, recurrent_kernel, bias], got OnlyWeights"),
    (WeightsAndConfig(), "obj: expected a Keras LSTM layer, got the layer "
                         "'?' of type WeightsAndConfig"),
])
def test_from_keras_refuses_what_only_looks_like_a_layer(obj, message):
    with pytest.raises(TypeError) as caught:
        lstmref.from_keras(obj)
    assert str(caught.value) == message


def keras_rnn_of_cell(framework, rng):
    """A float64 ``RNN(LSTMCell(2))`` of Keras 3 or ``tf_keras``, relu
    candidate and hard-sigmoid gates, random weights set through Keras
    (every bias entry non-zero)."""
    import importlib
    K = importlib.import_module(framework)
    cell = K.layers.LSTMCell(2, activation="relu",
                             recurrent_activation="hard_sigmoid",
                             dtype="float64")
    rnn = K.layers.RNN(cell, dtype="float64")
    rnn.build((4, None, 3))
    bias = rng.uniform(0.1, 1.0, 8) * rng.choice([-1, 1], 8)
    rnn.set_weights([rng.normal(0, 0.5, (3, 8)),
                     rng.normal(0, 0.5, (2, 8)), bias])
    return rnn


# Keras 3's hard_sigmoid has slope 1/6, tf_keras's (Keras 2's) slope 0.2
HARD_SIGMOID = {"keras": "hard_sigmoid", "tf_keras": "hard_sigmoid_keras2"}


@pytest.mark.parametrize("framework", ["keras", "tf_keras"])
def test_from_keras_reads_an_rnn_layer_around_an_lstm_cell(framework):
    """RNN(LSTMCell(...)) keeps the activations on its cell (the RNN
    layer has none): read there, the outputs are the layer's own."""
    rng = np.random.default_rng(59)
    rnn = keras_rnn_of_cell(framework, rng)
    x = rng.normal(size=(4, 5, 3))
    params = lstmref.from_keras(rnn)
    assert (params.activation, params.recurrent_activation) == (
        "relu", HARD_SIGMOID[framework])
    # float64 on both sides: only round-off differs
    np.testing.assert_allclose(lstmref.lstm(x, params), np.asarray(rnn(x)),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("framework", ["keras", "tf_keras"])
def test_from_keras_reads_a_bare_lstm_cell(framework):
    """A built LSTMCell (no ``.cell`` of its own) is read as itself; its
    outputs are those of Keras's RNN layer running that cell."""
    rng = np.random.default_rng(60)
    rnn = keras_rnn_of_cell(framework, rng)
    x = rng.normal(size=(4, 5, 3))
    params = lstmref.from_keras(rnn.cell)
    assert (params.activation, params.recurrent_activation) == (
        "relu", HARD_SIGMOID[framework])
    np.testing.assert_allclose(lstmref.lstm(x, params), np.asarray(rnn(x)),
                               rtol=0, atol=1e-12)


def test_from_keras_reads_a_cell_less_lstm_layer_from_itself(monkeypatch):
    """Keras 2.0's LSTM (before cells, Keras 2.1) kept its activations on
    the layer and had no ``.cell``: a stand-in for one, from a package
    of version 2.0.8, is read from the layer itself, its hard sigmoid
    being Keras 2's (slope 0.2, written out here)."""
    import sys
    import types
    package = types.ModuleType("oldkeras")
    package.__version__ = "2.0.8"
    monkeypatch.setitem(sys.modules, "oldkeras", package)
    rng = np.random.default_rng(61)
    arrays = [rng.normal(size=(3, 8)), rng.normal(size=(2, 8)),
              rng.uniform(0.1, 1.0, 8)]

    def hard_sigmoid(x):
        return np.clip(0.2 * x + 0.5, 0.0, 1.0)

    layer = type("LSTM", (), {
        "__module__": "oldkeras.layers.recurrent", "name": "lstm_1",
        "activation": staticmethod(np.tanh),
        "recurrent_activation": staticmethod(hard_sigmoid),
        "get_weights": lambda self: arrays,
        "get_config": lambda self: {}})()
    params = lstmref.from_keras(layer)
    assert (params.activation, params.recurrent_activation) == (
        "tanh", "hard_sigmoid_keras2")
    for ours, theirs in zip(lstmref.to_keras(params), arrays):
        np.testing.assert_array_equal(ours, theirs)


# Activations: the public sigmoid's ``out=`` (the layer's loop calls a
# private in-place helper, so no other test reaches this path).

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("in_place", [False, True])
def test_sigmoid_writes_into_out_the_logistic_values(dtype, in_place):
    """sigma(x) = 1 / (1 + e^-x) by hand: 1/2 at 0, 3/4 at ln 3, 1/4 at
    -ln 3, 9/10 at ln 9, and 0 without a warning where e^-x overflows
    (-800); the result is ``out`` itself, which may be ``x``."""
    import warnings
    x = np.array([[0.0, np.log(3.0), -np.log(3.0)],
                  [np.log(9.0), -800.0, 800.0]], dtype)
    expected = np.array([[0.5, 0.75, 0.25], [0.9, 0.0, 1.0]])
    out = x if in_place else np.full_like(x, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lstmref.activations.sigmoid(x, out=out)
    assert result is out and result.dtype == dtype
    # ln 3 and ln 9 are rounded to the float type: a few ulps of it
    tolerance = 4 * np.finfo(dtype).eps
    np.testing.assert_allclose(result, expected, rtol=0, atol=tolerance)
