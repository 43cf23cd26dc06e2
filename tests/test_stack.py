"""A ``Stack`` computes what the Keras 3 model of the same layers computes.

Each case builds a real Keras model in float64 with random non-zero
weights (every bias, beta, gamma and moving statistic drawn away from
0), reads the weights back with ``get_weights()`` into the equivalent
``Stack`` (by ``stack_of`` below, a plain layer-by-layer mapping, not the
package's readers), and compares ``predict`` with ``model(x)`` and
``input_gradient`` with ``tf.GradientTape``. Tolerances: both sides do
the same float64 arithmetic in another order, so rounding alone (about
1e-16 per operation, over tens of operations per step and a few layers)
separates them: 1e-12 for outputs of size 1, 1e-10 for gradients, whose
backward pass has more terms.
"""

import numpy as np
import pytest

import lstmref
from lstmref import stack as S

T, F, BATCH = 6, 3, 5
ATOL_Y, ATOL_GRAD = 1e-12, 1e-10


@pytest.fixture(autouse=True)
def float64_keras():
    """Keras layers in float64 for this module's tests, then as before.
    Keras fixes its global dtype policy from floatx at the first layer
    built without a dtype (by any earlier test module), so the policy is
    unset here too, and put back after."""
    import keras
    from keras.src.backend.common import global_state
    before = keras.config.floatx()
    policy = global_state.get_global_attribute("dtype_policy", None)
    keras.config.set_floatx("float64")
    global_state.set_global_attribute("dtype_policy", None)
    yield
    keras.config.set_floatx(before)
    global_state.set_global_attribute("dtype_policy", policy)


def randomize(model, rng):
    """Random non-zero weights in every layer, by the weight's role."""
    for layer in model.layers:
        values = []
        for w in layer.weights:
            name, shape = w.path.split("/")[-1], tuple(w.shape)
            if name in ("mean", "variance", "count"):  # Normalization's
                values.append(np.asarray(w.numpy()))
            elif name in ("kernel", "recurrent_kernel"):
                values.append(rng.normal(0, 1.2 / np.sqrt(shape[0]), shape))
            elif name == "moving_variance":
                values.append(rng.uniform(0.5, 2.0, shape))
            else:  # bias, gamma, beta, moving_mean: +-U(0.1, 1)
                v = rng.uniform(0.1, 1.0, shape) * rng.choice([-1, 1], shape)
                assert np.all(v != 0)
                values.append(v)
        for w, v in zip(layer.weights, values):
            w.assign(v)


def recurrent(layer):
    return S.Recurrent(lstmref.from_keras(layer), layer.return_sequences,
                       layer.go_backwards,
                       zero_output_for_mask=layer.zero_output_for_mask)


def stack_of(model, step=None):
    """The Stack of a Keras Sequential, layer by layer from get_weights()."""
    layers = []
    for layer in model.layers:
        kind = type(layer).__name__
        w = layer.get_weights()
        if kind == "TimeDistributed":
            layer, kind = layer.layer, type(layer.layer).__name__
        if kind == "Masking":
            layers.append(S.Masking(layer.mask_value))
        elif kind == "LSTM":
            layers.append(recurrent(layer))
        elif kind == "Bidirectional":
            layers.append(S.Bidirectional(recurrent(layer.forward_layer),
                                          recurrent(layer.backward_layer),
                                          layer.merge_mode))
        elif kind == "Dense":
            layers.append(S.Dense(w[0], w[1] if len(w) > 1 else None,
                                  layer.activation.__name__))
        elif kind == "LeakyReLU":
            layers.append(S.LeakyReLU(layer.negative_slope))
        elif kind == "Activation":
            layers.append(S.Activation(layer.activation.__name__))
        elif kind == "Normalization":
            mean, var = (np.ravel(v) for v in (layer.mean, layer.variance))
            sd = np.maximum(np.sqrt(var), 1e-7)
            layers.append(S.Affine(1 / sd, -mean / sd))
        elif kind == "Rescaling":
            layers.append(S.Affine(layer.scale, layer.offset))
        elif kind == "BatchNormalization":
            gamma, beta, mean, var = w
            scale = gamma / np.sqrt(var + layer.epsilon)
            layers.append(S.Affine(scale, beta - mean * scale))
        elif kind == "LayerNormalization":
            layers.append(S.LayerNorm(w[0], w[1], layer.epsilon))
        elif kind == "Flatten":
            layers.append(S.Flatten())
        elif kind == "Reshape":
            layers.append(S.Reshape(layer.target_shape))
        else:
            assert kind == "Dropout", kind  # nothing at prediction
    if step is not None:
        layers.append(S.Step(step))
    return S.Stack(layers)


def windows(rng, masked=False):
    """x (BATCH, T, F); with ``masked``, all-zero steps Masking drops: at
    the start, in the middle and at the end of different windows; and a
    step with one zero feature, which it keeps."""
    x = rng.normal(size=(BATCH, T, F))
    if masked:
        x[0, :2] = 0.0
        x[1, 3] = 0.0
        x[2, -1] = 0.0
        x[3, 1:4] = 0.0
        x[4, 2, 0] = 0.0  # one feature only: Keras keeps this step
    return x


def sequential(*layers):
    import keras
    return keras.Sequential([keras.Input((T, F)), *layers])


def L():
    import keras
    return keras.layers


# name -> (builder of the Keras layers, masked input?, Step of a sequence)
CASES = {
    "two_stacked": (lambda: [L().LSTM(4, return_sequences=True),
                             L().LSTM(3), L().Dense(2)], False, None),
    "three_stacked_backwards": (lambda: [
        L().LSTM(4, return_sequences=True, go_backwards=True),
        L().LSTM(3, return_sequences=True),
        L().LSTM(2, go_backwards=True), L().Dense(2)], False, None),
    "three_stacked_masked": (lambda: [
        L().Masking(0.0),
        L().LSTM(4, return_sequences=True, go_backwards=True),
        L().LSTM(3, return_sequences=True, activation="relu"),
        L().LSTM(2, recurrent_activation="hard_sigmoid"),
        L().Dense(2)], True, None),
    "masked_sequence_head": (lambda: [
        L().Masking(0.0), L().LSTM(4, return_sequences=True),
        L().TimeDistributed(L().Dense(3, activation="tanh")),
        L().Dense(2)], True, -1),
    "normalization_front_batchnorm_head": (lambda: [
        L().Normalization(mean=[0.5, -1.0, 2.0], variance=[2.0, 0.5, 4.0]),
        L().LSTM(4), L().BatchNormalization(), L().Dense(2)], False, None),
    "rescaling_front_layernorm_head": (lambda: [
        L().Rescaling(0.5, offset=-0.25), L().LSTM(4),
        L().LayerNormalization(), L().Dropout(0.5),
        L().Dense(3, activation="relu"), L().Dense(2)], False, None),
    "layernorm_on_sequences": (lambda: [
        L().LSTM(4, return_sequences=True), L().LayerNormalization(),
        L().LSTM(3), L().Dense(2)], False, None),
    "flatten_after_sequences": (lambda: [
        L().LSTM(3, return_sequences=True), L().Flatten(), L().Dense(2)],
        False, None),
    "reshape_after_sequences": (lambda: [
        L().LSTM(3, return_sequences=True, go_backwards=True),
        L().Reshape((T * 3,)), L().Dense(4, activation="elu"),
        L().Dense(2)], False, None),
    # tanh, not relu: with relu, all three units were off at steps 2 and
    # 5 of every window drawn here, so every gradient was 0
    "dense_on_sequences_step_2": (lambda: [
        L().LSTM(4, return_sequences=True),
        L().Dense(3, activation="tanh"), L().Dense(2)], False, 2),
    "activation_layers": (lambda: [
        L().LSTM(4), L().Dense(3), L().Activation("swish"), L().Dense(2),
        L().Activation("softmax")], False, None),
    "bidirectional_masked_sequences": (lambda: [
        L().Masking(0.0),
        L().Bidirectional(L().LSTM(3, return_sequences=True)),
        L().LSTM(2), L().Dense(2)], True, None),
    "bidirectional_masked_last": (lambda: [
        L().Masking(0.0),
        L().Bidirectional(L().LSTM(3), merge_mode="sum"),
        L().Dense(2)], True, None),
    # masked steps' outputs are zeros that Flatten hands on to Dense: no
    # gradient may flow from them into the carried state
    "masked_zero_output_flatten": (lambda: [
        L().Masking(0.0),
        L().LSTM(4, return_sequences=True, zero_output_for_mask=True),
        L().Flatten(), L().Dense(2)], True, None),
    "bidirectional_masked_sequences_flatten": (lambda: [
        L().Masking(0.0),
        L().Bidirectional(L().LSTM(3, return_sequences=True)),
        L().Flatten(), L().Dense(2)], True, None),
    # Masking's zeros read by a Dense and, through Flatten, by the head:
    # no gradient reaches the masked steps' inputs
    "masking_dense_flatten": (lambda: [
        L().Masking(0.0), L().Dense(3), L().Flatten(), L().Dense(2)],
        True, None),
    # LeakyReLU hands the mask on: the second LSTM skips the steps too
    "masked_leaky_relu_between_lstms": (lambda: [
        L().Masking(0.0), L().LSTM(4, return_sequences=True),
        L().LeakyReLU(negative_slope=0.3), L().LSTM(3), L().Dense(2)],
        True, None),
    "bidirectional_stacked_ave_mul": (lambda: [
        L().Bidirectional(L().LSTM(3, return_sequences=True),
                          merge_mode="ave"),
        L().Bidirectional(L().LSTM(2), merge_mode="mul"),
        L().Dense(2)], False, None),
}
for _mode in ("concat", "sum", "ave", "mul"):
    for _seq in (True, False):
        CASES[f"bidirectional_{_mode}_{'sequences' if _seq else 'last'}"] = (
            lambda m=_mode, s=_seq: [
                L().Bidirectional(L().LSTM(3, return_sequences=s),
                                  merge_mode=m)]
            + ([L().Flatten()] if s else []) + [L().Dense(2)], False, None)

DENSE_ACTIVATIONS = sorted(set(S.FUNCTIONS) - {"hard_sigmoid_keras2"})
for _act in DENSE_ACTIVATIONS:
    CASES[f"dense_head_{_act}"] = (
        lambda a=_act: [L().LSTM(4), L().Dense(3, activation=a),
                        L().Dense(2, activation=a)], False, None)


def build(name, seed):
    """(Keras model, Stack, x, step) of one case."""
    rng = np.random.default_rng(seed)
    layers, masked, step = CASES[name]
    model = sequential(*layers())
    randomize(model, rng)
    return model, stack_of(model, step), windows(rng, masked), step


def keras_output(model, x, step):
    y = np.asarray(model(x))
    return y if step is None else y[:, step]


def tape_gradient(model, x, output, step):
    import tensorflow as tf
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = model(xt)
        y = y[:, output] if step is None else y[:, step, output]
        total = tf.reduce_sum(y)
    return tape.gradient(total, xt).numpy()


# Seeds moved on from the name's: with the name's own, one output of two
# of these clipping heads was dead (gradient 0) on every window drawn
SEED_SHIFT = {"dense_head_relu": 2, "dense_head_relu6": 2,
              "dense_head_hard_tanh": 1, "dense_head_soft_shrink": 1,
              "dense_head_sparse_sigmoid": 1}


@pytest.mark.parametrize("name", sorted(CASES))
def test_stack_predict_and_gradient_equal_keras(name):
    seed = sum(map(ord, name)) + SEED_SHIFT.get(name, 0)
    model, net, x, step = build(name, seed)
    y = net.predict(x)
    expected = keras_output(model, x, step)
    assert y.shape == expected.shape == (BATCH, net.n_out)
    np.testing.assert_allclose(y, expected, rtol=0, atol=ATOL_Y)
    for output in range(net.n_out):
        grad = net.input_gradient(x, output)
        np.testing.assert_allclose(grad, tape_gradient(model, x, output,
                                                       step),
                                   rtol=0, atol=ATOL_GRAD)
        # the control of each output: a gradient 0 everywhere (an output
        # dead on every window) would equal Keras's whatever the backward
        # pass did
        assert np.abs(grad).max() > 1e-6, (name, output)


def test_the_cases_cover_every_merge_mode_and_activation():
    """The control of the grid above: nothing listed is left out."""
    assert {n for n in CASES if n.startswith("bidirectional_")} >= {
        f"bidirectional_{m}_{s}" for m in S.MERGE_MODES
        for s in ("sequences", "last")}
    assert {"elu", "selu", "softplus", "softsign", "swish", "silu", "gelu",
            "exponential", "relu6", "leaky_relu", "hard_silu", "mish",
            "softmax", "log_softmax"} <= set(DENSE_ACTIVATIONS)


def test_a_wrong_weight_is_seen():
    """The comparison can fail: one changed bias entry shows at 1e-12."""
    model, net, x, step = build("three_stacked_masked", 3)
    layers = list(net.layers)
    p = layers[2].params
    bias = p.bias.copy()
    bias[0] += 1e-9
    layers[2] = S.Recurrent(lstmref.LSTMParams(
        p.kernel, p.recurrent_kernel, bias, activation=p.activation,
        recurrent_activation=p.recurrent_activation), True)
    wrong = S.Stack(layers)
    assert np.abs(wrong.predict(x) - keras_output(model, x, step)).max() \
        > ATOL_Y


def test_masked_steps_are_skipped_by_every_lstm():
    """With Masking, windows that differ only at masked steps... are not
    different: the all-zero step is dropped, not read as zeros."""
    model, net, x, _ = build("three_stacked_masked", 4)
    unmasked = S.Stack(net.layers[1:])
    assert np.abs(net.predict(x) - unmasked.predict(x)).max() > 1e-3
    np.testing.assert_allclose(net.predict(x[3:4, [0, 4, 5]]),
                               net.predict(x[3:4]), rtol=0, atol=1e-15)


def test_network_is_a_stack_of_its_two_layers():
    rng = np.random.default_rng(9)
    params = lstmref.LSTMParams(rng.normal(size=(F, 8)),
                                rng.normal(size=(2, 8)), rng.normal(size=8))
    net = lstmref.Network(params, rng.normal(size=(2, 3)), rng.normal(
        size=3), dense_activation="relu", go_backwards=True)
    assert isinstance(net, S.Stack)
    lstm, dense = net.layers
    assert lstm.params is params and lstm.go_backwards
    assert dense.activation == "relu" and net.input_dim == F
    x = rng.normal(size=(4, T, F))
    general = S.Stack(net.layers)
    np.testing.assert_array_equal(general.predict(x), net.predict(x))
    np.testing.assert_array_equal(general._forward(x), net._forward(x))
    # the layers' backward passes and grad's fast loop (lstmref._bptt)
    # multiply and add in different orders: equal to round-off, not bits
    np.testing.assert_allclose(net.input_gradient(x, 2),
                               lstmref.grad.input_gradient(net, x, 2),
                               rtol=0, atol=1e-14)


def test_a_long_path_goes_through_in_pieces_with_keras_gradients(
        monkeypatch):
    """More windows than one backward pass holds (ROWS, set low here):
    the pieces' gradients, and grad.input_gradient's of a Stack, equal
    GradientTape's over the whole batch."""
    from lstmref import grad
    from lstmref.stack import model as stack_model
    monkeypatch.setattr(stack_model, "ROWS", 2)
    model, net, x, step = build("two_stacked", 7)
    assert len(x) > 2 * stack_model.ROWS
    expected = tape_gradient(model, x, 0, step)
    np.testing.assert_allclose(net.input_gradient(x, 0), expected, rtol=0,
                               atol=ATOL_GRAD)
    np.testing.assert_allclose(grad.input_gradient(net, x, 0), expected,
                               rtol=0, atol=ATOL_GRAD)
