"""Every error message in full, as the reader sees it.

tests/test_errors.py checks that each bad call raises the right type with
a message that starts with the argument's name and holds the key facts;
here each message of its catalogue (and of a few more calls: the
gradients, one step of the cell) is pinned word for word, so that a
changed word, a lost argument name or a dropped hint fails. The table was
written out once from the messages and read through by hand; a deliberate
change of a message changes its line here.

Two parts vary with the environment and are normalised before comparing:
Keras numbers its automatic layer names in creation order ('dense_3'),
and NumPy's own explanation of a ragged list is cut off.
"""

import re
import warnings

import numpy as np
import pytest

import lstmref
from lstmref.grad import backward, input_gradient
from lstmref.layouts._gates import block, reorder
from lstmref.network import Network
from test_errors import (BATCH, BROADCASTABLE, C0, CATALOGUE, H0, INF,
                         PARAMS, T, TF1_BIAS, TF1_KERNEL, TORCH, UNITS, X,
                         keras1_with, torch_dict, with_value)

#: A network for the gradient calls.
NET = Network(PARAMS, np.ones((UNITS, 2)), np.ones(2))

EXTRA = [
    ("dh_T_shape", lambda: backward(X, PARAMS, H0[:1])),
    ("dc_T_shape", lambda: backward(X, PARAMS, None, C0[:, :1])),
    ("dc_T_strings",
     lambda: backward(X, PARAMS, None, np.full((5, 2), "a"))),
    ("dh_shape", lambda: backward(X, PARAMS, dh=np.ones((BATCH, T, 3)))),
    ("input_gradient_net", lambda: input_gradient(PARAMS, X)),
    ("input_gradient_output_bool",
     lambda: input_gradient(NET, X, True)),
    ("input_gradient_output_range",
     lambda: input_gradient(NET, X, 2)),
    ("input_gradient_output_float",
     lambda: input_gradient(NET, X, 1.0)),
    ("step_x_t_rank", lambda: lstmref.step(X, H0, C0, PARAMS)),
    ("step_x_t_features",
     lambda: lstmref.step(X[:, 0, :2], H0, C0, PARAMS)),
    ("step_h_shape",
     lambda: lstmref.step(X[:, 0], H0[:1], C0, PARAMS)),
    ("step_c_shape",
     lambda: lstmref.step(X[:, 0], H0, C0[:, :1], PARAMS)),
    ("step_x_t_strings",
     lambda: lstmref.step(np.full((5, 3), "a"), H0, C0, PARAMS)),
    ("step_params", lambda: lstmref.step(X[:, 0], H0, C0, None)),
    ("preactivations_h_shape",
     lambda: lstmref.preactivations(X[:, 0], H0[:, :1], PARAMS)),
    ("gates_scalar_z",
     lambda: lstmref.gates(np.float64(1.0), PARAMS)),
    ("gates_z_strings",
     lambda: lstmref.gates(np.full(8, "a"), PARAMS)),
    ("gates_params", lambda: lstmref.gates(np.ones(8), "params")),
    ("recurrent_kernel_strings", lambda: lstmref.LSTMParams(
        PARAMS.kernel, np.full((2, 8), "a"), PARAMS.bias)),
    ("bias_strings", lambda: lstmref.LSTMParams(
        PARAMS.kernel, PARAMS.recurrent_kernel, np.full(8, "a"))),
    ("reorder_bad_source",
     lambda: reorder(np.ones(8), "ifgx", lstmref.GATES)),
    ("reorder_bad_target", lambda: reorder(np.ones(8), "ifco", "iifo")),
    ("reorder_width", lambda: reorder(np.ones(6), "ifco", "ijfo")),
    ("block_bad_order", lambda: block("iffo", "f", 2)),
    ("keras1_W_c_other_input_dim",
     lambda: lstmref.from_keras1(keras1_with(3, np.ones((4, 2))))),
    ("keras1_b_f_strings",
     lambda: lstmref.from_keras1(keras1_with(8, np.full(2, "a")))),
    ("keras1_W_i_strings",
     lambda: lstmref.from_keras1(keras1_with(0, np.full((3, 2), "a")))),
    ("tf1_kernel_strings",
     lambda: lstmref.from_tf1(np.full((5, 8), "a"), TF1_BIAS)),
    ("tf1_bias_strings",
     lambda: lstmref.from_tf1(TF1_KERNEL, np.full(8, "a"))),
    ("tf1_bias_inf",
     lambda: lstmref.from_tf1(TF1_KERNEL, with_value(TF1_BIAS, 2, INF))),
    ("tf1_kernel_3d",
     lambda: lstmref.from_tf1(TF1_KERNEL[None], TF1_BIAS)),
    ("torch_weight_hh_1d", lambda: lstmref.from_torch(
        torch_dict(weight_hh_l0=TORCH["weight_hh_l0"][0]))),
    ("torch_weight_ih_rows", lambda: lstmref.from_torch(
        torch_dict(weight_ih_l0=TORCH["weight_ih_l0"][:6]))),
    ("torch_weight_hh_inf", lambda: lstmref.from_torch(torch_dict(
        weight_hh_l0=with_value(TORCH["weight_hh_l0"], (3, 1), INF)))),
    ("torch_weight_ih_strings", lambda: lstmref.from_torch(
        torch_dict(weight_ih_l0=np.full((8, 3), "a")))),
    ("torch_weight_hh_strings", lambda: lstmref.from_torch(
        torch_dict(weight_hh_l0=np.full((8, 2), "a")))),
    ("torch_bias_hh_strings", lambda: lstmref.from_torch(
        torch_dict(bias_hh_l0=np.full(8, "a")))),
]


#: The calls: test_errors' catalogue and broadcasting cases, and EXTRA.
CALLS = {**{entry[0]: entry[1] for entry in CATALOGUE},
         **{case[0]: case[1] for case in BROADCASTABLE},
         **dict(EXTRA)}

#: id: (error type, the whole message)
MESSAGES = {
    # CATALOGUE
    'kernel_1d': (
        ValueError, 'kernel: expected a 2-D array (input_dim, 4 * units), '
                    'got shape (8,) (1-D)'),
    'kernel_3d': (
        ValueError, 'kernel: expected a 2-D array (input_dim, 4 * units), '
                    'got shape (1, 3, 8) (3-D)'),
    'kernel_width_not_4_units': (
        ValueError, 'kernel: expected shape (3, 8) (input_dim, 4 * units) '
                    'for units=2 taken from recurrent_kernel, got (3, 6)'),
    'kernel_transposed': (
        ValueError, 'kernel: expected shape (8, 8) (input_dim, 4 * units) '
                    'for units=2 taken from recurrent_kernel, got (8, 3)'),
    'kernel_no_rows': (
        ValueError, 'kernel: expected at least one input feature (row), got '
                    'shape (0, 8)'),
    'kernel_strings': (
        TypeError, 'kernel: expected an array of real numbers, got dtype '
                   '<U1 (from ndarray)'),
    'kernel_none': (
        TypeError, 'kernel: expected an array of real numbers, got dtype '
                   'object (from NoneType)'),
    'kernel_nan': (
        ValueError, 'kernel: expected finite numbers, got nan at index (1, '
                    '2) (1 non-finite value(s) in all)'),
    'kernel_minus_inf': (
        ValueError, 'kernel: expected finite numbers, got -inf at index (2, '
                    '7) (1 non-finite value(s) in all)'),
    'recurrent_kernel_strings': (
        TypeError, 'recurrent_kernel: expected an array of real numbers, '
                   'got dtype <U1 (from ndarray)'),
    'bias_strings': (
        TypeError, 'bias: expected an array of real numbers, got dtype <U1 '
                   '(from ndarray)'),
    'recurrent_kernel_1d': (
        ValueError, 'recurrent_kernel: expected a 2-D array (units, 4 * '
                    'units), got shape (16,) (1-D)'),
    'recurrent_kernel_3d': (
        ValueError, 'recurrent_kernel: expected a 2-D array (units, 4 * '
                    'units), got shape (1, 2, 8) (3-D)'),
    'recurrent_kernel_extra_row': (
        ValueError, 'recurrent_kernel: expected shape (2, 8) (units, 4 * '
                    'units) for units=2 taken from its column count, got '
                    '(3, 8)'),
    'width_not_divisible_by_4': (
        ValueError, 'recurrent_kernel: expected 4 * units columns (one '
                    'block per gate i, f, c, o), got shape (2, 6), whose 6 '
                    'columns are not a positive multiple of 4'),
    'recurrent_kernel_inf': (
        ValueError, 'recurrent_kernel: expected finite numbers, got inf at '
                    'index (0, 5) (1 non-finite value(s) in all)'),
    'bias_column_4u_by_1': (
        ValueError, 'bias: expected shape (8,) (4 * units,) for units=2, '
                    'got (8, 1); flatten it first (a bias is never '
                    'broadcast)'),
    'bias_row_1_by_4u': (
        ValueError, 'bias: expected shape (8,) (4 * units,) for units=2, '
                    'got (1, 8); flatten it first (a bias is never '
                    'broadcast)'),
    'bias_wrong_length': (
        ValueError, 'bias: expected shape (8,) (4 * units,) for units=2, '
                    'got (6,)'),
    'bias_false_for_no_bias': (
        TypeError, 'bias: expected an array (4 * units,), or None for a '
                   'layer without bias, got bool False'),
    'bias_nan': (
        ValueError, 'bias: expected finite numbers, got nan at index (3,) '
                    '(1 non-finite value(s) in all)'),
    'bias_inf': (
        ValueError, 'bias: expected finite numbers, got inf at index (6,) '
                    '(1 non-finite value(s) in all)'),
    'activation_unknown': (
        ValueError, "activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got 'gelu'"),
    'activation_not_a_string': (
        TypeError, "activation: expected one of ['hard_sigmoid', "
                   "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                   "'tanh'] as a string, got ufunc <ufunc 'tanh'>"),
    'recurrent_activation_unknown': (
        ValueError, "recurrent_activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got 'softmax'"),
    'get_activation_unknown': (
        ValueError, "activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got 'swish'"),
    'gate_unknown': (
        ValueError, "name: expected one of ('i', 'f', 'c', 'o') (input, "
                    "forget, candidate, output), got 'g'"),
    'gate_not_a_string': (
        TypeError, "name: expected one of ('i', 'f', 'c', 'o') as a string, "
                   'got int 0'),
    'params_not_lstmparams': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got list'),
    'trace_params_not_lstmparams': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got dict'),
    'x_2d': (
        ValueError, 'x: expected a 3-D array (batch, T, input_dim), got '
                    'shape (4, 3) (2-D)'),
    'x_4d': (
        ValueError, 'x: expected a 3-D array (batch, T, input_dim), got '
                    'shape (1, 5, 4, 3) (4-D)'),
    'x_features_differ_from_kernel': (
        ValueError, 'x: expected 3 features on the last axis (the kernel '
                    'has 3 rows), got shape (5, 4, 2)'),
    'x_empty_sequence': (
        ValueError, 'x: expected at least one sequence of at least one '
                    'step, got shape (5, 0, 3) (batch=5, T=0)'),
    'x_empty_batch': (
        ValueError, 'x: expected at least one sequence of at least one '
                    'step, got shape (0, 4, 3) (batch=0, T=4)'),
    'x_strings': (
        TypeError, 'x: expected an array of real numbers, got dtype <U3 '
                   '(from ndarray)'),
    'x_object_array': (
        TypeError, 'x: expected an array of real numbers, got dtype object '
                   '(from ndarray)'),
    'x_complex': (
        TypeError, 'x: expected an array of real numbers, got dtype '
                   'complex128 (from ndarray)'),
    'x_ragged_list': (
        TypeError, 'x: expected an array of numbers, got list (setting an '
                   'array element with a sequence. The requested array has '
                   'an inhomogeneous shape after 2 dimensions. The detected '
                   'shape was (2, 1) + inhomogeneous part.)'),
    'x_nan': (
        ValueError, 'x: expected finite numbers, got nan at index (1, 2, 0) '
                    '(1 non-finite value(s) in all)'),
    'x_inf': (
        ValueError, 'x: expected finite numbers, got inf at index (4, 3, 2) '
                    '(1 non-finite value(s) in all)'),
    'mask_wrong_shape': (
        ValueError, 'mask: expected shape (5, 4) (batch, T), got (5, 3)'),
    'mask_transposed': (
        ValueError, 'mask: expected shape (5, 4) (batch, T), got (4, 5)'),
    'mask_float': (
        TypeError, 'mask: expected a bool array (or integers 0 and 1) of '
                   'shape (5, 4), got dtype float64'),
    'mask_int_two': (
        ValueError, 'mask: expected only 0 and 1 (or True and False), got 2 '
                    'at index (3, 1)'),
    'mask_int_minus_one': (
        ValueError, 'mask: expected only 0 and 1 (or True and False), got '
                    '-1 at index (0, 2)'),
    'mask_strings': (
        TypeError, 'mask: expected a bool array (or integers 0 and 1) of '
                   'shape (5, 4), got dtype <U4'),
    'mask_ragged_list': (
        TypeError, 'mask: expected a bool array (or integers 0 and 1) of '
                   'shape (5, 4), got list (setting an array element with a '
                   'sequence. The requested array has an inhomogeneous '
                   'shape after 1 dimensions. The detected shape was (2,) + '
                   'inhomogeneous part.)'),
    'initial_state_one_array': (
        ValueError, 'initial_state: expected two arrays [h_0, c_0], got a '
                    'list of 1'),
    'initial_state_three_arrays': (
        ValueError, 'initial_state: expected two arrays [h_0, c_0], got a '
                    'tuple of 3'),
    'initial_state_bare_ndarray': (
        TypeError, 'initial_state: expected a list [h_0, c_0] of two arrays '
                   'of shape (5, 2), got ndarray'),
    'initial_state_h0_wrong_shape': (
        ValueError, 'initial_state[0] (h_0): expected shape (5, 2) (batch, '
                    'units), got (5, 1)'),
    'initial_state_c0_wrong_shape': (
        ValueError, 'initial_state[1] (c_0): expected shape (5, 2) (batch, '
                    'units), got (2,)'),
    'initial_state_h0_nan': (
        ValueError, 'initial_state[0] (h_0): expected finite numbers, got '
                    'nan at index (2, 1) (1 non-finite value(s) in all)'),
    'initial_state_c0_inf': (
        ValueError, 'initial_state[1] (c_0): expected finite numbers, got '
                    '-inf at index (4, 0) (1 non-finite value(s) in all)'),
    'return_sequences_int': (
        TypeError, 'return_sequences: expected True or False, got int 1'),
    'return_state_none': (
        TypeError, 'return_state: expected True or False, got NoneType None'),
    'go_backwards_string': (
        TypeError, "go_backwards: expected True or False, got str 'yes'"),
    'zero_output_for_mask_float': (
        TypeError, 'zero_output_for_mask: expected True or False, got float '
                   '0.0'),
    'trace_go_backwards_int': (
        TypeError, 'go_backwards: expected True or False, got int 0'),
    'keras_list_of_one': (
        ValueError, 'obj: expected [kernel, recurrent_kernel, bias] or '
                    '[kernel, recurrent_kernel], got a list of 1 arrays'),
    'keras_list_of_four': (
        ValueError, 'obj: expected [kernel, recurrent_kernel, bias] or '
                    '[kernel, recurrent_kernel], got a list of 4 arrays'),
    'keras_list_of_twelve': (
        ValueError, 'obj: expected [kernel, recurrent_kernel, bias] or '
                    '[kernel, recurrent_kernel], got a list of 12 arrays '
                    '(twelve arrays look like Keras 1: use from_keras1)'),
    'keras_list_bad_recurrent_kernel': (
        ValueError, 'recurrent_kernel: expected 4 * units columns (one '
                    'block per gate i, f, c, o), got shape (8, 2), whose 2 '
                    'columns are not a positive multiple of 4'),
    'keras_list_activation_zero': (
        TypeError, "activation: expected one of ['hard_sigmoid', "
                   "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                   "'tanh'] as a string, got int 0"),
    'keras_list_activation_empty': (
        ValueError, "recurrent_activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got ''"),
    'keras_not_a_layer': (
        TypeError, 'obj: expected a Keras LSTM layer or its get_weights() '
                   'list [kernel, recurrent_kernel, bias], got dict'),
    'keras_dense_layer': (
        TypeError, "obj: expected a Keras LSTM layer, got the layer 'dense' "
                   'of type Dense'),
    'keras_gru_layer': (
        TypeError, "obj: expected a Keras LSTM layer, got the layer 'gru' "
                   'of type GRU'),
    'keras_unbuilt_lstm': (
        ValueError, 'obj: expected a built LSTM layer, got the layer '
                    "'unbuilt' with no weights yet; build it first (call it "
                    'once on data, or build the model)'),
    'tf_keras_unbuilt_lstm': (
        ValueError, 'obj: expected a built LSTM layer, got the layer '
                    "'unbuilt2' with no weights yet; build it first (call "
                    'it once on data, or build the model)'),
    'keras_lambda_activation': (
        ValueError, "activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got the layer's function '<lambda>'; pass "
                    'activation=... by name if it computes one of them'),
    'keras_lambda_recurrent_activation': (
        ValueError, "recurrent_activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got the layer's function '<lambda>'; pass "
                    'recurrent_activation=... by name if it computes one of '
                    'them'),
    'keras_activation_named_tanh_but_not_tanh': (
        ValueError, 'activation: expected a function that computes '
                    "lstmref's 'tanh', got the layer's function called "
                    "'tanh' whose values differ; pass activation=... by "
                    'name'),
    'keras1_eleven_arrays': (
        ValueError, 'arrays: expected the twelve arrays of a Keras 1 LSTM '
                    '(W, U, b for the gates i, c, f, o), got 11 arrays'),
    'keras1_three_arrays': (
        ValueError, 'arrays: expected the twelve arrays of a Keras 1 LSTM '
                    '(W, U, b for the gates i, c, f, o), got 3 arrays'),
    'keras1_not_a_list': (
        TypeError, 'arrays: expected a list of the twelve arrays of a Keras '
                   '1 LSTM (W, U, b for the gates i, c, f, o), got ndarray'),
    'keras1_U_c_wrong_shape': (
        ValueError, 'arrays[4] (U_c): expected shape (2, 2) (units, units) '
                    'for input_dim=3, units=2 taken from arrays[0], got (3, '
                    '3)'),
    'keras1_b_o_column': (
        ValueError, 'arrays[11] (b_o): expected shape (2,) (units,) for '
                    'input_dim=3, units=2 taken from arrays[0], got (2, 1)'),
    'keras1_W_i_1d': (
        ValueError, 'arrays[0] (W_i): expected a 2-D array (input_dim, '
                    'units), got shape (2,) (1-D)'),
    'keras1_U_f_nan': (
        ValueError, 'arrays[7] (U_f): expected finite numbers, got nan at '
                    'index (1, 0) (1 non-finite value(s) in all)'),
    'torch_proj_size_key': (
        ValueError, 'obj: expected the state dict of an LSTM without '
                    'proj_size, got one with weight_hr_l0; a projected LSTM '
                    'has no Keras equivalent'),
    'torch_second_layer_keys': (
        ValueError, "obj: expected only the keys ['bias_hh_l0', "
                    "'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0'], got "
                    "also ['weight_hh_l1', 'weight_ih_l1'] (more layers, a "
                    "reverse direction or another module's weights)"),
    'torch_reverse_direction_keys': (
        ValueError, "obj: expected only the keys ['bias_hh_l0', "
                    "'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0'], got "
                    "also ['weight_ih_l0_reverse'] (more layers, a reverse "
                    "direction or another module's weights)"),
    'torch_missing_weight_hh': (
        ValueError, "obj: expected the keys ['weight_ih_l0', "
                    "'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'], got "
                    "['bias_hh_l0', 'bias_ih_l0', 'weight_ih_l0'], missing "
                    "['weight_hh_l0']"),
    'torch_missing_bias_hh': (
        ValueError, "obj: expected the keys ['weight_ih_l0', "
                    "'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'], got "
                    "['bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0'], "
                    "missing ['bias_hh_l0']"),
    'torch_not_a_dict': (
        TypeError, 'obj: expected a torch.nn.LSTM or its state_dict(), got '
                   'list'),
    'torch_weight_hh_not_transposed': (
        ValueError, 'weight_hh_l0: expected shape (32, 8) (4 * units, '
                    'units) for units=8, got (2, 8)'),
    'torch_weight_ih_1d': (
        ValueError, 'weight_ih_l0: expected a 2-D array (4 * units, '
                    'input_dim), got shape (24,) (1-D)'),
    'torch_bias_ih_wrong_length': (
        ValueError, 'bias_ih_l0: expected shape (8,) (4 * units,) for '
                    'units=2, got (4,)'),
    'torch_bias_hh_nan': (
        ValueError, 'bias_hh_l0: expected finite numbers, got nan at index '
                    '(5,) (1 non-finite value(s) in all)'),
    'torch_weight_ih_inf': (
        ValueError, 'weight_ih_l0: expected finite numbers, got inf at '
                    'index (7, 1) (1 non-finite value(s) in all)'),
    'torch_lstm_2_layers_bidirectional_proj': (
        ValueError, 'obj: expected a one-layer, one-direction LSTM without '
                    'proj_size, got LSTM(num_layers=2, bidirectional=True, '
                    'proj_size=1); Keras has no equivalent (convert one '
                    'layer and direction at a time)'),
    'torch_lstm_2_layers': (
        ValueError, 'obj: expected a one-layer, one-direction LSTM without '
                    'proj_size, got LSTM(num_layers=2); Keras has no '
                    'equivalent (convert one layer and direction at a time)'),
    'torch_lstm_bidirectional': (
        ValueError, 'obj: expected a one-layer, one-direction LSTM without '
                    'proj_size, got LSTM(bidirectional=True); Keras has no '
                    'equivalent (convert one layer and direction at a time)'),
    'torch_gru_module': (
        TypeError, 'obj: expected a torch.nn.LSTM or LSTMCell or its '
                   'state_dict(), got the module GRU'),
    'to_keras_not_params': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got list'),
    'to_keras1_not_params': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got list'),
    'to_torch_not_params': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got dict'),
    'to_torch_relu': (
        ValueError, "params: expected activation='tanh' and "
                    "recurrent_activation='sigmoid' (all PyTorch's LSTM "
                    "computes), got activation='relu', "
                    "recurrent_activation='sigmoid'"),
    'to_torch_hard_sigmoid': (
        ValueError, "params: expected activation='tanh' and "
                    "recurrent_activation='sigmoid' (all PyTorch's LSTM "
                    "computes), got activation='tanh', "
                    "recurrent_activation='hard_sigmoid'"),
    'to_torch_cell_int': (
        TypeError, 'cell: expected True or False, got int 1'),
    'to_tf1_not_params': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got tuple'),
    'to_tf1_hard_sigmoid': (
        ValueError, "params: expected recurrent_activation='sigmoid' (TF1's "
                    'LSTMCell has sigmoid gates), got '
                    "recurrent_activation='hard_sigmoid'"),
    'to_tf1_forget_bias_nan': (
        ValueError, 'forget_bias: expected a finite number, got nan'),
    'tf1_kernel_1d': (
        ValueError, 'kernel: expected a 2-D array (input_dim + units, 4 * '
                    'units), got shape (40,) (1-D)'),
    'tf1_kernel_width_not_4_units': (
        ValueError, 'kernel: expected shape (input_dim + units, 4 * units) '
                    'with input_dim >= 1, got (5, 6)'),
    'tf1_kernel_without_input_rows': (
        ValueError, 'kernel: expected shape (input_dim + units, 4 * units) '
                    'with input_dim >= 1, got (2, 8)'),
    'tf1_bias_mismatched': (
        ValueError, 'bias: expected shape (8,) (4 * units,) for units=2, '
                    'got (4,)'),
    'tf1_bias_row': (
        ValueError, 'bias: expected shape (8,) (4 * units,) for units=2, '
                    'got (1, 8)'),
    'tf1_kernel_nan': (
        ValueError, 'kernel: expected finite numbers, got nan at index (4, '
                    '3) (1 non-finite value(s) in all)'),
    'tf1_forget_bias_inf': (
        ValueError, 'forget_bias: expected a finite number, got inf'),
    'tf1_forget_bias_nan': (
        ValueError, 'forget_bias: expected a finite number, got '
                    'np.float32(nan)'),
    'tf1_forget_bias_string': (
        TypeError, "forget_bias: expected a real number, got str '1.0'"),
    'tf1_forget_bias_array': (
        TypeError, 'forget_bias: expected a real number, got ndarray '
                   'array([1., 1., 1., 1., 1., 1., 1., 1.])'),
    'tf1_activation_unknown': (
        ValueError, "activation: expected one of ['hard_sigmoid', "
                    "'hard_sigmoid_keras2', 'linear', 'relu', 'sigmoid', "
                    "'tanh'], got 'gelu'"),
    'step_h_one_row_for_batch_5': (
        ValueError, 'h: expected shape (5, 2) (batch, units), batch taken '
                    'from x_t, got (1, 2)'),
    'step_c_wrong_units': (
        ValueError, 'c: expected shape (5, 2) (batch, units), batch taken '
                    'from x_t, got (5, 1)'),
    'step_x_t_3d': (
        ValueError, 'x_t: expected a 2-D array (batch, input_dim), got '
                    'shape (5, 4, 3) (3-D)'),
    'step_params_not_lstmparams': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got dict'),
    'preactivations_x_t_features': (
        ValueError, 'x_t: expected shape (5, 3) (batch, input_dim), got (5, '
                    '2)'),
    'gates_z_wrong_width': (
        ValueError, 'z: expected a last axis of 4 * units = 8, got shape '
                    '(5, 6)'),
    # BROADCASTABLE
    'h0_one_row_for_batch_5': (
        ValueError, 'initial_state[0] (h_0): expected shape (5, 2) (batch, '
                    'units), got (1, 2)'),
    'c0_one_row_for_batch_5': (
        ValueError, 'initial_state[1] (c_0): expected shape (5, 2) (batch, '
                    'units), got (1, 2)'),
    'h0_without_batch_axis': (
        ValueError, 'initial_state[0] (h_0): expected shape (5, 2) (batch, '
                    'units), got (2,)'),
    'bias_1_by_4u': (
        ValueError, 'bias: expected shape (8,) (4 * units,) for units=2, '
                    'got (1, 8); flatten it first (a bias is never '
                    'broadcast)'),
    'mask_one_row_for_batch_5': (
        ValueError, 'mask: expected shape (5, 4) (batch, T), got (1, 4)'),
    'mask_one_column_for_T_4': (
        ValueError, 'mask: expected shape (5, 4) (batch, T), got (5, 1)'),
    'mask_without_batch_axis': (
        ValueError, 'mask: expected shape (5, 4) (batch, T), got (4,)'),
    # EXTRA
    'dh_T_shape': (
        ValueError, 'dh_T: expected shape (5, 2) (batch, units), got (1, 2)'),
    'dc_T_shape': (
        ValueError, 'dc_T: expected shape (5, 2) (batch, units), got (5, 1)'),
    'dc_T_strings': (
        TypeError, 'dc_T: expected an array of real numbers, got dtype <U1 '
                   '(from ndarray)'),
    'dh_shape': (
        ValueError, 'dh: expected shape (5, 4, 2) (batch, T, units), got '
                    '(5, 4, 3)'),
    'input_gradient_net': (
        TypeError, 'net: expected a Network (from '
                   'lstmref.from_keras_model), got LSTMParams'),
    'input_gradient_output_bool': (
        TypeError, 'output: expected an integer index, got bool True'),
    'input_gradient_output_range': (
        ValueError, 'output: expected an index from 0 to 1, got 2'),
    'input_gradient_output_float': (
        TypeError, 'output: expected an integer index, got float 1.0'),
    'step_x_t_rank': (
        ValueError, 'x_t: expected a 2-D array (batch, input_dim), got '
                    'shape (5, 4, 3) (3-D)'),
    'step_x_t_features': (
        ValueError, 'x_t: expected shape (5, 3) (batch, input_dim), got (5, '
                    '2)'),
    'step_h_shape': (
        ValueError, 'h: expected shape (5, 2) (batch, units), batch taken '
                    'from x_t, got (1, 2)'),
    'step_c_shape': (
        ValueError, 'c: expected shape (5, 2) (batch, units), batch taken '
                    'from x_t, got (5, 1)'),
    'step_x_t_strings': (
        TypeError, 'x_t: expected an array of real numbers, got dtype <U1 '
                   '(from ndarray)'),
    'step_params': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got NoneType'),
    'preactivations_h_shape': (
        ValueError, 'h: expected shape (5, 2) (batch, units), batch taken '
                    'from x_t, got (5, 1)'),
    'gates_scalar_z': (
        ValueError, 'z: expected a last axis of 4 * units = 8, got shape ()'),
    'gates_z_strings': (
        TypeError, 'z: expected an array of real numbers, got dtype <U1 '
                   '(from ndarray)'),
    'gates_params': (
        TypeError, 'params: expected an LSTMParams (build one with '
                   'LSTMParams(kernel, recurrent_kernel, bias) or '
                   'from_keras), got str'),
    'reorder_bad_source': (
        ValueError, 'source: expected the gates i, f, c, o once each (the '
                    "candidate c may be written g or j), got 'ifgx'"),
    'reorder_bad_target': (
        ValueError, 'target: expected the gates i, f, c, o once each (the '
                    "candidate c may be written g or j), got 'iifo'"),
    'reorder_width': (
        ValueError, 'array: expected 4 * units entries along axis -1, got '
                    'shape (6,)'),
    'block_bad_order': (
        ValueError, 'order: expected the gates i, f, c, o once each (the '
                    "candidate c may be written g or j), got 'iffo'"),
    'keras1_W_c_other_input_dim': (
        ValueError, 'arrays[3] (W_c): expected shape (3, 2) (input_dim, '
                    'units) for input_dim=3, units=2 taken from arrays[0], '
                    'got (4, 2)'),
    'keras1_b_f_strings': (
        TypeError, 'arrays[8] (b_f): expected an array of real numbers, got '
                   'dtype <U1 (from ndarray)'),
    'keras1_W_i_strings': (
        TypeError, 'arrays[0] (W_i): expected an array of real numbers, got '
                   'dtype <U1 (from ndarray)'),
    'tf1_kernel_strings': (
        TypeError, 'kernel: expected an array of real numbers, got dtype '
                   '<U1 (from ndarray)'),
    'tf1_bias_strings': (
        TypeError, 'bias: expected an array of real numbers, got dtype <U1 '
                   '(from ndarray)'),
    'tf1_bias_inf': (
        ValueError, 'bias: expected finite numbers, got inf at index (2,) '
                    '(1 non-finite value(s) in all)'),
    'tf1_kernel_3d': (
        ValueError, 'kernel: expected a 2-D array (input_dim + units, 4 * '
                    'units), got shape (1, 5, 8) (3-D)'),
    'torch_weight_hh_1d': (
        ValueError, 'weight_hh_l0: expected a 2-D array (4 * units, units), '
                    'got shape (2,) (1-D)'),
    'torch_weight_ih_rows': (
        ValueError, 'weight_ih_l0: expected shape (8, 3) (4 * units, '
                    'input_dim) for units=2, got (6, 3)'),
    'torch_weight_hh_inf': (
        ValueError, 'weight_hh_l0: expected finite numbers, got inf at '
                    'index (3, 1) (1 non-finite value(s) in all)'),
    'torch_weight_ih_strings': (
        TypeError, 'weight_ih_l0: expected an array of real numbers, got '
                   'dtype <U1 (from ndarray)'),
    'torch_weight_hh_strings': (
        TypeError, 'weight_hh_l0: expected an array of real numbers, got '
                   'dtype <U1 (from ndarray)'),
    'torch_bias_hh_strings': (
        TypeError, 'bias_hh_l0: expected an array of real numbers, got '
                   'dtype <U1 (from ndarray)'),
}


def normalised(message):
    """Keras's numbered automatic names and NumPy's ragged-list text
    taken out."""
    message = re.sub(r"'(dense|gru)_\d+'", r"'\1'", message)
    return re.sub(r"got list \(setting an array element.*", "got list (",
                  message)


def test_every_call_has_its_message():
    assert set(CALLS) == set(MESSAGES)


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_error_message_in_full(name):
    error, message = MESSAGES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as caught:
            CALLS[name]()
    assert type(caught.value) is error
    assert normalised(str(caught.value)) == normalised(message)


def test_check_params_names_the_other_type_its_caller_accepts():
    """``also`` (the widgets pass "a Network") joins the expected types;
    the widgets' own tests are outside the fast tests."""
    from lstmref.params import check_params
    with pytest.raises(TypeError) as caught:
        check_params([1.0], "model", also="a Network")
    assert str(caught.value) == (
        "model: expected an LSTMParams or a Network (build one with "
        "LSTMParams(kernel, recurrent_kernel, bias) or from_keras), got "
        "list")
