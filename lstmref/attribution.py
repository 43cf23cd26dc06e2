"""How much does a forecast owe to each past step? Five answers.

Every function takes a model, a ``Stack`` of layers (``lstmref.stack``)
or a ``Network`` (``from_keras_model``, one case of a Stack), windows x
(batch, T, F) and the index ``output`` of the forecast to explain. A
``baseline`` stands for "no information"; None means zeros in the model's
input units (for standardized inputs: the average day). Each method's
guarantee is tested, and written in its docstring:

==========================  ===========================================
integrated_gradients        completeness: sum = f(x) - f(baseline)
occlusion                   none (not complete)
shapley_steps               efficiency: sum = f(x) - f(baseline), exact
contextual_decomposition    relevant + irrelevant = f(x)
lrp                         conservation with bias_factor = 1
==========================  ===========================================

``applies(method, net)`` says why a method cannot run on a model, or
None: contextual decomposition needs one LSTM -> linear Dense, LRP a
rule for every layer.
"""

import numpy as np

from ._checks import as_float_array, check_finite, check_flag
from .activations import ACTIVATIONS, get_activation
from .gate_reading import memory_horizon, saturation_by_gate
from .grad import _input_gradient as _network_gradient
from .network import Network
from .stack import Dense, Recurrent, Stack
from .stack.base import NoRule, lrp_linear as _lrp_linear

__all__ = ["integrated_gradients", "occlusion", "shapley_steps",
           "contextual_decomposition", "lrp", "memory_horizon",
           "saturation", "QUADRATURES", "applies"]

MAX_SHAPLEY_STEPS = 14
#: The methods ``applies`` knows, by their functions' names.
METHODS = ("integrated_gradients", "occlusion", "shapley_steps",
           "contextual_decomposition", "lrp")


def _inputs(net, x, baseline):
    """Check x and baseline; return both as float arrays (batch, T, F).

    ``net`` must have been checked already (``_check_output``).
    """
    x = as_float_array(x, "x")
    if x.ndim != 3 or x.shape[2] != net.input_dim or 0 in x.shape or (
            net.steps is not None and x.shape[1] != net.steps):
        T = "T" if net.steps is None else net.steps
        raise ValueError(
            f"x: expected shape (batch, {T}, {net.input_dim}) with "
            f"batch, T >= 1, got {x.shape}")
    check_finite(x, "x")
    if baseline is None:
        return x, np.zeros_like(x)
    baseline = as_float_array(baseline, "baseline")
    if baseline.shape not in (x.shape, x.shape[1:], x.shape[2:]):
        raise ValueError(
            f"baseline: expected shape {x.shape} (one per window), "
            f"{x.shape[1:]} (one window for all) or {x.shape[2:]} (one "
            f"day for all), got {baseline.shape}")
    check_finite(baseline, "baseline")
    return x, np.broadcast_to(baseline, x.shape).astype(x.dtype)


def _check_output(net, output):
    """Return ``output`` as an index of the model's outputs, checked."""
    if not isinstance(net, Stack):
        raise TypeError(
            "net: expected a Network (from lstmref.from_keras_model) or a "
            f"Stack (lstmref.stack), got {type(net).__name__}")
    return net._check_output(output)


def _input_gradient(net, x, output):
    """d y[:, output] / d x of checked windows, through every layer (for
    a ``Network``, ``grad``'s loop over blocks of windows: the same
    numbers, faster)."""
    if isinstance(net, Network):
        return _network_gradient(net, x, output)
    return net._input_gradient(x, output)


def _as_network(net):
    """The model as one LSTM -> Dense ``Network``, or a reason why not."""
    if isinstance(net, Network):
        return net
    kinds = " -> ".join(type(layer).__name__ for layer in net.layers)
    if len(net.layers) == 2 and isinstance(net.layers[0], Recurrent) and \
            isinstance(net.layers[1], Dense):
        lstm, dense = net.layers
        if dense.activation not in ACTIVATIONS:  # softmax, relu, ...
            return ("contextual decomposition needs a linear Dense "
                    f"activation, got {dense.activation!r}")
        if not lstm.return_sequences:
            return Network(lstm.params, dense.kernel, dense.bias,
                           dense.activation, lstm.go_backwards)
    return ("contextual decomposition is defined here for one LSTM layer "
            f"returning its last output, then one Dense layer; got {kinds}")


def _cd_refusal(net):
    net = _as_network(net)
    if isinstance(net, str):
        return net
    if net.dense_activation != "linear":
        return ("contextual decomposition needs a linear Dense "
                f"activation, got {net.dense_activation!r}")
    return None


def applies(method, net, steps=None):
    """Why ``method`` cannot run on ``net`` (windows of ``steps`` steps,
    if given), or None when it can. ``method``: a name of ``__all__``."""
    _check_output(net, 0)
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got "
                         f"{method!r}")
    if method == "shapley_steps" and steps is not None and \
            steps > MAX_SHAPLEY_STEPS:
        return (f"exact Shapley values need 2^T passes per window; "
                f"T={steps} > {MAX_SHAPLEY_STEPS}")
    if method == "lrp":
        return net.lrp_refusal()
    if method == "contextual_decomposition":
        return _cd_refusal(net)
    return None


def _rule(method, n_steps):
    """Nodes alpha_k in [0, 1] and weights w_k of a quadrature rule."""
    k = np.arange(n_steps)
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n_steps)
        return (nodes + 1) / 2, weights / 2
    if method == "riemann_left":
        return k / n_steps, np.full(n_steps, 1 / n_steps)
    if method == "riemann_right":
        return (k + 1) / n_steps, np.full(n_steps, 1 / n_steps)
    if method == "riemann_middle":
        return (k + 0.5) / n_steps, np.full(n_steps, 1 / n_steps)
    # riemann_trapezoid: n_steps points, both ends at half weight
    weights = np.full(n_steps, 1 / (n_steps - 1))
    weights[[0, -1]] /= 2
    return k / (n_steps - 1), weights


#: The quadrature rules ``integrated_gradients`` accepts.
QUADRATURES = ("gausslegendre", "riemann_left", "riemann_right",
               "riemann_middle", "riemann_trapezoid")


def integrated_gradients(net, x, baseline=None, output=0, n_steps=32,
                         method="gausslegendre"):
    """Integrated gradients (Sundararajan et al. 2017), (batch, T, F).

    IG = (x - x') * integral_0^1 df/dx(x' + a (x - x')) da, the integral
    by the quadrature ``method`` with ``n_steps`` gradients. Completeness:
    sum(IG) = f(x) - f(x') up to the quadrature's error, which falls
    exponentially with n for Gauss-Legendre and as 1/n for Riemann sums.
    A feature equal to its baseline gets exactly zero.
    """
    output = _check_output(net, output)
    x, base = _inputs(net, x, baseline)
    if method not in QUADRATURES:
        raise ValueError(
            f"method: expected one of {QUADRATURES}, got {method!r}")
    if isinstance(n_steps, bool) or not isinstance(
            n_steps, (int, np.integer)) or n_steps < 2:
        raise ValueError(
            f"n_steps: expected an integer >= 2, got {n_steps!r}")
    alphas, weights = (a.astype(x.dtype) for a in _rule(method,
                                                         int(n_steps)))
    path = base[None] + alphas[:, None, None, None] * (x - base)[None]
    grads = _input_gradient(net, path.reshape(-1, *x.shape[1:]), output)
    grads = grads.reshape(len(alphas), *x.shape)  # (n, batch, T, F)
    return (x - base) * np.tensordot(weights, grads, axes=1)


def occlusion(net, x, baseline=None, output=0):
    """Change in the forecast when one step is replaced by the baseline.

    occ_t = f(x) - f(x with step t set to x'_t), (batch, T). Not complete:
    the occ_t need not sum to f(x) - f(x'), since steps interact.
    """
    output = _check_output(net, output)
    x, base = _inputs(net, x, baseline)
    batch, T, F = x.shape
    occluded = np.repeat(x[None], T, axis=0)  # (T, batch, T, F)
    steps = np.arange(T)
    occluded[steps, :, steps] = base.transpose(1, 0, 2)
    f_x = net._forward(x)[:, output]
    f_occ = net._forward(occluded.reshape(T * batch, T, F))[:, output]
    return f_x[:, None] - f_occ.reshape(T, batch).T


def shapley_steps(net, x, baseline=None, output=0):
    """Exact Shapley values with the T time steps as players, (batch, T).

    v(S) = f(x with the steps outside S set to the baseline), and
    phi_t = sum over S without t of |S|! (T - |S| - 1)! / T!
    (v(S + t) - v(S)). Efficiency: sum_t phi_t = f(x) - f(x') exactly (to
    round-off). Costs 2^T forward passes per window, so T <= 14.
    """
    output = _check_output(net, output)
    x, base = _inputs(net, x, baseline)
    batch, T, F = x.shape
    if T > MAX_SHAPLEY_STEPS:
        raise ValueError(
            f"x: exact Shapley values need 2^T passes; expected T <= "
            f"{MAX_SHAPLEY_STEPS}, got T={T}")
    coalitions = np.arange(2 ** T)
    members = (coalitions[:, None] >> np.arange(T)) & 1  # (2^T, T)
    windows = np.where(members[:, None, :, None].astype(bool), x[None],
                       base[None])  # (2^T, batch, T, F)
    v = net._forward(windows.reshape(-1, T, F))[:, output]
    v = v.reshape(2 ** T, batch)
    size = members.sum(axis=1)
    factorial = np.cumprod(np.r_[1, np.arange(1, T + 1)]).astype(float)
    weight = factorial[size] * factorial[T - size - 1] / factorial[T]
    phi = np.empty((batch, T))
    for t in range(T):
        without = coalitions[members[:, t] == 0]
        with_t = without | (1 << t)
        phi[:, t] = weight[without] @ (v[with_t] - v[without])
    return phi


def _split(act, rel, irr, base):
    """Share act(rel + irr + base) between rel, irr and base.

    The base (the bias) is the reference point; rel and irr get their
    two-player Shapley shares of the change from act(base):
    r = [(act(r+b) - act(b)) + (act(r+q+b) - act(q+b))] / 2, likewise q.
    r + q + act(b) = act(rel + irr + base) exactly.
    """
    a_b, a_rb = act(base), act(rel + base)
    a_qb, a_all = act(irr + base), act(rel + irr + base)
    r = 0.5 * ((a_rb - a_b) + (a_all - a_qb))
    q = 0.5 * ((a_qb - a_b) + (a_all - a_rb))
    return r, q, a_b


def contextual_decomposition(net, x, steps, output=0):
    """Split the forecast into a part from ``steps`` and the rest.

    Murdoch, Liu and Yu (2018). h and c are carried as relevant +
    irrelevant parts; each gate's value is split by ``_split`` into the
    shares of its relevant and irrelevant inputs and of its bias. Products
    go to ``relevant`` only when no factor is irrelevant. Conventions for
    terms with no input (written here, since implementations differ):
    bias x bias products of the input gate and candidate go to
    ``relevant`` at the chosen steps and to ``irrelevant`` elsewhere; the
    forget gate's bias share keeps relevant memory relevant; the output
    gate is not split (its whole value multiplies both parts); the Dense
    bias goes to ``irrelevant``. Then relevant + irrelevant = f(x) to
    round-off (about 1e-15). Not additive over steps: the relevant parts
    of {1} and {2} need not sum to that of {1, 2}. Needs a linear Dense
    activation. ``steps``: indices in x's time order. Returns
    ``(relevant, irrelevant)``, each (batch,).
    """
    output = _check_output(net, output)
    x, _ = _inputs(net, x, None)
    batch, T, _ = x.shape
    chosen = np.zeros(T, bool)
    steps = np.atleast_1d(np.asarray(steps))
    if steps.size == 0:
        steps = steps.astype(int)  # no step chosen: all is irrelevant
    if steps.dtype.kind not in "iu" or steps.ndim != 1 or (
            steps.size and (steps.min() < -T or steps.max() >= T)):
        raise ValueError(
            f"steps: expected step indices from 0 to {T - 1}, got "
            f"{steps.tolist()}")
    chosen[steps] = True
    reason = _cd_refusal(net)
    if reason:
        raise ValueError(f"net: {reason}")
    net = _as_network(net)
    p = net.params
    sigma = get_activation(p.recurrent_activation)
    phi = get_activation(p.activation)
    u = p.units
    if net.go_backwards:
        x, chosen = x[:, ::-1], chosen[::-1]
    xW = x @ p.kernel  # (batch, T, 4u)
    b = p.bias_or_zeros()
    rel_h = irr_h = rel_c = irr_c = np.zeros((batch, u))
    for t in range(T):
        z_rel = rel_h @ p.recurrent_kernel + (xW[:, t] if chosen[t] else 0)
        z_irr = irr_h @ p.recurrent_kernel + (0 if chosen[t] else xW[:, t])
        parts = [_split(act, z_rel[:, k * u:(k + 1) * u],
                        z_irr[:, k * u:(k + 1) * u], b[k * u:(k + 1) * u])
                 for k, act in enumerate((sigma, sigma, phi, sigma))]
        (i_r, i_q, i_b), (f_r, f_q, f_b), (g_r, g_q, g_b), _ = parts
        o = sigma(z_rel[:, 3 * u:] + z_irr[:, 3 * u:] + b[3 * u:])
        bias_term = i_b * g_b
        rel_c, irr_c = (
            (f_r + f_b) * rel_c + i_r * g_r + i_r * g_b + i_b * g_r
            + (bias_term if chosen[t] else 0),
            (f_r + f_q + f_b) * irr_c + f_q * rel_c
            + i_q * (g_r + g_q + g_b) + (i_r + i_b) * g_q
            + (0 if chosen[t] else bias_term))
        phi_r, phi_q, phi_0 = _split(phi, rel_c, irr_c, 0.0)
        rel_h, irr_h = o * phi_r, o * (phi_q + phi_0)
    D = net.dense_kernel[:, output]
    d = 0.0 if net.dense_bias is None else net.dense_bias[output]
    return rel_h @ D, irr_h @ D + d


def lrp(net, x, output=0, eps=1e-3, bias_factor=1.0,
        with_initial_state=False):
    """Layer-wise relevance propagation for LSTMs (Arras et al. 2017).

    The forecast's value f(x)[output] is passed back layer by layer with
    the epsilon rule (``_lrp_linear``) through Dense layers, then in each
    LSTM step by step: h_t's relevance all goes to c_t; c_t = f c_{t-1} +
    i c_tilde shares it between c_{t-1} and the candidate; the candidate's
    passes to x_t and h_{t-1} through its weights. Gates take none
    ("signal-take-all"). A Bidirectional concat gives each direction its
    columns' relevance, sum and ave the epsilon rule's shares; hidden
    activations that keep sign and order pass it unchanged; LayerNorm
    holds its spread fixed (Ali et al. 2022). Other layers are refused.
    Returns r_x (batch, T, F), or ``(r_x, r_h0, r_c0)`` with
    ``with_initial_state``, the initial states' shares of every LSTM run
    side by side (layer order, a Bidirectional's forward one first); with
    ``bias_factor=1`` these sum to the forecast, bias shares reaching
    even a zero initial state. Those shares
    go to every input alike: a feature whose kernel row is zero still gets
    its bias share with ``bias_factor > 0``, and exactly 0 with
    ``bias_factor=0``.
    """
    output = _check_output(net, output)
    x, _ = _inputs(net, x, None)
    check_flag(with_initial_state, "with_initial_state")
    eps, bias_factor = float(eps), float(bias_factor)
    if not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps: expected a finite number >= 0, got {eps}")
    try:  # _relevance first asks net.lrp_refusal(), before any work
        r_x, r_h, r_c = net._relevance(x, output, eps, bias_factor)
    except NoRule as error:  # a layer without a rule, and why
        raise ValueError(f"net: {error}") from None
    return (r_x, r_h, r_c) if with_initial_state else r_x


#: Moved to ``gate_reading`` (they read gates, not attributions); the old
#: names stay importable from here.
saturation = saturation_by_gate
