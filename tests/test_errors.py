"""Every bad input to lstmref's public API fails at once and says why.

The catalogue lists one bad call per entry: ``(id, call, error,
needles)``. The call must raise exactly ``error`` (not a subclass, not an
IndexError from deep inside NumPy, and never return a silently wrong
answer), and its message must hold every needle: the first is the
argument's name, which the message starts with, the others say what was
expected and what was given (for NaN and infinity: the index).

Each bad input changes one thing in a valid call; ``test_valid_inputs_
are_accepted`` makes those valid calls, so an entry cannot pass by
failing for some other reason.
"""

import numpy as np
import pytest

import lstmref
from lstmref import (LSTMParams, from_keras, from_keras1, from_tf1,
                     from_torch, get_activation, lstm, to_keras, to_keras1,
                     to_tf1, to_torch, trace)

UNITS, FEATURES, BATCH, T = 2, 3, 5, 4

rng = np.random.default_rng(20240601)
KERNEL = rng.normal(0, 0.5, (FEATURES, 4 * UNITS))  # (3, 8)
RECURRENT = rng.normal(0, 0.5, (UNITS, 4 * UNITS))  # (2, 8)
BIAS = rng.uniform(0.1, 1.0, 4 * UNITS) * rng.choice([-1, 1], 4 * UNITS)
PARAMS = LSTMParams(KERNEL, RECURRENT, BIAS)
X = rng.normal(size=(BATCH, T, FEATURES))  # (5, 4, 3)
H0 = rng.normal(size=(BATCH, UNITS))  # (5, 2)
C0 = rng.normal(size=(BATCH, UNITS))
MASK = rng.random((BATCH, T)) > 0.3  # (5, 4) bool
TORCH = to_torch(PARAMS)  # NumPy arrays under PyTorch's names
KERAS1 = to_keras1(PARAMS)  # twelve arrays, gates i, c, f, o
TF1_KERNEL, TF1_BIAS = to_tf1(PARAMS)  # (5, 8), (8,)


def with_value(array, index, value):
    """A float copy of ``array`` with ``value`` at ``index``."""
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def torch_dict(drop=(), **extra):
    """``TORCH`` without the keys ``drop``, with the arrays ``extra``."""
    state = {k: v for k, v in TORCH.items() if k not in drop}
    state.update(extra)
    return state


def keras1_with(k, array):
    """``KERAS1`` with its k-th array replaced."""
    arrays = list(KERAS1)
    arrays[k] = array
    return arrays


def keras_layer(framework="keras", build=True, **kwargs):
    """A Keras 3 (or ``tf_keras``) LSTM with 2 units, built for 3 inputs."""
    if framework == "keras":
        import keras as module
    else:
        import tf_keras as module
    layer = module.layers.LSTM(UNITS, **kwargs)
    if build:
        layer.build((1, None, FEATURES))
    return layer


def keras_other_layer(kind):
    """A built Keras 3 layer that is not an LSTM: ``Dense`` or ``GRU``."""
    import keras
    if kind == "Dense":
        layer = keras.layers.Dense(UNITS)
        layer.build((1, FEATURES))
    else:
        layer = keras.layers.GRU(UNITS)
        layer.build((1, None, FEATURES))
    return layer


def torch_module(kind="LSTM", **kwargs):
    """A ``torch.nn.LSTM`` (or another ``torch.nn`` class) for 3 inputs."""
    import torch
    return getattr(torch.nn, kind)(FEATURES, UNITS, **kwargs)


def not_tanh(x):
    """Called like Keras's tanh, but computes something else."""
    return 2.0 * x


not_tanh.__name__ = "tanh"

NAN, INF = float("nan"), float("inf")
ACTS = "['hard_sigmoid', 'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid'"

CATALOGUE = [
    # LSTMParams: kernel
    ("kernel_1d", lambda: LSTMParams(KERNEL[0], RECURRENT, BIAS),
     ValueError, ["kernel", "2-D", "(input_dim, 4 * units)",
                  "got shape (8,)"]),
    ("kernel_3d", lambda: LSTMParams(KERNEL[None], RECURRENT, BIAS),
     ValueError, ["kernel", "2-D", "got shape (1, 3, 8)"]),
    ("kernel_width_not_4_units",
     lambda: LSTMParams(KERNEL[:, :6], RECURRENT, BIAS),
     ValueError, ["kernel", "expected shape (3, 8)", "units=2",
                  "got (3, 6)"]),
    ("kernel_transposed", lambda: LSTMParams(KERNEL.T, RECURRENT, BIAS),
     ValueError, ["kernel", "expected shape (8, 8)", "got (8, 3)"]),
    ("kernel_no_rows", lambda: LSTMParams(KERNEL[:0], RECURRENT, BIAS),
     ValueError, ["kernel", "at least one input feature",
                  "got shape (0, 8)"]),
    ("kernel_strings",
     lambda: LSTMParams(np.full((3, 8), "a"), RECURRENT, BIAS),
     TypeError, ["kernel", "array of real numbers", "got dtype <U1"]),
    ("kernel_none", lambda: LSTMParams(None, RECURRENT, BIAS),
     TypeError, ["kernel", "array of real numbers", "NoneType"]),
    ("kernel_nan",
     lambda: LSTMParams(with_value(KERNEL, (1, 2), NAN), RECURRENT, BIAS),
     ValueError, ["kernel", "expected finite numbers", "got nan",
                  "index (1, 2)"]),
    ("kernel_minus_inf",
     lambda: LSTMParams(with_value(KERNEL, (2, 7), -INF), RECURRENT, BIAS),
     ValueError, ["kernel", "finite", "got -inf", "index (2, 7)"]),
    # LSTMParams: recurrent_kernel
    ("recurrent_kernel_1d",
     lambda: LSTMParams(KERNEL, RECURRENT.ravel(), BIAS),
     ValueError, ["recurrent_kernel", "2-D", "(units, 4 * units)",
                  "got shape (16,)"]),
    ("recurrent_kernel_3d",
     lambda: LSTMParams(KERNEL, RECURRENT[None], BIAS),
     ValueError, ["recurrent_kernel", "2-D", "got shape (1, 2, 8)"]),
    ("recurrent_kernel_extra_row",
     lambda: LSTMParams(KERNEL, np.vstack([RECURRENT, RECURRENT[:1]]),
                        BIAS),
     ValueError, ["recurrent_kernel", "expected shape (2, 8)",
                  "got (3, 8)"]),
    ("width_not_divisible_by_4",
     lambda: LSTMParams(KERNEL[:, :6], RECURRENT[:, :6]),
     ValueError, ["recurrent_kernel", "4 * units columns",
                  "got shape (2, 6)", "not a positive multiple of 4"]),
    ("recurrent_kernel_inf",
     lambda: LSTMParams(KERNEL, with_value(RECURRENT, (0, 5), INF), BIAS),
     ValueError, ["recurrent_kernel", "finite", "got inf",
                  "index (0, 5)"]),
    # LSTMParams: bias
    ("bias_column_4u_by_1",
     lambda: LSTMParams(KERNEL, RECURRENT, BIAS[:, None]),
     ValueError, ["bias", "expected shape (8,)", "got (8, 1)",
                  "flatten"]),
    ("bias_row_1_by_4u",
     lambda: LSTMParams(KERNEL, RECURRENT, BIAS[None]),
     ValueError, ["bias", "expected shape (8,)", "got (1, 8)"]),
    ("bias_wrong_length", lambda: LSTMParams(KERNEL, RECURRENT, BIAS[:6]),
     ValueError, ["bias", "expected shape (8,)", "got (6,)"]),
    ("bias_false_for_no_bias",
     lambda: LSTMParams(KERNEL, RECURRENT, False),
     TypeError, ["bias", "or None", "got bool False"]),
    ("bias_nan",
     lambda: LSTMParams(KERNEL, RECURRENT, with_value(BIAS, 3, NAN)),
     ValueError, ["bias", "finite", "got nan", "index (3,)"]),
    ("bias_inf",
     lambda: LSTMParams(KERNEL, RECURRENT, with_value(BIAS, 6, INF)),
     ValueError, ["bias", "finite", "got inf", "index (6,)"]),
    # LSTMParams: activations and gates
    ("activation_unknown",
     lambda: LSTMParams(KERNEL, RECURRENT, BIAS, activation="gelu"),
     ValueError, ["activation", ACTS, "got 'gelu'"]),
    ("activation_not_a_string",
     lambda: LSTMParams(KERNEL, RECURRENT, BIAS, activation=np.tanh),
     TypeError, ["activation", "as a string", "got ufunc"]),
    ("recurrent_activation_unknown",
     lambda: LSTMParams(KERNEL, RECURRENT, BIAS,
                        recurrent_activation="softmax"),
     ValueError, ["recurrent_activation", ACTS, "got 'softmax'"]),
    ("get_activation_unknown", lambda: get_activation("swish"),
     ValueError, ["activation", ACTS, "got 'swish'"]),
    ("gate_unknown", lambda: PARAMS.gate("g"),
     ValueError, ["name", "('i', 'f', 'c', 'o')", "got 'g'"]),
    ("gate_not_a_string", lambda: PARAMS.gate(0),
     TypeError, ["name", "('i', 'f', 'c', 'o') as a string", "got int 0"]),
    # lstm and trace: params and x
    ("params_not_lstmparams", lambda: lstm(X, [KERNEL, RECURRENT, BIAS]),
     TypeError, ["params", "LSTMParams", "got list"]),
    ("trace_params_not_lstmparams", lambda: trace(X, TORCH),
     TypeError, ["params", "LSTMParams", "got dict"]),
    ("x_2d", lambda: lstm(X[0], PARAMS),
     ValueError, ["x", "3-D", "(batch, T, input_dim)", "got shape (4, 3)",
                  "2-D"]),
    ("x_4d", lambda: lstm(X[None], PARAMS),
     ValueError, ["x", "3-D", "got shape (1, 5, 4, 3)", "4-D"]),
    ("x_features_differ_from_kernel", lambda: lstm(X[..., :2], PARAMS),
     ValueError, ["x", "expected 3 features", "kernel has 3 rows",
                  "got shape (5, 4, 2)"]),
    ("x_empty_sequence", lambda: lstm(X[:, :0], PARAMS),
     ValueError, ["x", "at least one step", "got shape (5, 0, 3)", "T=0"]),
    ("x_empty_batch", lambda: lstm(X[:0], PARAMS),
     ValueError, ["x", "at least one sequence", "got shape (0, 4, 3)",
                  "batch=0"]),
    ("x_strings", lambda: lstm(np.full(X.shape, "1.0"), PARAMS),
     TypeError, ["x", "array of real numbers", "got dtype <U3"]),
    ("x_object_array", lambda: lstm(X.astype(object), PARAMS),
     TypeError, ["x", "array of real numbers", "got dtype object"]),
    ("x_complex", lambda: lstm(X + 1j, PARAMS),
     TypeError, ["x", "array of real numbers", "got dtype complex128"]),
    ("x_ragged_list",
     lambda: lstm([[[1.0, 2.0, 3.0]], [[1.0, 2.0]]], PARAMS),
     TypeError, ["x", "array of numbers", "got list"]),
    ("x_nan", lambda: lstm(with_value(X, (1, 2, 0), NAN), PARAMS),
     ValueError, ["x", "finite", "got nan", "index (1, 2, 0)"]),
    ("x_inf", lambda: trace(with_value(X, (4, 3, 2), INF), PARAMS),
     ValueError, ["x", "finite", "got inf", "index (4, 3, 2)"]),
    # lstm: mask
    ("mask_wrong_shape",
     lambda: lstm(X, PARAMS, mask=np.ones((BATCH, T - 1), bool)),
     ValueError, ["mask", "expected shape (5, 4)", "(batch, T)",
                  "got (5, 3)"]),
    ("mask_transposed", lambda: lstm(X, PARAMS, mask=MASK.T),
     ValueError, ["mask", "expected shape (5, 4)", "got (4, 5)"]),
    ("mask_float", lambda: lstm(X, PARAMS, mask=MASK.astype(float)),
     TypeError, ["mask", "bool array", "(5, 4)", "got dtype float64"]),
    ("mask_int_two",
     lambda: lstm(X, PARAMS, mask=with_value(MASK, (3, 1), 2).astype(int)),
     ValueError, ["mask", "only 0 and 1", "got 2", "index (3, 1)"]),
    ("mask_int_minus_one",
     lambda: trace(X, PARAMS,
                   mask=with_value(MASK, (0, 2), -1).astype(np.int8)),
     ValueError, ["mask", "only 0 and 1", "got -1", "index (0, 2)"]),
    ("mask_strings",
     lambda: lstm(X, PARAMS, mask=np.full((BATCH, T), "True")),
     TypeError, ["mask", "bool array", "got dtype <U4"]),
    ("mask_ragged_list", lambda: lstm(X, PARAMS, mask=[[1, 0], [1]]),
     TypeError, ["mask", "bool array", "got list"]),
    # lstm: initial_state
    ("initial_state_one_array", lambda: lstm(X, PARAMS, initial_state=[H0]),
     ValueError, ["initial_state", "two arrays [h_0, c_0]",
                  "got a list of 1"]),
    ("initial_state_three_arrays",
     lambda: lstm(X, PARAMS, initial_state=(H0, C0, C0)),
     ValueError, ["initial_state", "two arrays [h_0, c_0]",
                  "got a tuple of 3"]),
    ("initial_state_bare_ndarray",
     lambda: lstm(X, PARAMS, initial_state=np.stack([H0, C0])),
     TypeError, ["initial_state", "a list [h_0, c_0]", "(5, 2)",
                 "got ndarray"]),
    ("initial_state_h0_wrong_shape",
     lambda: lstm(X, PARAMS, initial_state=[H0[:, :1], C0]),
     ValueError, ["initial_state[0] (h_0)", "expected shape (5, 2)",
                  "got (5, 1)"]),
    ("initial_state_c0_wrong_shape",
     lambda: lstm(X, PARAMS, initial_state=[H0, C0[0]]),
     ValueError, ["initial_state[1] (c_0)", "expected shape (5, 2)",
                  "got (2,)"]),
    ("initial_state_h0_nan",
     lambda: lstm(X, PARAMS,
                  initial_state=[with_value(H0, (2, 1), NAN), C0]),
     ValueError, ["initial_state[0] (h_0)", "finite", "got nan",
                  "index (2, 1)"]),
    ("initial_state_c0_inf",
     lambda: trace(X, PARAMS,
                   initial_state=[H0, with_value(C0, (4, 0), -INF)]),
     ValueError, ["initial_state[1] (c_0)", "finite", "got -inf",
                  "index (4, 0)"]),
    # lstm and trace: flags
    ("return_sequences_int",
     lambda: lstm(X, PARAMS, return_sequences=1),
     TypeError, ["return_sequences", "True or False", "got int 1"]),
    ("return_state_none", lambda: lstm(X, PARAMS, return_state=None),
     TypeError, ["return_state", "True or False", "got NoneType None"]),
    ("go_backwards_string", lambda: lstm(X, PARAMS, go_backwards="yes"),
     TypeError, ["go_backwards", "True or False", "got str 'yes'"]),
    ("zero_output_for_mask_float",
     lambda: lstm(X, PARAMS, zero_output_for_mask=0.0),
     TypeError, ["zero_output_for_mask", "True or False",
                 "got float 0.0"]),
    ("trace_go_backwards_int", lambda: trace(X, PARAMS, go_backwards=0),
     TypeError, ["go_backwards", "True or False", "got int 0"]),
    # from_keras: the list form
    ("keras_list_of_one", lambda: from_keras([KERNEL]),
     ValueError, ["obj", "[kernel, recurrent_kernel, bias]",
                  "got a list of 1 arrays"]),
    ("keras_list_of_four",
     lambda: from_keras([KERNEL, RECURRENT, BIAS, BIAS]),
     ValueError, ["obj", "[kernel, recurrent_kernel, bias]",
                  "got a list of 4 arrays"]),
    ("keras_list_of_twelve", lambda: from_keras(KERAS1),
     ValueError, ["obj", "[kernel, recurrent_kernel, bias]",
                  "got a list of 12 arrays", "from_keras1"]),
    ("keras_list_bad_recurrent_kernel",
     lambda: from_keras([KERNEL, RECURRENT.T, BIAS]),
     ValueError, ["recurrent_kernel", "positive multiple of 4",
                  "got shape (8, 2)"]),
    ("keras_list_activation_zero",
     lambda: from_keras([KERNEL, RECURRENT, BIAS], activation=0),
     TypeError, ["activation", "as a string", "got int 0"]),
    ("keras_list_activation_empty",
     lambda: from_keras([KERNEL, RECURRENT, BIAS], recurrent_activation=""),
     ValueError, ["recurrent_activation", ACTS, "got ''"]),
    # from_keras: layers
    ("keras_not_a_layer", lambda: from_keras({"kernel": KERNEL}),
     TypeError, ["obj", "a Keras LSTM layer", "got dict"]),
    ("keras_dense_layer", lambda: from_keras(keras_other_layer("Dense")),
     TypeError, ["obj", "a Keras LSTM layer", "of type Dense"]),
    ("keras_gru_layer", lambda: from_keras(keras_other_layer("GRU")),
     TypeError, ["obj", "a Keras LSTM layer", "of type GRU"]),
    ("keras_unbuilt_lstm",
     lambda: from_keras(keras_layer(build=False, name="unbuilt")),
     ValueError, ["obj", "a built LSTM layer", "'unbuilt'",
                  "no weights yet"]),
    ("tf_keras_unbuilt_lstm",
     lambda: from_keras(keras_layer("tf_keras", build=False,
                                    name="unbuilt2")),
     ValueError, ["obj", "a built LSTM layer", "'unbuilt2'",
                  "no weights yet"]),
    ("keras_lambda_activation",
     lambda: from_keras(keras_layer(activation=lambda x: x)),
     ValueError, ["activation", ACTS, "got the layer's function",
                  "'<lambda>'"]),
    ("keras_lambda_recurrent_activation",
     lambda: from_keras(keras_layer(recurrent_activation=lambda x: x)),
     ValueError, ["recurrent_activation", ACTS, "'<lambda>'"]),
    ("keras_activation_named_tanh_but_not_tanh",
     lambda: from_keras(keras_layer(activation=not_tanh)),
     ValueError, ["activation", "computes lstmref's 'tanh'",
                  "got the layer's function called 'tanh'"]),
    # from_keras1
    ("keras1_eleven_arrays", lambda: from_keras1(KERAS1[:11]),
     ValueError, ["arrays", "twelve arrays of a Keras 1 LSTM",
                  "got 11 arrays"]),
    ("keras1_three_arrays", lambda: from_keras1(to_keras(PARAMS)),
     ValueError, ["arrays", "twelve arrays", "got 3 arrays"]),
    ("keras1_not_a_list", lambda: from_keras1(np.zeros(12)),
     TypeError, ["arrays", "a list of the twelve arrays", "got ndarray"]),
    ("keras1_U_c_wrong_shape",
     lambda: from_keras1(keras1_with(4, np.zeros((3, 3)))),
     ValueError, ["arrays[4] (U_c)", "expected shape (2, 2)",
                  "(units, units)", "got (3, 3)"]),
    ("keras1_b_o_column",
     lambda: from_keras1(keras1_with(11, KERAS1[11][:, None])),
     ValueError, ["arrays[11] (b_o)", "expected shape (2,)",
                  "got (2, 1)"]),
    ("keras1_W_i_1d", lambda: from_keras1(keras1_with(0, KERAS1[0][0])),
     ValueError, ["arrays[0] (W_i)", "2-D", "got shape (2,)"]),
    ("keras1_U_f_nan",
     lambda: from_keras1(keras1_with(7, with_value(KERAS1[7], (1, 0), NAN))),
     ValueError, ["arrays[7] (U_f)", "finite", "got nan", "index (1, 0)"]),
    # from_torch: state dicts
    ("torch_proj_size_key",
     lambda: from_torch(torch_dict(weight_hr_l0=np.zeros((2, 1)))),
     ValueError, ["obj", "without proj_size", "weight_hr_l0"]),
    ("torch_second_layer_keys",
     lambda: from_torch(torch_dict(weight_ih_l1=TORCH["weight_hh_l0"],
                                   weight_hh_l1=TORCH["weight_hh_l0"])),
     ValueError, ["obj", "expected only the keys", "'weight_ih_l0'",
                  "got also ['weight_hh_l1', 'weight_ih_l1']"]),
    ("torch_reverse_direction_keys",
     lambda: from_torch(torch_dict(
         weight_ih_l0_reverse=TORCH["weight_ih_l0"])),
     ValueError, ["obj", "expected only the keys",
                  "got also ['weight_ih_l0_reverse']"]),
    ("torch_missing_weight_hh",
     lambda: from_torch(torch_dict(drop=["weight_hh_l0"])),
     ValueError, ["obj", "expected the keys", "missing ['weight_hh_l0']"]),
    ("torch_missing_bias_hh",
     lambda: from_torch(torch_dict(drop=["bias_hh_l0"])),
     ValueError, ["obj", "expected the keys", "missing ['bias_hh_l0']"]),
    ("torch_not_a_dict", lambda: from_torch(list(TORCH.values())),
     TypeError, ["obj", "torch.nn.LSTM or its state_dict()", "got list"]),
    ("torch_weight_hh_not_transposed",
     lambda: from_torch(torch_dict(weight_hh_l0=RECURRENT)),
     ValueError, ["weight_hh_l0", "(4 * units, units)", "got (2, 8)"]),
    ("torch_weight_ih_1d",
     lambda: from_torch(torch_dict(weight_ih_l0=KERNEL.ravel())),
     ValueError, ["weight_ih_l0", "2-D", "got shape (24,)"]),
    ("torch_bias_ih_wrong_length",
     lambda: from_torch(torch_dict(bias_ih_l0=BIAS[:4])),
     ValueError, ["bias_ih_l0", "expected shape (8,)", "got (4,)"]),
    ("torch_bias_hh_nan",
     lambda: from_torch(torch_dict(
         bias_hh_l0=with_value(TORCH["bias_hh_l0"], 5, NAN))),
     ValueError, ["bias_hh_l0", "finite", "got nan", "index (5,)"]),
    ("torch_weight_ih_inf",
     lambda: from_torch(torch_dict(
         weight_ih_l0=with_value(TORCH["weight_ih_l0"], (7, 1), INF))),
     ValueError, ["weight_ih_l0", "finite", "got inf", "index (7, 1)"]),
    # from_torch: modules
    ("torch_lstm_2_layers_bidirectional_proj",
     lambda: from_torch(torch_module(num_layers=2, bidirectional=True,
                                     proj_size=1)),
     ValueError, ["obj", "one-layer, one-direction LSTM without proj_size",
                  "got LSTM(num_layers=2, bidirectional=True, "
                  "proj_size=1)"]),
    ("torch_lstm_2_layers", lambda: from_torch(torch_module(num_layers=2)),
     ValueError, ["obj", "one-layer", "got LSTM(num_layers=2)"]),
    ("torch_lstm_bidirectional",
     lambda: from_torch(torch_module(bidirectional=True)),
     ValueError, ["obj", "one-direction", "got LSTM(bidirectional=True)"]),
    ("torch_gru_module", lambda: from_torch(torch_module("GRU")),
     TypeError, ["obj", "torch.nn.LSTM or LSTMCell", "got the module GRU"]),
    # to_keras, to_keras1, to_torch, to_tf1
    ("to_keras_not_params",
     lambda: to_keras([KERNEL, RECURRENT, BIAS]),
     TypeError, ["params", "LSTMParams", "got list"]),
    ("to_keras1_not_params", lambda: to_keras1(KERAS1),
     TypeError, ["params", "LSTMParams", "got list"]),
    ("to_torch_not_params", lambda: to_torch(TORCH),
     TypeError, ["params", "LSTMParams", "got dict"]),
    ("to_torch_relu",
     lambda: to_torch(LSTMParams(KERNEL, RECURRENT, BIAS,
                                 activation="relu")),
     ValueError, ["params", "activation='tanh'",
                  "recurrent_activation='sigmoid'", "got activation='relu'"]),
    ("to_torch_hard_sigmoid",
     lambda: to_torch(LSTMParams(KERNEL, RECURRENT, BIAS,
                                 recurrent_activation="hard_sigmoid")),
     ValueError, ["params", "recurrent_activation='sigmoid'",
                  "recurrent_activation='hard_sigmoid'"]),
    ("to_torch_cell_int", lambda: to_torch(PARAMS, cell=1),
     TypeError, ["cell", "True or False", "got int 1"]),
    ("to_tf1_not_params", lambda: to_tf1((TF1_KERNEL, TF1_BIAS)),
     TypeError, ["params", "LSTMParams", "got tuple"]),
    ("to_tf1_hard_sigmoid",
     lambda: to_tf1(LSTMParams(KERNEL, RECURRENT, BIAS,
                               recurrent_activation="hard_sigmoid")),
     ValueError, ["params", "recurrent_activation='sigmoid'",
                  "got recurrent_activation='hard_sigmoid'"]),
    ("to_tf1_forget_bias_nan", lambda: to_tf1(PARAMS, forget_bias=NAN),
     ValueError, ["forget_bias", "finite number", "got nan"]),
    # from_tf1
    ("tf1_kernel_1d", lambda: from_tf1(TF1_KERNEL.ravel(), TF1_BIAS),
     ValueError, ["kernel", "2-D", "(input_dim + units, 4 * units)",
                  "got shape (40,)"]),
    ("tf1_kernel_width_not_4_units",
     lambda: from_tf1(TF1_KERNEL[:, :6], TF1_BIAS),
     ValueError, ["kernel", "(input_dim + units, 4 * units)",
                  "got (5, 6)"]),
    ("tf1_kernel_without_input_rows",
     lambda: from_tf1(TF1_KERNEL[3:], TF1_BIAS),
     ValueError, ["kernel", "input_dim >= 1", "got (2, 8)"]),
    ("tf1_bias_mismatched", lambda: from_tf1(TF1_KERNEL, TF1_BIAS[:4]),
     ValueError, ["bias", "expected shape (8,)", "got (4,)"]),
    ("tf1_bias_row", lambda: from_tf1(TF1_KERNEL, TF1_BIAS[None]),
     ValueError, ["bias", "expected shape (8,)", "got (1, 8)"]),
    ("tf1_kernel_nan",
     lambda: from_tf1(with_value(TF1_KERNEL, (4, 3), NAN), TF1_BIAS),
     ValueError, ["kernel", "finite", "got nan", "index (4, 3)"]),
    ("tf1_forget_bias_inf", lambda: from_tf1(TF1_KERNEL, TF1_BIAS, INF),
     ValueError, ["forget_bias", "finite number", "got inf"]),
    ("tf1_forget_bias_nan",
     lambda: from_tf1(TF1_KERNEL, TF1_BIAS, np.float32(NAN)),
     ValueError, ["forget_bias", "finite number", "nan"]),
    ("tf1_forget_bias_string",
     lambda: from_tf1(TF1_KERNEL, TF1_BIAS, "1.0"),
     TypeError, ["forget_bias", "a real number", "got str '1.0'"]),
    ("tf1_forget_bias_array",
     lambda: from_tf1(TF1_KERNEL, TF1_BIAS, np.ones(8)),
     TypeError, ["forget_bias", "a real number", "got ndarray"]),
    ("tf1_activation_unknown",
     lambda: from_tf1(TF1_KERNEL, TF1_BIAS, activation="gelu"),
     ValueError, ["activation", ACTS, "got 'gelu'"]),
    # one step of the cell, as the book calls it
    ("step_h_one_row_for_batch_5",
     lambda: lstmref.step(X[:, 0], H0[:1], C0, PARAMS),
     ValueError, ["h", "(5, 2)", "got (1, 2)"]),
    ("step_c_wrong_units",
     lambda: lstmref.step(X[:, 0], H0, C0[:, :1], PARAMS),
     ValueError, ["c", "(5, 2)", "got (5, 1)"]),
    ("step_x_t_3d", lambda: lstmref.step(X, H0, C0, PARAMS),
     ValueError, ["x_t", "2-D", "got shape (5, 4, 3)"]),
    ("step_params_not_lstmparams",
     lambda: lstmref.step(X[:, 0], H0, C0, TORCH),
     TypeError, ["params", "LSTMParams", "got dict"]),
    ("preactivations_x_t_features",
     lambda: lstmref.preactivations(X[:, 0, :2], H0, PARAMS),
     ValueError, ["x_t", "(5, 3)", "got (5, 2)"]),
    ("gates_z_wrong_width",
     lambda: lstmref.gates(np.ones((5, 6)), PARAMS),
     ValueError, ["z", "4 * units = 8", "got shape (5, 6)"]),
]


@pytest.mark.parametrize("call, error, needles",
                         [entry[1:] for entry in CATALOGUE],
                         ids=[entry[0] for entry in CATALOGUE])
def test_bad_input_fails_clearly(call, error, needles):
    with pytest.raises(Exception) as caught:
        call()
    message = str(caught.value)
    assert type(caught.value) is error, (type(caught.value), message)
    assert message.startswith(needles[0] + ":"), message
    for needle in needles:
        assert needle in message, (needle, message)


def test_catalogue_ids_are_unique():
    ids = [entry[0] for entry in CATALOGUE]
    assert len(ids) == len(set(ids))


# Each case is a shape NumPy would broadcast to a wrong answer without a
# word: a state or mask shared by the whole batch, a bias row.
BROADCASTABLE = [
    ("h0_one_row_for_batch_5",
     lambda: lstm(X, PARAMS, initial_state=[H0[:1], C0]),
     "initial_state[0] (h_0)", "got (1, 2)"),
    ("c0_one_row_for_batch_5",
     lambda: lstm(X, PARAMS, initial_state=[H0, C0[:1]]),
     "initial_state[1] (c_0)", "got (1, 2)"),
    ("h0_without_batch_axis",
     lambda: lstm(X, PARAMS, initial_state=[H0[0], C0]),
     "initial_state[0] (h_0)", "got (2,)"),
    ("bias_1_by_4u", lambda: LSTMParams(KERNEL, RECURRENT, BIAS[None]),
     "bias", "got (1, 8)"),
    ("mask_one_row_for_batch_5",
     lambda: lstm(X, PARAMS, mask=MASK[:1]), "mask", "got (1, 4)"),
    ("mask_one_column_for_T_4",
     lambda: lstm(X, PARAMS, mask=MASK[:, :1]), "mask", "got (5, 1)"),
    ("mask_without_batch_axis",
     lambda: lstm(X, PARAMS, mask=MASK[0]), "mask", "got (4,)"),
]


@pytest.mark.parametrize("call, argument, given",
                         [case[1:] for case in BROADCASTABLE],
                         ids=[case[0] for case in BROADCASTABLE])
def test_no_silent_broadcasting(call, argument, given):
    with pytest.raises(ValueError) as caught:
        call()
    message = str(caught.value)
    assert message.startswith(argument + ": expected shape"), message
    assert given in message, message


def test_valid_inputs_are_accepted():
    """The valid calls that each catalogue entry changes one thing in."""
    import torch

    output = lstm(X, PARAMS, initial_state=[H0, C0], mask=MASK,
                  return_sequences=True, go_backwards=True)
    assert output.shape == (BATCH, T, UNITS)
    assert np.isfinite(output).all()
    # integers 0 and 1 are a mask too, the same as booleans
    np.testing.assert_array_equal(
        lstm(X, PARAMS, mask=MASK.astype(np.int8)),
        lstm(X, PARAMS, mask=MASK))
    # a PyTorch tensor that requires grad is read, not refused
    np.testing.assert_array_equal(
        lstm(torch.tensor(X, requires_grad=True), PARAMS), lstm(X, PARAMS))
    trace(X, PARAMS, initial_state=(H0, C0), mask=MASK, go_backwards=False)
    for name in lstmref.GATES:
        PARAMS.gate(name)
    for params in (from_keras([KERNEL, RECURRENT, BIAS]),
                   from_keras([KERNEL, RECURRENT]),
                   from_keras1(KERAS1),
                   from_torch(TORCH),
                   from_tf1(TF1_KERNEL, TF1_BIAS),
                   from_tf1(TF1_KERNEL, TF1_BIAS, np.float32(1.0))):
        assert (params.input_dim, params.units) == (FEATURES, UNITS)
    np.testing.assert_allclose(from_torch(TORCH).bias, BIAS, atol=0)
    np.testing.assert_allclose(from_tf1(TF1_KERNEL, TF1_BIAS).bias, BIAS,
                               atol=1e-15)  # -1 then +1 on the forget block
    assert from_torch(torch_module()).units == UNITS
    assert from_torch(torch_module("LSTMCell")).units == UNITS
    layer = keras_layer(dtype="float64")
    layer.set_weights(to_keras(PARAMS))
    np.testing.assert_array_equal(from_keras(layer).kernel, KERNEL)
    assert from_keras(keras_layer(activation="relu")).activation == "relu"
    assert from_keras(keras_layer(activation=lambda x: x),
                      activation="linear").activation == "linear"


def test_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 25
