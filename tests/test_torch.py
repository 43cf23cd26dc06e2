"""PyTorch's layout: to_torch and from_torch against a real torch.nn.LSTM."""

import numpy as np
import pytest
import torch

import lstmref
from helpers import keras_lstm, max_abs_error, random_params


def torch_lstm(params, *, cell=False):
    """A float64 torch.nn.LSTM (or LSTMCell) loaded with ``to_torch``."""
    cls = torch.nn.LSTMCell if cell else torch.nn.LSTM
    kwargs = {} if cell else dict(batch_first=True)
    module = cls(params.input_dim, params.units, bias=params.use_bias,
                 **kwargs).double()
    state = lstmref.to_torch(params, cell=cell)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    return module


def run_torch(module, x, initial_state=None):
    """Outputs (batch, T, u), h_T and c_T of a batch-first nn.LSTM."""
    x = torch.from_numpy(x)
    with torch.no_grad():
        if initial_state is None:
            out, (h, c) = module(x)
        else:
            h0, c0 = (torch.from_numpy(s)[None] for s in initial_state)
            out, (h, c) = module(x, (h0, c0))
    return out.numpy(), h[0].numpy(), c[0].numpy()


@pytest.mark.parametrize("units,input_dim,T,use_bias", [
    (1, 1, 1, True), (3, 4, 7, True), (16, 4, 50, True), (5, 2, 9, False)])
def test_to_torch_weights_give_torch_the_same_outputs(units, input_dim, T,
                                                      use_bias):
    rng = np.random.default_rng(units * 1000 + T)
    params = random_params(rng, units, input_dim, use_bias=use_bias)
    x = rng.normal(size=(5, T, input_dim))
    state = [rng.normal(0, 0.5, (5, units)) for _ in range(2)]
    theirs = run_torch(torch_lstm(params), x, state)
    ours = lstmref.lstm(x, params, initial_state=state,
                        return_sequences=True, return_state=True)
    assert max_abs_error(ours, list(theirs)) <= 1e-12


def test_to_torch_cell_weights_give_lstmcell_the_same_step():
    rng = np.random.default_rng(11)
    params = random_params(rng, 4, 3)
    x_t = rng.normal(size=(5, 3))
    h, c = (rng.normal(size=(5, 4)) for _ in range(2))
    module = torch_lstm(params, cell=True)
    with torch.no_grad():
        th, tc = module(torch.from_numpy(x_t),
                        (torch.from_numpy(h), torch.from_numpy(c)))
    ours = lstmref.step(x_t, h, c, params)
    assert max_abs_error(list(ours), [th.numpy(), tc.numpy()]) <= 1e-12


def test_from_torch_reads_a_trained_module():
    """Train a few steps so both biases differ; then outputs must agree."""
    torch.manual_seed(0)
    module = torch.nn.LSTM(3, 6, batch_first=True).double()
    head = torch.nn.Linear(6, 1).double()
    opt = torch.optim.SGD([*module.parameters(), *head.parameters()], lr=0.1)
    rng = np.random.default_rng(2)
    x = torch.from_numpy(rng.normal(size=(16, 12, 3)))
    y = x[:, -3:, 0].sum(1, keepdim=True)
    before = module.bias_hh_l0.detach().clone()
    for _ in range(20):
        opt.zero_grad()
        out, _ = module(x)
        loss = ((head(out[:, -1]) - y) ** 2).mean()
        loss.backward()
        opt.step()
    assert not torch.equal(before, module.bias_hh_l0)
    params = lstmref.from_torch(module)
    theirs = run_torch(module, x.numpy())
    ours = lstmref.lstm(x.numpy(), params, return_sequences=True,
                        return_state=True)
    assert max_abs_error(ours, list(theirs)) <= 1e-12
    assert max_abs_error(lstmref.to_keras(params),
                         lstmref.to_keras(lstmref.from_torch(
                             module.state_dict()))) == 0


def test_keras_to_torch_to_keras_round_trip_is_exact():
    rng = np.random.default_rng(12)
    params = random_params(rng, 7, 3)
    layer = keras_lstm(params)
    there = lstmref.to_torch(lstmref.from_keras(layer))
    back = lstmref.to_keras(lstmref.from_torch(there))
    for ours, theirs in zip(back, layer.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_from_torch_sums_the_two_biases():
    rng = np.random.default_rng(13)
    params = random_params(rng, 2, 2)
    state = lstmref.to_torch(params)
    state["bias_hh_l0"] = rng.normal(size=8)
    read = lstmref.from_torch(state)
    np.testing.assert_array_equal(
        read.bias, state["bias_ih_l0"] + state["bias_hh_l0"])
