"""Every bad call to ``lstmref.stack`` raises a clear error naming the
argument, before any work: the error's type and the start of its message.
``test_valid_calls_are_accepted`` is the control: the same calls with the
one wrong argument put right run."""

import numpy as np
import pytest

from helpers import random_params
from lstmref import attribution
from lstmref import stack as S

P = random_params(np.random.default_rng(0), 3, 2)  # 3 units, 2 features
LSTM = S.Recurrent(P)
SEQ = S.Recurrent(P, True)
HEAD = S.Dense(np.ones((3, 2)))
NET = S.Stack([LSTM, HEAD])
X = np.ones((4, 5, 2))

BAD = {
    "layers_not_a_list": (lambda: S.Stack(LSTM), TypeError,
                          "layers: expected a list of layers, got "
                          "Recurrent"),
    "layers_empty": (lambda: S.Stack([]), ValueError,
                     "layers: expected at least one layer"),
    "layers_foreign": (lambda: S.Stack([LSTM, "dense"]), TypeError,
                       "layers: expected layers of lstmref.stack, got str "
                       "at position 1"),
    "layers_misfit": (lambda: S.Stack([LSTM, S.Dense(np.ones((4, 2)))]),
                      ValueError, "layers: layer 1 (Dense): Dense expects 4 "
                                  "features on the last axis, got values of "
                                  "shape (3,)"),
    "layers_sequence_out": (lambda: S.Stack([SEQ]), ValueError,
                            "layers: the model's output has shape (None, 3) "
                            "per window; a model whose output is a "
                            "sequence ends with Step(k)"),
    "layers_lstm_after_last_output": (
        lambda: S.Stack([LSTM, S.Recurrent(random_params(
            np.random.default_rng(1), 2, 3))]), ValueError,
        "layers: layer 1 (Recurrent): expected sequences (T, 3), got (3,)"),
    "layers_no_features": (lambda: S.Stack([S.Flatten(), HEAD]), ValueError,
                           "layers: no layer before the first Flatten"),
    "steps_zero": (lambda: S.Stack([LSTM, HEAD], steps=0), ValueError,
                   "steps: expected an integer >= 1 or None, got 0"),
    "steps_misfit_flatten": (
        lambda: S.Stack([SEQ, S.Flatten(), S.Dense(np.ones((7, 1)))]),
        ValueError, "layers: layer 2 (Dense) reads 7 features, not a "
                    "multiple of T times the 3 of each step"),
    "recurrent_params": (lambda: S.Recurrent(np.ones((2, 12))), TypeError,
                         "params: expected an LSTMParams"),
    "recurrent_flag": (lambda: S.Recurrent(P, 1), TypeError,
                       "return_sequences: expected True or False, got int"),
    "bidirectional_type": (lambda: S.Bidirectional(LSTM, P), TypeError,
                           "backward: expected a Recurrent, got LSTMParams"),
    "bidirectional_same_direction": (
        lambda: S.Bidirectional(LSTM, LSTM), ValueError,
        "backward: expected go_backwards different from forward's"),
    "bidirectional_flags": (
        lambda: S.Bidirectional(SEQ, S.Recurrent(P, False, True)),
        ValueError, "backward: expected return_sequences equal to "
                    "forward's (True), got False"),
    "merge_mode": (lambda: S.Bidirectional(LSTM, S.Recurrent(P, False, True),
                                           "max"), ValueError,
                   "merge_mode: expected one of ('concat', 'sum', 'ave', "
                   "'mul'), got 'max'"),
    "dense_kernel_rank": (lambda: S.Dense(np.ones(3)), ValueError,
                          "kernel: expected a 2-D array (n_in, n_out)"),
    "dense_kernel_text": (lambda: S.Dense([["a"]]), TypeError,
                          "kernel: expected an array of real numbers"),
    "dense_kernel_nan": (lambda: S.Dense([[np.nan]]), ValueError,
                         "kernel: expected finite numbers"),
    "dense_bias_shape": (lambda: S.Dense(np.ones((3, 2)), np.ones(3)),
                         ValueError, "bias: expected shape (2,) (n_out,), "
                                     "got (3,)"),
    "dense_activation": (lambda: S.Dense(np.ones((3, 2)), None, "glu"),
                         ValueError, "activation: expected one of ["),
    "activation_type": (lambda: S.Activation(len), TypeError,
                        "activation: expected an activation's name"),
    "affine_shapes": (lambda: S.Affine(np.ones(2), np.ones(3)), ValueError,
                      "scale: expected a number or shape (n,) matching"),
    "layernorm_epsilon": (lambda: S.LayerNorm(None, None, -1.0), ValueError,
                          "epsilon: expected a number >= 0, got -1.0"),
    "layernorm_shapes": (lambda: S.LayerNorm(np.ones(2), np.ones(3)),
                         ValueError, "gamma: expected shape (n,) and beta "
                                     "the same"),
    "masking_value": (lambda: S.Masking("0"), TypeError,
                      "mask_value: expected a real number, got str '0'"),
    "reshape_shape": (lambda: S.Reshape((-1, -1)), ValueError,
                      "shape: expected a tuple of positive ints (one may be "
                      "-1), got (-1, -1)"),
    "step_index": (lambda: S.Step(1.0), TypeError,
                   "index: expected an integer, got float 1.0"),
    "step_outside": (lambda: S.Stack([SEQ, S.Step(5)], steps=5), ValueError,
                     "layers: layer 1 (Step): index: expected a step from "
                     "-5 to 4, got 5"),
    "predict_features": (lambda: NET.predict(np.ones((4, 5, 3))), ValueError,
                         "x: expected shape (batch, T, 2) with batch, T >= "
                         "1, got (4, 5, 3)"),
    "predict_rank": (lambda: NET.predict(np.ones((5, 2))), ValueError,
                     "x: expected a 3-D array (batch, T, input_dim)"),
    "predict_nan": (lambda: NET.predict(np.full((1, 2, 2), np.nan)),
                    ValueError, "x: expected finite numbers"),
    "predict_steps": (lambda: S.Stack([SEQ, S.Flatten(), S.Dense(
        np.ones((15, 1)))]).predict(np.ones((1, 4, 2))), ValueError,
                      "x: expected shape (batch, 5, 2)"),
    "gradient_output": (lambda: NET.input_gradient(X, 2), ValueError,
                        "output: expected an index from 0 to 1, got 2"),
    "gradient_output_bool": (lambda: NET.input_gradient(X, True), TypeError,
                             "output: expected an integer index, got bool"),
    "attribution_net": (lambda: attribution.occlusion(P, X), TypeError,
                        "net: expected a Network (from "
                        "lstmref.from_keras_model) or a Stack"),
    "attribution_steps": (lambda: attribution.shapley_steps(S.Stack(
        [SEQ, S.Flatten(), S.Dense(np.ones((15, 1)))]), X[:, :4]),
                          ValueError, "x: expected shape (batch, 5, 2)"),
}

GOOD = {
    "layers_not_a_list": lambda: S.Stack([LSTM]),
    "layers_empty": lambda: S.Stack([LSTM]),
    "layers_foreign": lambda: S.Stack([LSTM, HEAD]),
    "layers_misfit": lambda: S.Stack([LSTM, S.Dense(np.ones((3, 2)))]),
    "layers_sequence_out": lambda: S.Stack([SEQ, S.Step()]),
    "layers_lstm_after_last_output": lambda: S.Stack([SEQ, S.Recurrent(
        random_params(np.random.default_rng(1), 2, 3))]),
    "layers_no_features": lambda: S.Stack([S.Dense(np.ones((2, 3))),
                                           S.Flatten(), S.Dense(
                                               np.ones((15, 1)))]),
    "steps_zero": lambda: S.Stack([LSTM, HEAD], steps=1),
    "steps_misfit_flatten": lambda: S.Stack(
        [SEQ, S.Flatten(), S.Dense(np.ones((6, 1)))]),
    "recurrent_params": lambda: S.Recurrent(P),
    "recurrent_flag": lambda: S.Recurrent(P, True),
    "bidirectional_type": lambda: S.Bidirectional(
        LSTM, S.Recurrent(P, False, True)),
    "bidirectional_same_direction": lambda: S.Bidirectional(
        LSTM, S.Recurrent(P, False, True)),
    "bidirectional_flags": lambda: S.Bidirectional(
        SEQ, S.Recurrent(P, True, True)),
    "merge_mode": lambda: S.Bidirectional(LSTM, S.Recurrent(P, False, True),
                                          "ave"),
    "dense_kernel_rank": lambda: S.Dense(np.ones((3, 1))),
    "dense_kernel_text": lambda: S.Dense([[1]]),
    "dense_kernel_nan": lambda: S.Dense([[1.0]]),
    "dense_bias_shape": lambda: S.Dense(np.ones((3, 2)), np.ones(2)),
    "dense_activation": lambda: S.Dense(np.ones((3, 2)), None, "gelu"),
    "activation_type": lambda: S.Activation("softmax"),
    "affine_shapes": lambda: S.Affine(np.ones(3), 0.5),
    "layernorm_epsilon": lambda: S.LayerNorm(None, None, 0.0),
    "layernorm_shapes": lambda: S.LayerNorm(np.ones(3), np.ones(3)),
    "masking_value": lambda: S.Masking(0),
    "reshape_shape": lambda: S.Reshape((-1, 3)),
    "step_index": lambda: S.Step(1),
    "step_outside": lambda: S.Stack([SEQ, S.Step(4)], steps=5),
    "predict_features": lambda: NET.predict(np.ones((4, 5, 2))),
    "predict_rank": lambda: NET.predict(np.ones((1, 5, 2))),
    "predict_nan": lambda: NET.predict(np.zeros((1, 2, 2))),
    "predict_steps": lambda: S.Stack([SEQ, S.Flatten(), S.Dense(
        np.ones((15, 1)))]).predict(np.ones((1, 5, 2))),
    "gradient_output": lambda: NET.input_gradient(X, 1),
    "gradient_output_bool": lambda: NET.input_gradient(X, 0),
    "attribution_net": lambda: attribution.occlusion(NET, X),
    "attribution_steps": lambda: attribution.shapley_steps(S.Stack(
        [SEQ, S.Flatten(), S.Dense(np.ones((15, 1)))]), X),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_calls_name_the_argument(name):
    call, error, start = BAD[name]
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value).startswith(start), str(caught.value)


@pytest.mark.parametrize("name", sorted(BAD))
def test_valid_calls_are_accepted(name):
    GOOD[name]()


def test_steps_are_read_from_the_dense_after_a_flatten():
    net = S.Stack([SEQ, S.Flatten(), S.Dense(np.ones((15, 1)))])
    assert net.steps == 5 and net.n_out == 1 and net.input_dim == 2
    assert S.Stack([SEQ, S.Reshape((5, 3)), S.Flatten(),
                    S.Dense(np.ones((15, 1)))]).steps == 5
    assert NET.steps is None
