"""The grid: every architecture lstmref reads, against Keras itself.

Each entry of ``GRID`` is a list of Keras 3 layers (float64, random
non-zero weights and biases, BatchNormalization's moving statistics and
Normalization's adapted mean and variance far from 0 and 1). Each model
is built as a Sequential and, for every other entry, as a functional
chain too; ``lstmref.from_keras_model`` reads it and the Stack's
``predict`` must equal Keras's own ``model(x)`` (its last step, or the
step asked for, where the model outputs a sequence) to 1e-12, and its
``input_gradient`` ``tf.GradientTape``'s to 1e-10: float64 on both
sides, so only rounding in another order separates them (about 1e-16
per operation; the gradient's backward pass through several LSTMs adds
more operations, hence its looser bound). A sample is saved to .keras
and .h5 and read back by ``lstmref.files``; a few are written by
tf_keras too.
"""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from lstmref.files import stack_from_file
from lstmref.network import from_keras_model
from lstmref.stack import FUNCTIONS

T, F = 5, 3
PREDICT_ATOL = 1e-12
GRADIENT_ATOL = 1e-10
MASK_VALUE = -1.0  # not 0: a reader ignoring mask_value masks zeros
L = keras.layers
F64 = {"dtype": "float64"}


def lstm(units=4, **flags):
    return L.LSTM(units, **F64, **flags)


def dense(units=2, **flags):
    return L.Dense(units, **F64, **flags)


def seq(units=4, **flags):
    return lstm(units, return_sequences=True, **flags)


def adapted(**kwargs):
    """A Normalization adapted to data of mean about 3, spread about 2."""
    layer = L.Normalization(**F64, **kwargs)
    data = np.random.default_rng(90).normal(3.0, 2.0, (64, T, F))
    layer.adapt(data * np.array([1.0, 0.5, 2.0]))
    return layer


#: LSTM flags: (activation, recurrent_activation, use_bias, go_backwards)
FLAGS = [("tanh", "sigmoid", True, False), ("relu", "hard_sigmoid", True,
                                                False),
         ("linear", "sigmoid", False, True), ("tanh", "hard_sigmoid", False,
                                                False),
         ("sigmoid", "tanh", True, True), ("tanh", "relu", True, False),
         ("hard_sigmoid", "sigmoid", False, False),
         ("tanh", "linear", True, True)]


def flagged(k, **extra):
    act, rec, bias, back = FLAGS[k]
    return {"activation": act, "recurrent_activation": rec,
            "use_bias": bias, "go_backwards": back, **extra}


GRID = {}
for k in range(len(FLAGS)):  # stacked LSTMs, every flag combination
    GRID[f"stacked-flags{k}"] = lambda k=k: [
        seq(**flagged(k)), lstm(3, **flagged((k + 3) % len(FLAGS))),
        dense()]
GRID.update({
    "lstm-alone": lambda: [lstm()],
    "lstm-dense": lambda: [lstm(), dense()],
    "three-lstms": lambda: [seq(), seq(3, go_backwards=True), lstm(2),
                            dense(1)],
    "sequence-out": lambda: [seq(), seq(3)],
    "sequence-out-step1": lambda: [seq(), seq(3)],
    "backwards-sequence-dense": lambda: [seq(go_backwards=True), dense()],
})
for mode in ("concat", "sum", "ave", "mul"):  # Bidirectional
    for rs in (False, True):
        GRID[f"bidirectional-{mode}-{'seq' if rs else 'last'}"] = (
            lambda mode=mode, rs=rs: [L.Bidirectional(
                lstm(3, return_sequences=rs), merge_mode=mode, **F64),
                dense()])
GRID.update({
    "bidirectional-then-lstm": lambda: [L.Bidirectional(
        seq(3, activation="relu"), **F64), lstm(2), dense()],
    "lstm-then-bidirectional": lambda: [seq(3), L.Bidirectional(
        lstm(2, recurrent_activation="hard_sigmoid"), merge_mode="sum",
        **F64), dense()],
    # Masking: some steps of some windows are all MASK_VALUE
    "masking-lstm": lambda: [L.Masking(MASK_VALUE, **F64), lstm(), dense()],
    "masking-stacked": lambda: [L.Masking(MASK_VALUE, **F64), seq(),
                                lstm(3, go_backwards=True), dense()],
    "masking-bidirectional-seq": lambda: [
        L.Masking(MASK_VALUE, **F64), L.Bidirectional(seq(3), **F64),
        lstm(2), dense()],
    "masking-bidirectional-last": lambda: [
        L.Masking(MASK_VALUE, **F64), L.Bidirectional(lstm(3),
                                                      merge_mode="mul",
                                                      **F64), dense()],
    "masking-time-distributed": lambda: [
        L.Masking(MASK_VALUE, **F64), seq(),
        L.TimeDistributed(dense(), **F64)],
    "masking-zero-output": lambda: [
        L.Masking(MASK_VALUE, **F64), seq(zero_output_for_mask=True),
        lstm(3), dense()],
    # masked steps' zeros (Keras forces them on both directions of a
    # Bidirectional returning sequences) read by the head through Flatten
    "masking-bidirectional-flatten": lambda: [
        L.Masking(MASK_VALUE, **F64), L.Bidirectional(seq(3), **F64),
        L.Flatten(**F64), dense()],
    "masking-rescaling": lambda: [
        L.Masking(MASK_VALUE, **F64), L.Rescaling(0.5, offset=-1.0, **F64),
        lstm(), dense()],
    # Normalization and Rescaling in front
    "normalization-adapted": lambda: [adapted(), lstm(), dense()],
    "normalization-given": lambda: [L.Normalization(
        mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1.5], **F64), seq(),
        lstm(3), dense()],
    "normalization-invert": lambda: [L.Normalization(
        mean=[0.2, -0.3, 1.0], variance=[2.0, 0.5, 3.0], invert=True,
        **F64), lstm(), dense()],
    "rescaling": lambda: [L.Rescaling(1 / 255.0, **F64), lstm(), dense()],
    "rescaling-per-feature": lambda: [L.Rescaling(
        [0.5, 2.0, -1.0], offset=[0.1, 0.2, 0.3], **F64), lstm(), dense()],
    "normalization-then-rescaling": lambda: [
        adapted(), L.Rescaling(2.0, offset=0.5, **F64), lstm(), dense()],
})
for name, make in {  # each layer inactive at prediction
        "dropout": lambda: L.Dropout(0.3, **F64),
        "spatial-dropout": lambda: L.SpatialDropout1D(0.3, **F64),
        "gaussian-noise": lambda: L.GaussianNoise(0.5, **F64),
        "gaussian-dropout": lambda: L.GaussianDropout(0.3, **F64),
        "alpha-dropout": lambda: L.AlphaDropout(0.3, **F64),
        "activity-regularization": lambda: L.ActivityRegularization(
            0.1, 0.1, **F64)}.items():
    GRID[f"inactive-{name}"] = lambda make=make: [
        make(), seq(), make(), lstm(3), dense()]
GRID.update({
    "flatten": lambda: [seq(3), L.Flatten(**F64), dense()],
    "reshape-flat": lambda: [seq(4), L.Reshape((T * 4,), **F64), dense()],
    "reshape-sequence": lambda: [seq(4), L.Reshape((T * 2, 2), **F64),
                                 lstm(3), dense()],
    "bidirectional-flatten": lambda: [L.Bidirectional(seq(2), **F64),
                                      L.Flatten(**F64), dense(3),
                                      dense(1)],
    "time-distributed": lambda: [seq(), L.TimeDistributed(dense(3), **F64)],
    "time-distributed-step0": lambda: [
        seq(), L.TimeDistributed(dense(3, activation="tanh"), **F64)],
    "dense-on-sequences": lambda: [seq(), dense(3, activation="relu"),
                                   dense(2)],
    "time-distributed-then-lstm": lambda: [
        seq(), L.TimeDistributed(dense(3), **F64), lstm(2), dense()],
    # normalization layers in the head
    "batch-normalization": lambda: [lstm(), L.BatchNormalization(**F64),
                                    dense()],
    "batch-normalization-plain": lambda: [
        lstm(), dense(3), L.BatchNormalization(center=False, scale=False,
                                               epsilon=0.01, **F64),
        dense()],
    "batch-normalization-sequence": lambda: [
        seq(), L.BatchNormalization(**F64), lstm(3), dense()],
    "layer-normalization": lambda: [lstm(), L.LayerNormalization(**F64),
                                    dense()],
    "layer-normalization-plain": lambda: [
        lstm(), dense(3), L.LayerNormalization(center=False, epsilon=0.1,
                                               **F64), dense()],
    "activation-layers": lambda: [lstm(), dense(3), L.Activation(
        "tanh", **F64), dense(), L.Activation("softmax", **F64)],
})
# Activation layers: LeakyReLU between stacked LSTMs (as in a public
# energy forecaster) with its default slope 0.3 and another; ReLU, ELU,
# Softmax at their defaults
GRID.update({
    "leaky-relu-between-lstms": lambda: [seq(), L.LeakyReLU(**F64), lstm(3),
                                         dense()],
    "leaky-relu-head": lambda: [lstm(), dense(3), L.LeakyReLU(
        negative_slope=0.05, **F64), dense(2)],
    "relu-elu-softmax-layers": lambda: [seq(), L.ReLU(**F64), lstm(3),
                                        dense(3), L.ELU(**F64), dense(2),
                                        L.Softmax(**F64)],
})
#: Dense heads with every Keras activation lstmref computes.
KERAS_FUNCTIONS = sorted(set(FUNCTIONS) - {"hard_sigmoid_keras2"})
for name in KERAS_FUNCTIONS:
    GRID[f"dense-{name}"] = lambda name=name: [
        lstm(), dense(3, activation=name), dense(2)]
#: Explained at another step than the last.
STEPS = {"sequence-out-step1": 1, "time-distributed-step0": 0}
MASKED = {name for name in GRID if name.startswith("masking")}


def randomize(model, rng):
    """Random non-zero weights; BatchNormalization's moving variance in
    (0.5, 2); adapted or given Normalization statistics kept."""
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Normalization" or not layer.weights:
            continue
        weights = [rng.normal(0, 0.5, w.shape) for w in layer.get_weights()]
        if kind == "BatchNormalization":
            weights[-1] = rng.uniform(0.5, 2.0, weights[-1].shape)
        assert all(np.all(w != 0) for w in weights)
        layer.set_weights(weights)


def windows(name, rng, batch=6):
    """Inputs; for a masked model some steps are all MASK_VALUE (the last
    step of one window, the first of another, a middle one)."""
    x = rng.normal(0, 1.2, (batch, T, F))
    if name in MASKED:
        x[0, -1] = x[1, 0] = x[2, 2] = x[3, 1:3] = MASK_VALUE
    return x


def keras_model(make, functional):
    layers = make()
    inputs = keras.Input((T, F), dtype="float64")
    if not functional:
        return keras.Sequential([inputs, *layers])
    y = inputs
    for layer in layers:
        y = layer(y)
    return keras.Model(inputs, y)


@functools.lru_cache(maxsize=None)
def case(name, functional):
    """(Keras model, lstmref's reading of it, windows) of one entry."""
    rng = np.random.default_rng([sorted(GRID).index(name), functional])
    model = keras_model(GRID[name], functional)
    randomize(model, rng)
    return model, from_keras_model(model, step=STEPS.get(name)), windows(
        name, rng)


CASES = [(name, functional) for k, name in enumerate(sorted(GRID))
         for functional in ((False, True) if k % 2 == 0 else (False,))]


def keras_output(model, x, name):
    """Keras's output, at the explained step where it is a sequence."""
    y = model(x)
    return y[:, STEPS.get(name, -1)] if len(y.shape) == 3 else y


def test_the_grid_is_large_and_covers_the_list():
    assert len(GRID) >= 60
    assert len(CASES) >= 90
    assert {f"dense-{n}" for n in ("gelu", "softmax", "selu")} <= set(GRID)


@pytest.mark.parametrize("name, functional", CASES)
def test_predict_equals_keras(name, functional):
    model, stack, x = case(name, functional)
    keras_y = np.asarray(keras_output(model, x, name))
    assert keras_y.shape == (len(x), stack.n_out)
    np.testing.assert_allclose(stack.predict(x), keras_y, rtol=0,
                               atol=PREDICT_ATOL)


@pytest.mark.parametrize("name, functional", CASES)
def test_input_gradient_equals_gradient_tape(name, functional):
    model, stack, x = case(name, functional)
    output = stack.n_out - 1
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(keras_output(model, xt, name)[:, output])
    theirs = np.asarray(tape.gradient(y, xt))
    ours = stack.input_gradient(x, output=output)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=GRADIENT_ATOL)


#: The baseline of the attribution tests: a constant day, not MASK_VALUE
#: (a baseline of masked steps would be skipped by the LSTMs).
BASELINE = 0.3


@pytest.mark.parametrize("name", sorted(GRID))
def test_every_method_runs_on_every_model_with_its_guarantee(name):
    """On every architecture of the grid: exact Shapley values add up to
    Keras's f(x) - f(baseline) (efficiency); occlusion equals the change
    in Keras's own output when one step is set to the baseline; IG is
    complete to 1% of the largest |f(x) - f(baseline)| within 1,024
    Gauss-Legendre steps (the command's rule; kinks of relu-like
    functions slow the quadrature); LRP conserves f(x) where it applies,
    and where it does not, as for contextual decomposition, applies()
    gives the reason."""
    from lstmref import attribution as A
    model, stack, x = case(name, False)
    output = stack.n_out - 1
    base = np.full_like(x, BASELINE)

    def f(windows):
        return np.asarray(keras_output(model, windows, name))[:, output]

    change = f(x) - f(base)
    phi = A.shapley_steps(stack, x, base, output=output)
    np.testing.assert_allclose(phi.sum(axis=1), change, rtol=0,
                               atol=1e-10)
    occluded = np.repeat(x[:, None], T, axis=1)  # (batch, T, T, F)
    for t in range(T):
        occluded[:, t, t] = BASELINE
    keras_occ = f(x)[:, None] - f(occluded.reshape(-1, T, F)).reshape(
        len(x), T)
    np.testing.assert_allclose(A.occlusion(stack, x, base, output),
                               keras_occ, rtol=0, atol=1e-10)
    # IG needs a path along which f is continuous: a step equal to
    # MASK_VALUE is masked only at the path's end, so masked entries are
    # integrated over their unmasked windows (windows(): the last two).
    kept = slice(4, None) if name in MASKED else slice(None)
    # A model whose output is the same at both ends (relu gates shut at
    # both) has nothing to explain: its gap is the quadrature's error
    # over a kinked path, held to 1e-4.
    limit = 0.01 * np.abs(change[kept]).max() or 1e-4
    gap = np.inf
    for n in (32, 128, 1024):
        ig = A.integrated_gradients(stack, x[kept], base[kept], output,
                                    n_steps=n)
        gap = np.abs(ig.sum(axis=(1, 2)) - change[kept]).max()
        if gap <= limit:
            break
    assert gap <= limit, (n, gap)
    reason = A.applies("lrp", stack)
    if reason is None:
        r_x, r_h, r_c = A.lrp(stack, x, output=output,
                              with_initial_state=True)
        total = r_x.sum(axis=(1, 2)) + r_h.sum(axis=1) + r_c.sum(axis=1)
        np.testing.assert_allclose(total, f(x), rtol=1e-9, atol=1e-9)
    else:
        assert reason.startswith("LRP"), reason
    cd_reason = A.applies("contextual_decomposition", stack)
    assert (cd_reason is None) == (name in CD_DEFINED), cd_reason


#: The grid's entries that are one LSTM -> linear Dense: contextual
#: decomposition's rule is written for them only.
CD_DEFINED = {"lstm-dense"}


def test_the_masked_windows_change_the_output():
    """The control for the masked entries: had the mask been ignored,
    Keras's outputs would differ."""
    model, stack, x = case("masking-stacked", False)
    unmasked = keras.Sequential(model.layers[1:])
    assert np.max(np.abs(np.asarray(unmasked(x)) - stack.predict(x))) > 1e-3


#: Saved by Keras 3 to both formats and read back as data.
SAVED = ["stacked-flags1", "bidirectional-sum-seq", "masking-stacked",
         "normalization-adapted", "normalization-invert", "flatten",
         "time-distributed", "batch-normalization", "layer-normalization",
         "inactive-dropout", "dense-selu", "activation-layers",
         "rescaling-per-feature", "reshape-sequence",
         "masking-bidirectional-seq"]


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("name", SAVED)
def test_a_saved_model_reads_back_equal(name, suffix, tmp_path):
    model, stack, x = case(name, name in {c for c, f in CASES if f})
    path = tmp_path / f"model{suffix}"
    model.save(path)
    read = stack_from_file(path, step=STEPS.get(name))
    np.testing.assert_allclose(read.predict(x), stack.predict(x), rtol=0,
                               atol=PREDICT_ATOL)


# --- files written by tf_keras (tf.keras 2.x) -----------------------------

K2 = tf_keras.layers


F2 = {"dtype": "float64"}
#: A few architectures as tf_keras builds them: Keras 2's hard_sigmoid
#: (0.2 x + 1/2) in the gates. Built only in the test: a tf_keras layer
#: made at collection starts TensorFlow's runtime in the collecting
#: process, and a process forked from it (mutmut's workers) then hangs
#: in its first tf.function.
TF_KERAS = {
    "stacked-hard-sigmoid": lambda: [
        K2.LSTM(4, return_sequences=True, recurrent_activation=(
            "hard_sigmoid"), **F2),
        K2.Dropout(0.2, **F2), K2.LSTM(3, **F2), K2.Dense(2, **F2)],
    "bidirectional-ave-masked": lambda: [
        K2.Masking(MASK_VALUE, **F2), K2.Bidirectional(K2.LSTM(
            3, return_sequences=True, **F2), merge_mode="ave", **F2),
        K2.TimeDistributed(K2.Dense(2, activation="elu", **F2), **F2)],
    "normalization-batch-norm": lambda: [
        K2.Rescaling(0.5, offset=0.1, **F2), K2.LSTM(4, **F2),
        K2.BatchNormalization(**F2), K2.Dense(3, activation="swish", **F2),
        K2.LayerNormalization(**F2), K2.Dense(1, **F2)],
    "flatten": lambda: [K2.LSTM(3, return_sequences=True, go_backwards=True,
                                **F2), K2.Flatten(**F2), K2.Dense(2, **F2)],
    # the file holds the inner layer only; its copy reads forwards
    "bidirectional-inner-backwards": lambda: [
        K2.Bidirectional(K2.LSTM(3, go_backwards=True, **F2), **F2),
        K2.Dense(2, **F2)],
}


@pytest.mark.parametrize("functional", [False, True])
@pytest.mark.parametrize("suffix", [".h5", ".keras"])
@pytest.mark.parametrize("name", sorted(TF_KERAS))
def test_a_tf_keras_file_reads_as_tf_keras_computes(name, suffix,
                                                    functional, tmp_path):
    rng = np.random.default_rng([len(name), functional])
    layers = TF_KERAS[name]()
    inputs = tf_keras.Input((T, F), dtype="float64")
    if functional:
        y = inputs
        for layer in layers:
            y = layer(y)
        model = tf_keras.Model(inputs, y)
    else:
        model = tf_keras.Sequential([inputs, *layers])
    randomize(model, rng)
    x = rng.normal(0, 1.5, (6, T, F))
    x[0, -1] = x[1, 1] = MASK_VALUE
    path = tmp_path / f"model{suffix}"
    model.save(path)
    stack = stack_from_file(path)
    y = np.asarray(model(x))
    if y.ndim == 3:
        y = y[:, -1]
    np.testing.assert_allclose(stack.predict(x), y, rtol=0,
                               atol=PREDICT_ATOL)
