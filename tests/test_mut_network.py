"""The whole model read from Keras in the shapes the main tests leave
out (a Dense layer without bias, a Dense activation, models once refused
and now read, models still refused), and Network's own checks, each
message in full.

Written to kill mutants that survived ``make mutation`` (see
benchmarks/mutation_report.txt). Predictions are compared with calling
the Keras model itself.
"""

import keras
import numpy as np
import pytest

from lstmref.files import SUPPORTED
from lstmref.network import Network, from_keras_model
from lstmref.stack import FUNCTIONS
from helpers import random_params


def sequential(*layers, T=5, F=3):
    model = keras.Sequential([keras.Input((T, F), dtype="float64"),
                              *layers])
    rng = np.random.default_rng(71)
    model.set_weights([rng.normal(0, 0.6, w.shape)
                       for w in model.get_weights()])
    return model


@pytest.mark.parametrize("use_bias, activation", [
    (False, "linear"), (True, "tanh"), (False, "sigmoid")])
def test_network_predict_equals_keras_for_each_dense_head(use_bias,
                                                          activation):
    model = sequential(
        keras.layers.LSTM(4, dtype="float64"),
        keras.layers.Dense(2, use_bias=use_bias, activation=activation,
                           dtype="float64"))
    net = from_keras_model(model)
    assert (net.dense_bias is None) == (not use_bias)
    assert net.dense_activation == activation and net.n_out == 2
    assert net.go_backwards is False
    x = np.random.default_rng(72).normal(size=(6, 5, 3))
    np.testing.assert_allclose(net.predict(x), np.asarray(model(x)),
                               rtol=0, atol=1e-12)


def lstm(**flags):
    return keras.layers.LSTM(4, dtype="float64", name="the_lstm", **flags)


def dense(**flags):
    return keras.layers.Dense(2, dtype="float64", name="the_dense", **flags)


def where(name, kind, position):
    """How a refusal names a layer."""
    return f"got the layer {name!r} ({kind}, position {position} from 0)"


@pytest.mark.parametrize("build, error, message", [
    (lambda: keras.Sequential([]), TypeError,
     "model: expected a Keras model (Sequential or functional) with "
     "layers, got Sequential with no layers"),
    (lambda: object(), TypeError,
     "model: expected a Keras model (Sequential or functional) with "
     "layers, got object with no layers"),
    (lambda: sequential(dense(), lstm()), ValueError,
     "model: expected an LSTM as the first layer (after only InputLayer, "
     "Masking, Normalization, Rescaling or layers inactive at prediction), "
     + where("the_dense", "Dense", 0) + f"; lstmref reads {SUPPORTED}"),
    (lambda: sequential(lstm(return_sequences=True), keras.layers.GRU(
        2, name="gru")),
     ValueError, "model: expected one of the layers lstmref reads, "
     + where("gru", "GRU", 1) + f"; lstmref reads {SUPPORTED}"),
])
def test_other_models_are_refused_with_the_whole_reason(build, error,
                                                        message):
    with pytest.raises(error) as caught:
        from_keras_model(build())
    assert str(caught.value) == message


@pytest.mark.parametrize("build, kinds", [
    (lambda: sequential(lstm(return_sequences=True), keras.layers.LSTM(
        4, dtype="float64"), dense()), ["Recurrent", "Recurrent", "Dense"]),
    (lambda: sequential(lstm()), ["Recurrent"]),
    (lambda: sequential(lstm(), keras.layers.Dropout(
        0.1, name="drop", dtype="float64"), dense()),
     ["Recurrent", "Dense"]),
    (lambda: sequential(lstm(), dense(), keras.layers.Activation(
        "tanh", name="act", dtype="float64")),
     ["Recurrent", "Dense", "Activation"]),
    (lambda: sequential(lstm(), dense(), keras.layers.Dense(
        2, dtype="float64", name="dense2")),
     ["Recurrent", "Dense", "Dense"]),
])
def test_models_once_refused_are_read_as_keras_computes_them(build, kinds):
    """Stacked LSTMs, an LSTM alone, a Dropout, an Activation, a Dense
    stack: issue 14 asks for them; lstmref's Stack computes each."""
    model = build()
    net = from_keras_model(model)
    assert [type(layer).__name__ for layer in net.layers] == kinds
    assert isinstance(net, Network) == (kinds == ["Recurrent", "Dense"])
    x = np.random.default_rng(75).normal(size=(6, 5, 3))
    np.testing.assert_allclose(net.predict(x), np.asarray(model(x)),
                               rtol=0, atol=1e-12)


def test_a_stateful_lstm_is_refused():
    model = keras.Sequential([
        keras.Input((5, 3), batch_size=2, dtype="float64"),
        lstm(stateful=True), dense()])
    with pytest.raises(ValueError) as caught:
        from_keras_model(model)
    assert str(caught.value) == (
        "model: expected an LSTM without stateful=True (lstmref computes "
        "each window from zero states), " + where("the_lstm", "LSTM", 0)
        + f"; lstmref reads {SUPPORTED}")


def test_network_checks_its_head_with_the_whole_reason():
    params = random_params(np.random.default_rng(73), 3, 2)
    for kwargs, error, message in [
        (dict(dense_kernel=np.ones((2, 1))), ValueError,
         "dense_kernel: expected shape (3, n_out), got (2, 1)"),
        (dict(dense_kernel=np.ones(3)), ValueError,
         "dense_kernel: expected shape (3, n_out), got (3,)"),
        (dict(dense_kernel=np.ones((3, 2)), dense_bias=np.ones(3)),
         ValueError, "dense_bias: expected shape (2,) (n_out,), got (3,)"),
        (dict(dense_kernel=np.full((3, 2), "a")), TypeError,
         "dense_kernel: expected an array of real numbers, got dtype <U1 "
         "(from ndarray)"),
        (dict(dense_kernel=np.ones((3, 2)), dense_bias=np.full(2, "a")),
         TypeError, "dense_bias: expected an array of real numbers, got "
         "dtype <U1 (from ndarray)"),
        (dict(dense_kernel=np.array([[1.0, 2], [3, np.nan], [5, 6]])),
         ValueError, "dense_kernel: expected finite numbers, got nan at "
         "index (1, 1) (1 non-finite value(s) in all)"),
        (dict(dense_kernel=np.ones((3, 2)), dense_bias=[np.inf, -np.inf]),
         ValueError, "dense_bias: expected finite numbers, got inf at "
         "index (0,) (2 non-finite value(s) in all)"),
        (dict(dense_kernel=np.ones((3, 2)), dense_activation="swish"),
         ValueError, "dense_activation: expected one of ['hard_sigmoid', "
         "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', 'tanh'], "
         "got 'swish'"),
    ]:
        with pytest.raises(error) as caught:
            Network(params, **kwargs)
        assert str(caught.value) == message
    with pytest.raises(TypeError, match=r"^params: expected an LSTMParams"):
        Network("params", np.ones((3, 2)))


def test_network_stores_its_head_as_float_arrays():
    params = random_params(np.random.default_rng(74), 3, 2)
    net = Network(params, [[1, 2]] * 3, [1, 2])
    assert net.dense_kernel.dtype == np.float64
    assert net.dense_bias.dtype == np.float64
    h = np.array([[1.0, -1.0, 0.5]])
    # h D = [1 - 1 + 0.5, 2 - 2 + 1], plus d = [1, 2]
    np.testing.assert_array_equal(net.head(h), [[1.5, 3.0]])


def test_an_lstm_returning_its_states_is_refused():
    """No Sequential can hold one before a Dense, so the layers come in a
    plain object: from_keras_model reads only ``model.layers``."""
    from types import SimpleNamespace
    layers = [lstm(return_state=True), dense()]
    with pytest.raises(ValueError) as caught:
        from_keras_model(SimpleNamespace(layers=layers))
    assert str(caught.value) == (
        "model: expected an LSTM without return_state=True (lstmref "
        "computes one output per model), " + where("the_lstm", "LSTM", 0)
        + f"; lstmref reads {SUPPORTED}")


@pytest.mark.parametrize("where", ["dense", "activation"])
def test_an_activation_lstmref_cannot_name_is_refused_naming_the_layer(
        where):
    layers = [lstm(), dense(activation=lambda t: 2 * t)
              if where == "dense" else dense()]
    if where == "activation":
        layers.append(keras.layers.Activation(lambda t: t, name="act"))
    name = "the_dense" if where == "dense" else "act"
    with pytest.raises(ValueError) as caught:
        from_keras_model(sequential(*layers))
    assert str(caught.value).startswith(
        f"layer '{name}': expected one of {sorted(FUNCTIONS)}, got "
        "the layer's function '<lambda>'")


def test_an_unknown_dense_activation_is_refused_with_a_remedy_that_exists():
    """The hint names what a user can do (build the Network by hand), not
    an argument from_keras_model does not have."""
    model = keras.Sequential([
        keras.Input((4, 2)), keras.layers.LSTM(3),
        keras.layers.Dense(2, activation="glu", name="head")])
    with pytest.raises(ValueError) as error:
        from_keras_model(model)
    message = str(error.value)
    assert message.startswith("layer 'head': expected one of [")
    assert message.endswith(
        "got the layer's function 'glu'; build the Network by hand "
        "from its weights (Network(from_keras(lstm), kernel, bias, "
        "dense_activation=...)) if it computes one of them")
    assert "=... by name" not in message
