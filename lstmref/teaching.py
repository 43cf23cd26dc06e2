"""Teaching versions: lstmref's fast code written for reading, not speed.

The book shows these where it discusses the loop; each computes what a
fast function computes, and tests/test_teaching.py asserts that, and
asserts them equal to Keras 3 with random non-zero weights and biases.
"""

import numpy as np

from .activations import get_activation

__all__ = ["layer_loop"]


def layer_loop(x, params, *, mask=None, initial_state=None,
               go_backwards=False, zero_output_for_mask=False):
    """The LSTM layer as one plain loop over the time steps.

    For t = 1 .. T (T .. 1 with ``go_backwards``), h_0 = c_0 = 0 unless
    ``initial_state`` = [h_0, c_0]; blocks in Keras's order i, f, c, o::

        z_i | z_f | z_c | z_o = x_t W + h_{t-1} U + b
        i, f, o = sigma(z_i), sigma(z_f), sigma(z_o);  c_tilde = phi(z_c)
        c_t = f * c_{t-1} + i * c_tilde;  h_t = o * phi(c_t)

    Where ``mask[:, t]`` is False the states stay h_{t-1}, c_{t-1} and the
    output repeats the previous one (zeros with ``zero_output_for_mask``).

    x (batch, T, F); mask (batch, T) bool; h_0, c_0 (batch, units).
    Returns ``(outputs, h_T, c_T)``: outputs (batch, T, units) in the
    order the steps were read, h_T and c_T (batch, units). No checks:
    ``lstmref.lstm`` is the checked, fast version of the same loop.
    """
    sigma = get_activation(params.recurrent_activation)
    phi = get_activation(params.activation)
    b = 0.0 if params.bias is None else params.bias  # (4u,)
    batch, T, _ = x.shape
    used = np.ones((batch, T), bool) if mask is None else np.asarray(mask)
    if go_backwards:  # read the steps from the last to the first
        x, used = x[:, ::-1], used[:, ::-1]
    zeros = np.zeros((batch, params.units))
    h, c = (zeros, zeros) if initial_state is None else initial_state
    output, outputs = zeros, []
    for t in range(T):
        z = x[:, t] @ params.kernel + h @ params.recurrent_kernel + b
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)  # (batch, u) each
        i, f, o = sigma(z_i), sigma(z_f), sigma(z_o)  # the three gates
        c_tilde = phi(z_c)  # the candidate
        c_new = f * c + i * c_tilde  # keep some, write some
        h_new = o * phi(c_new)  # show some
        m = used[:, t, None]  # (batch, 1): False keeps the old states
        h, c = np.where(m, h_new, h), np.where(m, c_new, c)
        output = np.where(m, h_new, 0.0 if zero_output_for_mask else output)
        outputs.append(output)
    return np.stack(outputs, axis=1), h, c
