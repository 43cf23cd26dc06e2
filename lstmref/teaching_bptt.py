"""Backpropagation through time, the teaching version: one loop, no tricks.

``bptt`` computes the same gradients as ``lstmref.grad.backward`` for the
plain case the book trains (sigmoid gates, tanh candidate and cell, a
bias, no mask, zero initial states, time running forwards), written so
that every line is one equation. It runs the forward pass with
``cell.gates`` and ``cell.preactivations``, keeps each step's values,
then walks back from the last step to the first. ``grad.backward`` is the
fast version (it handles masks, ``go_backwards``, other activations and
computes the slopes of all steps at once); the tests assert the two equal
each other and TensorFlow's ``GradientTape``.

Forward, at step t (x_t (batch, F), h and c (batch, u))::

    z = x_t W + h_{t-1} U + b                         (batch, 4u)
    i = sigma(z_i)  f = sigma(z_f)  g = tanh(z_c)  o = sigma(z_o)
    c_t = f c_{t-1} + i g       h_t = o tanh(c_t)

Backward, given dh = dL/dh_t and dc = dL/dc_t (the part that reached c_t
from later steps), with sigma' = sigma (1 - sigma), tanh' = 1 - tanh^2::

    dc = dc + dh o tanh'(c_t)          h_t reads c_t too
    do = dh tanh(c_t)    di = dc g    df = dc c_{t-1}    dg = dc i
    dz = [di sigma'(z_i), df sigma'(z_f), dg tanh'(z_c), do sigma'(z_o)]
    dx_t = dz W^T    dW += x_t^T dz    dU += h_{t-1}^T dz    db += sum dz
    dh_{t-1} = dz U^T                  dc_{t-1} = dc f

Only NumPy is needed.
"""

import numpy as np

from ._checks import check_shape, check_windows
from .cell import gates, preactivations
from .grad import Gradients, _check_output
from .params import check_params

__all__ = ["bptt", "input_gradient"]


def bptt(x, params, dh_T):
    """Gradients of a loss L with dL/dh_T = dh_T through ``lstm(x, params)``.

    x (batch, T, F), dh_T (batch, units) -> ``Gradients`` with x
    (batch, T, F), kernel (F, 4u), recurrent_kernel (u, 4u), bias (4u,),
    h0 and c0 (batch, u). Sigmoid gates, tanh, with bias, no mask, zero
    initial states (the weather model's layer).
    """
    check_params(params)
    if (params.recurrent_activation, params.activation) != (
            "sigmoid", "tanh") or params.bias is None:
        raise ValueError(
            "params: expected the default LSTM (sigmoid gates, tanh, with "
            f"bias), got recurrent_activation="
            f"{params.recurrent_activation!r}, activation="
            f"{params.activation!r}, use_bias={params.bias is not None}")
    x = check_windows(x, params)
    batch, T, F = x.shape
    u = params.units
    dh = np.asarray(dh_T, dtype=x.dtype)
    check_shape(dh, (batch, u), "dh_T", "(batch, units)")

    # forward: keep what the way back needs, step by step
    h = [np.zeros((batch, u), x.dtype)]  # h[t] is h_{t-1} for step t
    c = [np.zeros((batch, u), x.dtype)]
    steps = []
    for t in range(T):
        i, f, g, o = gates(preactivations(x[:, t], h[t], params), params)
        c.append(f * c[t] + i * g)
        h.append(o * np.tanh(c[t + 1]))
        steps.append((i, f, g, o))

    # backward: from the last step to the first
    dx = np.zeros_like(x)
    dW = np.zeros_like(params.kernel)
    dU = np.zeros_like(params.recurrent_kernel)
    db = np.zeros_like(params.bias)
    dc = np.zeros((batch, u), x.dtype)
    for t in reversed(range(T)):
        i, f, g, o = steps[t]
        tanh_c = np.tanh(c[t + 1])
        dc = dc + dh * o * (1 - tanh_c ** 2)  # through h_t = o tanh(c_t)
        do = dh * tanh_c
        di, df, dg = dc * g, dc * c[t], dc * i  # through c_t
        dz = np.concatenate([di * i * (1 - i), df * f * (1 - f),
                             dg * (1 - g ** 2), do * o * (1 - o)],
                            axis=1)  # (batch, 4u), gates in i, f, c, o
        dx[:, t] = dz @ params.kernel.T
        dW += x[:, t].T @ dz
        dU += h[t].T @ dz
        db += dz.sum(axis=0)
        dh = dz @ params.recurrent_kernel.T  # to h_{t-1}
        dc = dc * f  # to c_{t-1}
    return Gradients(x=dx, kernel=dW, recurrent_kernel=dU, bias=db, h0=dh,
                     c0=dc)


def input_gradient(net, x, output=0):
    """d y[:, output] / d x of a ``Network`` with a linear output.

    y = h_T D + d, so dL/dh_T = D[:, output] in every window; ``bptt``
    takes it back to the inputs. x (batch, T, F) -> (batch, T, F).
    """
    output = _check_output(net, output)
    if net.dense_activation != "linear" or net.go_backwards:
        raise ValueError(
            "net: expected a Network with a linear output reading time "
            f"forwards, got dense_activation={net.dense_activation!r}, "
            f"go_backwards={net.go_backwards}")
    x = check_windows(x, net.params)
    dh_T = np.tile(net.dense_kernel[:, output], (len(x), 1))  # (batch, u)
    return bptt(x, net.params, dh_T).x
