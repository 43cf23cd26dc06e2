"""What the weight explorers show, in NumPy only.

The book's explorers (``lstmref.widgets`` in Jupyter, the page's own
JavaScript on the static site) let a reader set the weights of a one-input,
one-unit cell and watch i, f, c_tilde, o, c and h over time. Both read
their inputs, presets and slider ranges from this module, so the two
kinds of explorer cannot drift apart.

A cell's weights are named after the equations: ``W_g``, ``U_g`` and
``b_g`` for each gate g in i, f, c, o (c is the candidate), so that

    z_g = W_g x_t + U_g h_{t-1} + b_g

with scalars, since the cell has one input and one unit.

Beside each explorer, the cell diagram (``lstmref.diagram``) shows one
step's numbers: ``step_diagram`` draws it, and a page's config says at
which step it starts (``"diagram": {"step": ...}``).
"""

import json

import numpy as np

from . import diagram
from ._checks import check_real
from .activations import get_activation
from .layer import trace
from .params import GATES, LSTMParams

__all__ = ["WEIGHTS", "WEIGHT_RANGE", "WEIGHT_STEP", "STEPS", "INPUTS",
           "PRESETS", "input_sequence", "cell_params", "cell_trace",
           "scaled_weight", "check_weights", "cell_config", "model_config",
           "DIAGRAM_STEP", "check_step", "step_diagram", "static_html"]

#: The twelve scalar weights of a one-input, one-unit cell, gate by gate.
WEIGHTS = tuple(f"{m}_{g}" for g in GATES for m in ("W", "U", "b"))
#: Every slider runs over this interval, in steps of ``WEIGHT_STEP``.
WEIGHT_RANGE = (-20.0, 20.0)
WEIGHT_STEP = 0.1
#: Length of every input sequence the explorers offer.
STEPS = 30
#: The input sequences to choose from (see ``input_sequence``).
INPUTS = ("step", "pulse", "pulses", "sine", "weather")
#: Steps at which the "pulses" input is 1.
PULSE_TIMES = (5, 12, 19, 26)
#: The step whose numbers the cell diagram beside an explorer shows
#: first: the first pulse, where the presets differ most.
DIAGRAM_STEP = PULSE_TIMES[0]

_ZERO = dict.fromkeys(WEIGHTS, 0.0)

#: Named weight settings, each with the input that shows it best.
#: Why each works (sigma(8) = 0.99966, sigma(10) = 0.99995):
#:
#: - remember forever: f = sigma(10) at every step and i = sigma(10), so
#:   c_t is the running sum of c_tilde = tanh(2 x_t); nothing decays.
#: - forget every step: f = sigma(-10), so c_t = i_t c_tilde_t holds only
#:   the current input.
#: - latch on a pulse: a pulse (x = 1) opens i (16 - 8 = 8) and closes f
#:   (8 - 16 = -8), so c is replaced by tanh(4) = 0.9993; between pulses
#:   f = sigma(8) keeps it. A second pulse sets c again instead of adding.
#: - count pulses: the same input gate, but f = sigma(10) at every step, so
#:   each pulse adds about 1 to c.
PRESETS = {
    "remember forever": {
        "weights": {**_ZERO, "b_i": 10.0, "b_f": 10.0, "W_c": 2.0,
                    "b_o": 10.0},
        "input": "pulse",
    },
    "forget every step": {
        "weights": {**_ZERO, "b_i": 10.0, "b_f": -10.0, "W_c": 2.0,
                    "b_o": 10.0},
        "input": "pulses",
    },
    "latch on a pulse": {
        "weights": {**_ZERO, "W_i": 16.0, "b_i": -8.0, "W_f": -16.0,
                    "b_f": 8.0, "W_c": 4.0, "b_o": 10.0},
        "input": "pulses",
    },
    "count pulses": {
        "weights": {**_ZERO, "W_i": 16.0, "b_i": -8.0, "b_f": 10.0,
                    "W_c": 4.0, "b_o": 10.0},
        "input": "pulses",
    },
}


def input_sequence(name, steps=STEPS):
    """One of the explorers' input sequences x_t, t = 0 .. steps - 1.

    ``"step"``: 0, then 1 from t = 10; ``"pulse"``: 1 at t = 5 only;
    ``"pulses"``: 1 at t = 5, 12, 19, 26; ``"sine"``: sin(2 pi t / 20);
    ``"weather"``: the daily maximum temperature from 1 January 2015,
    standardized with the training years' mean and spread.

    Returns an array (steps,) of float64.
    """
    if name not in INPUTS:
        raise ValueError(f"name: expected one of {list(INPUTS)}, got "
                         f"{name!r}")
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) \
            or not 1 <= steps <= 365:
        raise ValueError(
            f"steps: expected an integer from 1 to 365, got {steps!r}")
    t = np.arange(steps)
    if name == "step":
        return (t >= 10).astype(np.float64)
    if name == "pulse":  # the first of the pulses
        return (t == PULSE_TIMES[0]).astype(np.float64)
    if name == "pulses":
        return np.isin(t, PULSE_TIMES).astype(np.float64)
    if name == "sine":
        return np.sin(2 * np.pi * t / 20)
    from .weather import FEATURES, N_TRAIN_DAYS, load_weather, standardize
    scaled, _, _ = standardize(load_weather()["features"])
    column = FEATURES.index("temp_max")
    return scaled[N_TRAIN_DAYS:N_TRAIN_DAYS + steps, column].copy()


def check_weights(weights, argument="weights"):
    """Return ``weights`` as a dict of the twelve names in ``WEIGHTS``.

    Missing names count as 0; unknown names and values that are not finite
    real numbers are refused.
    """
    if not isinstance(weights, dict):
        raise TypeError(f"{argument}: expected a dict of weights named "
                        f"{list(WEIGHTS)}, got {type(weights).__name__}")
    unknown = sorted(set(weights) - set(WEIGHTS))
    if unknown:
        raise ValueError(f"{argument}: unknown weight names {unknown}; "
                         f"expected names from {list(WEIGHTS)}")
    checked = dict(_ZERO)
    for name, value in weights.items():
        checked[name] = check_real(value, f"{argument}[{name!r}]")
    return checked


def cell_params(weights, *, activation="tanh",
                recurrent_activation="sigmoid"):
    """The one-input, one-unit cell with these named weights.

    weights: dict name -> float over ``WEIGHTS`` (missing names are 0).
    Returns ``LSTMParams`` with kernel, recurrent_kernel (1, 4) and bias
    (4,), gate blocks i, f, c, o.
    """
    w = check_weights(weights)
    row = {m: np.array([[w[f"{m}_{g}"] for g in GATES]]) for m in "WUb"}
    return LSTMParams(row["W"], row["U"], row["b"][0],
                      activation=activation,
                      recurrent_activation=recurrent_activation)


def cell_trace(weights, x, **activations):
    """``lstmref.trace`` of the one-unit cell over one input sequence.

    x (T,) -> ``Trace`` whose arrays are (1, T, 1).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x: expected a 1-D sequence (T,), got shape "
                         f"{x.shape}")
    return trace(x[None, :, None], cell_params(weights, **activations))


def scaled_weight(params, gate, matrix, row, col, scale):
    """A copy of ``params`` with one weight multiplied by ``scale``.

    gate in i, f, c, o; matrix ``"kernel"`` (row indexes the inputs),
    ``"recurrent_kernel"`` (row indexes the units) or ``"bias"`` (row is
    ignored); col is the unit. ``scale=0`` removes the weight.
    """
    if gate not in GATES:
        raise ValueError(f"gate: expected one of {list(GATES)}, got "
                         f"{gate!r}")
    arrays = {"kernel": params.kernel.copy(),
              "recurrent_kernel": params.recurrent_kernel.copy(),
              "bias": params.bias_or_zeros().copy()}
    if matrix not in arrays:
        raise ValueError(f"matrix: expected one of {list(arrays)}, got "
                         f"{matrix!r}")
    u = params.units
    if not 0 <= col < u:
        raise ValueError(f"col: expected a unit from 0 to {u - 1}, got "
                         f"{col!r}")
    index = GATES.index(gate) * u + col
    if matrix == "bias":
        arrays["bias"][index] *= scale
    else:
        n_rows = arrays[matrix].shape[0]
        if not 0 <= row < n_rows:
            raise ValueError(f"row: expected 0 to {n_rows - 1} for the "
                             f"{matrix}, got {row!r}")
        arrays[matrix][row, index] *= scale
    return LSTMParams(arrays["kernel"], arrays["recurrent_kernel"],
                      arrays["bias"], activation=params.activation,
                      recurrent_activation=params.recurrent_activation)


def check_step(step, steps=STEPS, argument="diagram_step"):
    """A step of an input of ``steps`` steps, given as a Python index
    (-1 is the last), as an int from 0 to steps - 1; or raise."""
    if not isinstance(step, (int, np.integer)) or isinstance(step, bool) \
            or not -steps <= step < steps:
        raise ValueError(f"{argument}: expected an integer from {-steps} "
                         f"to {steps - 1} (a step of the input, negative "
                         f"from the end), got {step!r}")
    return int(step) % steps


def cell_config(weights, *, sliders=WEIGHTS, presets=True, input="pulse",
                focus=None, diagram_step=DIAGRAM_STEP):
    """The JSON the static page's explorer starts from.

    ``sliders`` are the weight names the reader can move; ``focus`` names
    the gate drawn most prominently (None: all alike). Every input
    sequence is computed here, so the page and lstmref see the same x.
    ``diagram_step``: the step whose numbers the cell diagram shows first
    (``"diagram": {"step": ...}``; -1 is the last), or None for none.
    """
    w = check_weights(weights)
    if input not in INPUTS:
        raise ValueError(f"input: expected one of {list(INPUTS)}, got "
                         f"{input!r}")
    if focus is not None and focus not in GATES:
        raise ValueError(f"focus: expected one of {list(GATES)} or None, "
                         f"got {focus!r}")
    shown = None if diagram_step is None else {
        "step": check_step(diagram_step)}
    config = {
        "kind": "cell", "weights": w, "sliders": list(sliders),
        "range": list(WEIGHT_RANGE), "step": WEIGHT_STEP,
        "inputs": {name: input_sequence(name).tolist() for name in INPUTS},
        "input": input, "focus": focus,
        "presets": ({name: p["weights"] for name, p in PRESETS.items()}
                    if presets else {}),
        "preset_inputs": ({name: p["input"] for name, p in PRESETS.items()}
                          if presets else {}),
        "diagram": shown,
    }
    return json.dumps(config)


def model_config(params, x, dense_kernel=None, dense_bias=None, *,
                 dense_activation="linear", unit=0, input_names=None,
                 output_names=None, diagram_step=-1):
    """The JSON the static page's model explorer starts from.

    params: ``LSTMParams``; x (T, input_dim) one input window, in the
    order the layer reads it; the Dense head (units, n_out) and (n_out,),
    with its activation, is optional. ``diagram_step``: the step the cell
    diagram shows first, counted as a Python index (-1: the last step,
    the one the head reads), or None for no diagram.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != params.input_dim:
        raise ValueError(f"x: expected one window (T, {params.input_dim}),"
                         f" got shape {x.shape}")
    shown = None if diagram_step is None else {
        "step": check_step(diagram_step, x.shape[0])}
    config = {
        "kind": "model",
        "kernel": params.kernel.astype(np.float64).tolist(),
        "recurrent_kernel": params.recurrent_kernel.astype(
            np.float64).tolist(),
        "bias": params.bias_or_zeros().astype(np.float64).tolist(),
        "activation": params.activation,
        "recurrent_activation": params.recurrent_activation,
        "x": x.tolist(), "unit": int(unit),
        "input_names": list(input_names or
                            [f"x{k}" for k in range(params.input_dim)]),
        "dense_kernel": None, "dense_bias": None, "output_names": None,
        "dense_activation": dense_activation, "diagram": shown,
    }
    get_activation(dense_activation, "dense_activation")
    if dense_kernel is not None:
        D = np.asarray(dense_kernel, dtype=np.float64)
        d = (np.zeros(D.shape[1]) if dense_bias is None
             else np.asarray(dense_bias, dtype=np.float64))
        config.update(dense_kernel=D.tolist(), dense_bias=d.tolist(),
                      output_names=list(output_names or
                                        [f"y{k}" for k in range(D.shape[1])]))
    return json.dumps(config)


def step_diagram(trace, x, step, unit=0, focus=None):
    """The diagram beside an explorer: ``diagram.cell_svg`` with the
    numbers of one step of one unit of its trace, and its gate in focus
    (or None) highlighted. x: the input in processing order, (T,) or
    (T, F). Returns SVG text.
    """
    return diagram.cell_svg(focus, diagram.step_values(trace, x, step,
                                                       unit=unit))


def _config_diagram(config):
    """The diagram a page holds for a parsed config at its step, drawn
    before any script runs: the cell's run, or the model's chosen unit
    (unscaled); "" for a config without one."""
    if not config.get("diagram"):
        return ""
    step = config["diagram"]["step"]
    if config["kind"] == "cell":
        x = np.array(config["inputs"][config["input"]])
        return step_diagram(cell_trace(config["weights"], x), x, step,
                            focus=config["focus"])
    x = np.array(config["x"])
    params = LSTMParams(
        *(np.array(config[k]) for k in ("kernel", "recurrent_kernel",
                                        "bias")),
        activation=config["activation"],
        recurrent_activation=config["recurrent_activation"])
    return step_diagram(trace(x[None], params), x, step, config["unit"])


def static_html(config):
    """The HTML a built page shows in place of a kernel-bound widget.

    ``config`` is the JSON from ``cell_config`` or ``model_config``; the
    page's script ``lstm-explorer.js`` (``lstmref/web/``, served from the
    book's ``_static``) turns the element into a live explorer. Without
    that script (a notebook viewer) the text inside says where to go.
    A config with a diagram also holds the cell diagram at its step; the
    script moves it under the live explorer and rewrites its numbers.
    """
    from html import escape
    picture = _config_diagram(json.loads(config))
    return (f'<div class="lstm-explorer" data-config="{escape(config)}">'
            "<p>A live explorer of these weights appears here on the book's"
            " website, and as a Jupyter widget when the chapter runs in"
            f" Binder or Jupyter.</p>{picture}</div>")
