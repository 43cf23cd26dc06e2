"""The explorers' NumPy side: presets do what they are named, inputs,
the cell's weight layout, one-weight scaling and the static page's JSON.

Every property of a preset is asserted on ``lstmref.trace`` (through
``explorer.cell_trace``), the numbers both kinds of explorer draw. Expected
values come from the documentation written out here (the inputs' values,
the weather file read with the csv module) and from the cell's equations
run by hand with scalars, never from the functions under test.
"""

import csv
import json
import math
import statistics
import xml.etree.ElementTree as ET
from html import unescape

import numpy as np
import pytest

import lstmref
from lstmref import explorer
from lstmref.explorer import (INPUTS, PRESETS, PULSE_TIMES, STEPS, WEIGHTS,
                              cell_config, cell_params, cell_trace,
                              check_weights, input_sequence, model_config,
                              scaled_weight, static_html)
from helpers import random_params

#: input_sequence's docstring: pulses at t = 5, 12, 19, 26.
DOCUMENTED_PULSES = (5, 12, 19, 26)


def documented_inputs(steps=30):
    """The inputs as input_sequence's docstring defines them, t = 0 ..
    steps - 1, in plain Python (weather aside)."""
    return {
        "step": [0.0 if t < 10 else 1.0 for t in range(steps)],
        "pulse": [1.0 if t == 5 else 0.0 for t in range(steps)],
        "pulses": [1.0 if t in DOCUMENTED_PULSES else 0.0
                   for t in range(steps)],
        "sine": [math.sin(2 * math.pi * t / 20) for t in range(steps)],
    }


def weather_by_hand(steps):
    """The daily maximum temperature from 1 January 2015, standardized
    with the mean and (population) standard deviation of 2012-2014, read
    from the shipped CSV with the csv module."""
    from lstmref.weather import DATA_PATH
    with open(DATA_PATH, newline="") as handle:
        rows = list(csv.DictReader(handle))
    train = [float(r["temp_max"]) for r in rows if r["date"] < "2015"]
    first = next(k for k, r in enumerate(rows) if r["date"] == "2015/01/01")
    assert first == len(train) == 366 + 365 + 365  # 2012 is a leap year
    mean, std = statistics.fmean(train), statistics.pstdev(train)
    return [(float(r["temp_max"]) - mean) / std
            for r in rows[first:first + steps]]


def cell_by_hand(w, x):
    """The one-unit cell's i, f, c_tilde, o, c, h over x, with scalars:
    z_g = W_g x_t + U_g h_{t-1} + b_g, sigmoid gates, tanh candidate."""
    def sigmoid(z):
        return 1 / (1 + math.exp(-z))

    h = c = 0.0
    seen = {k: [] for k in ("i", "f", "c_tilde", "o", "c", "h")}
    for x_t in x:
        z = {g: w[f"W_{g}"] * x_t + w[f"U_{g}"] * h + w[f"b_{g}"]
             for g in "ifco"}
        i, f, o = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"])
        c_tilde = math.tanh(z["c"])
        c = f * c + i * c_tilde
        h = o * math.tanh(c)
        for k, v in zip(seen, (i, f, c_tilde, o, c, h)):
            seen[k].append(v)
    return {k: np.array(v) for k, v in seen.items()}


def preset_trace(name, input=None):
    """(x, trace arrays as 1-D) of a preset on its own or another input."""
    preset = PRESETS[name]
    x = input_sequence(input or preset["input"])
    tr = cell_trace(preset["weights"], x)
    return x, {k: getattr(tr, k)[0, :, 0]
               for k in ("i", "f", "c_tilde", "o", "c", "h")}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# Presets ---------------------------------------------------------------

@pytest.mark.parametrize("input", INPUTS)
def test_remember_forever_never_forgets(input):
    _, s = preset_trace("remember forever", input)
    assert np.all(s["f"] > 0.9999)
    written = np.cumsum(s["i"] * s["c_tilde"])  # sum_t i_t c_tilde_t
    scale = max(np.max(np.abs(written)), 1e-12)
    assert np.max(np.abs(s["c"] - written)) <= 0.01 * scale


def test_remember_forever_holds_a_pulse_to_the_end():
    x, s = preset_trace("remember forever", "pulse")
    pulse = int(np.flatnonzero(x)[0])
    after = s["c"][pulse]
    assert after > 0.5
    np.testing.assert_allclose(s["c"][pulse:], after, rtol=0.01)


@pytest.mark.parametrize("input", INPUTS)
def test_forget_every_step_holds_only_the_current_input(input):
    _, s = preset_trace("forget every step", input)
    scale = max(np.max(np.abs(s["c"])), 1e-12)
    assert np.max(np.abs(s["c"] - s["i"] * s["c_tilde"])) <= 1e-3 * scale


def test_forget_every_step_drops_a_pulse_one_step_later():
    x, s = preset_trace("forget every step", "pulses")
    peak = np.max(np.abs(s["c"]))
    for t in PULSE_TIMES:
        assert s["c"][t] > 0.5
        assert abs(s["c"][t + 1]) < 0.01 * peak


def test_latch_on_a_pulse_keeps_its_value_for_20_steps():
    x, s = preset_trace("latch on a pulse", "pulse")
    pulse = int(np.flatnonzero(x)[0])
    latched = s["c"][pulse]
    assert latched > 0.9
    np.testing.assert_allclose(s["c"][pulse:pulse + 21], latched, rtol=0.05)
    assert np.all(np.abs(s["c"][:pulse]) < 0.01)  # nothing before


def test_latch_on_a_pulse_latches_rather_than_adds():
    x, s = preset_trace("latch on a pulse", "pulses")
    first = s["c"][PULSE_TIMES[0]]
    for t in PULSE_TIMES[1:]:
        assert abs(s["c"][t] - s["c"][t - 1]) <= 0.05 * first
        assert abs(s["c"][t] - first) <= 0.05 * first  # not 2x, 3x


def test_count_pulses_counts():
    x, s = preset_trace("count pulses", "pulses")
    jump = s["c"][PULSE_TIMES[0]] - s["c"][PULSE_TIMES[0] - 1]
    assert jump > 0.9
    ends = list(PULSE_TIMES[1:]) + [STEPS]
    for k, (t, end) in enumerate(zip(PULSE_TIMES, ends), start=1):
        np.testing.assert_allclose(s["c"][t], k * jump, rtol=0.05)
        # flat until the next pulse
        np.testing.assert_allclose(s["c"][t:end], s["c"][t], rtol=0.05)


def test_every_preset_names_a_known_input_and_all_weights():
    for preset in PRESETS.values():
        assert preset["input"] in INPUTS
        assert set(preset["weights"]) == set(WEIGHTS)
        lo, hi = explorer.WEIGHT_RANGE
        assert all(lo <= v <= hi for v in preset["weights"].values())


# Inputs ----------------------------------------------------------------

def test_input_sequences_have_the_documented_values():
    assert PULSE_TIMES == DOCUMENTED_PULSES
    expected = documented_inputs(STEPS)
    for name in INPUTS:
        x = input_sequence(name)
        assert x.shape == (STEPS,) and x.dtype == np.float64
        assert np.all(np.isfinite(x))
        if name in expected:
            # sin in NumPy and in math may differ in the last bit
            np.testing.assert_allclose(x, expected[name], rtol=0,
                                       atol=1e-15)
    np.testing.assert_allclose(input_sequence("sine", 7),
                               documented_inputs(7)["sine"], atol=1e-15)
    np.testing.assert_array_equal(input_sequence("pulses", 13),
                                  documented_inputs(13)["pulses"])


def test_weather_input_is_the_standardized_daily_maximum():
    # sums in another order than NumPy's: round-off only
    np.testing.assert_allclose(input_sequence("weather", 30),
                               weather_by_hand(30), rtol=0, atol=1e-12)
    np.testing.assert_allclose(input_sequence("weather", 365),
                               weather_by_hand(365), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["steps", "", None, 3])
def test_input_sequence_refuses_unknown_names(name):
    with pytest.raises(ValueError, match="name: expected one of"):
        input_sequence(name)


@pytest.mark.parametrize("steps", [0, 366, 2.5, True, "60"])
def test_input_sequence_refuses_bad_lengths(steps):
    with pytest.raises(ValueError, match="steps: expected an integer"):
        input_sequence("step", steps)


# The cell's weights ----------------------------------------------------

def test_cell_params_puts_each_weight_in_its_gate_block():
    rng = np.random.default_rng(11)
    w = dict(zip(WEIGHTS, rng.uniform(0.2, 2, 12) * rng.choice([-1, 1], 12)))
    params = cell_params(w)
    assert params.kernel.shape == (1, 4)
    assert params.recurrent_kernel.shape == (1, 4)
    assert params.bias.shape == (4,)
    x, h, c = rng.normal(size=(3, 5, 1))  # five (batch, 1) rows each
    h_t, c_t = lstmref.step(x, h, c, params)
    # The equations written out with the named scalars.
    i = sigmoid(w["W_i"] * x + w["U_i"] * h + w["b_i"])
    f = sigmoid(w["W_f"] * x + w["U_f"] * h + w["b_f"])
    c_tilde = np.tanh(w["W_c"] * x + w["U_c"] * h + w["b_c"])
    o = sigmoid(w["W_o"] * x + w["U_o"] * h + w["b_o"])
    np.testing.assert_allclose(c_t, f * c + i * c_tilde, rtol=1e-13)
    np.testing.assert_allclose(h_t, o * np.tanh(f * c + i * c_tilde),
                               rtol=1e-13)


def test_cell_params_changes_only_the_named_entry():
    for k, name in enumerate(WEIGHTS):
        params = cell_params({name: 3.0})
        gate = "ifco".index(name[-1])
        matrix = {"W": params.kernel[0], "U": params.recurrent_kernel[0],
                  "b": params.bias}[name[0]]
        assert matrix[gate] == 3.0
        total = (np.abs(params.kernel).sum()
                 + np.abs(params.recurrent_kernel).sum()
                 + np.abs(params.bias).sum())
        assert total == 3.0


@pytest.mark.parametrize("name", [*PRESETS, "random"])
def test_cell_trace_equals_the_cell_run_by_hand(name):
    """Every gate and state at every step, for each preset and for random
    non-zero weights, on the sine input (and the preset's own input)."""
    rng = np.random.default_rng(12)
    if name == "random":
        w = dict(zip(WEIGHTS, rng.uniform(0.2, 3, 12)
                     * rng.choice([-1, 1], 12)))
        inputs = ["sine", "weather"]
    else:
        w = PRESETS[name]["weights"]
        inputs = ["sine", PRESETS[name]["input"]]
    for input in inputs:
        x = input_sequence(input)
        tr = cell_trace(w, x)
        expected = cell_by_hand(w, x.tolist())
        for key, values in expected.items():
            ours = getattr(tr, key)
            assert ours.shape == (1, STEPS, 1)
            # scalars vs arrays: the same operations, round-off only
            np.testing.assert_allclose(ours[0, :, 0], values, rtol=0,
                                       atol=1e-13, err_msg=key)


def test_cell_trace_refuses_a_batch():
    with pytest.raises(ValueError, match=r"x: expected a 1-D sequence"):
        cell_trace({}, np.zeros((1, 60)))


def test_check_weights_fills_missing_names_with_zero():
    w = check_weights({"b_f": 2})
    assert w["b_f"] == 2.0 and isinstance(w["b_f"], float)
    assert set(w) == set(WEIGHTS)
    assert sum(abs(v) for v in w.values()) == 2.0


@pytest.mark.parametrize("bad, error, message", [
    ([1.0], TypeError, r"weights: expected a dict of weights named"),
    ({"W_x": 1.0}, ValueError, r"weights: unknown weight names \['W_x'\]"),
    ({"b_i": float("nan")}, ValueError,
     r"weights\['b_i'\]: expected a finite number, got nan"),
    ({"b_i": np.inf}, ValueError,
     r"weights\['b_i'\]: expected a finite number, got inf"),
    ({"b_i": True}, TypeError,
     r"weights\['b_i'\]: expected a real number, got bool True"),
    ({"b_i": "1"}, TypeError,
     r"weights\['b_i'\]: expected a real number, got str '1'"),
    ({"b_i": 10 ** 400}, TypeError,
     r"weights\['b_i'\]: expected a real number, got int 1000"),
])
def test_check_weights_refuses_with_the_argument_named(bad, error, message):
    with pytest.raises(error, match=message):
        check_weights(bad)


# One weight of a whole model -------------------------------------------

@pytest.mark.parametrize("matrix", ["kernel", "recurrent_kernel", "bias"])
@pytest.mark.parametrize("gate", lstmref.GATES)
def test_scaled_weight_changes_exactly_one_entry(matrix, gate):
    rng = np.random.default_rng(3)
    params = random_params(rng, units=3, input_dim=2)
    before = [a.copy() for a in (params.kernel, params.recurrent_kernel,
                                 params.bias)]
    row, col = 1, 2
    for scale in (0.0, 0.5, 2.0):
        new = scaled_weight(params, gate, matrix, row, col, scale)
        index = lstmref.GATES.index(gate) * 3 + col
        for name, old in zip(("kernel", "recurrent_kernel", "bias"),
                             before):
            changed = getattr(new, name) != old
            if name != matrix:
                assert not changed.any()
                continue
            where = (index,) if name == "bias" else (row, index)
            assert changed.sum() == 1 and changed[where]
            assert getattr(new, name)[where] == scale * old[where]
            if scale == 0.0:
                assert getattr(new, name)[where] == 0.0
    for a, b in zip(before, (params.kernel, params.recurrent_kernel,
                             params.bias)):
        np.testing.assert_array_equal(a, b)  # the original is untouched


@pytest.mark.parametrize("args, message", [
    (("g", "kernel", 0, 0), r"gate: expected one of \['i', 'f', 'c', 'o'\]"),
    (("i", "weights", 0, 0), r"matrix: expected one of \['kernel'"),
    (("i", "kernel", 2, 0), r"row: expected 0 to 1 for the kernel, got 2"),
    (("i", "recurrent_kernel", -1, 0),
     r"row: expected 0 to 2 for the recurrent_kernel, got -1"),
    (("i", "bias", 0, 3), r"col: expected a unit from 0 to 2, got 3"),
])
def test_scaled_weight_refuses_bad_choices(args, message):
    params = random_params(np.random.default_rng(4), units=3, input_dim=2)
    with pytest.raises(ValueError, match=message):
        scaled_weight(params, *args, 0.5)


# The static page's JSON ------------------------------------------------

def test_cell_config_round_trips_the_inputs_and_weights():
    w = PRESETS["latch on a pulse"]["weights"]
    config = json.loads(cell_config(w, sliders=("W_f", "U_f", "b_f"),
                                    presets=False, input="sine",
                                    focus="f"))
    assert config["weights"] == w
    documented = documented_inputs()
    for name in INPUTS:
        expected = (documented[name] if name in documented
                    else weather_by_hand(STEPS))
        np.testing.assert_allclose(config["inputs"][name], expected,
                                   rtol=0, atol=1e-12)
    assert config["sliders"] == ["W_f", "U_f", "b_f"]
    assert config["input"] == "sine" and config["focus"] == "f"
    assert config["presets"] == {}
    full = json.loads(cell_config(w))
    assert full["presets"] == {n: p["weights"] for n, p in PRESETS.items()}
    assert tuple(full["range"]) == explorer.WEIGHT_RANGE


def test_cell_config_refuses_an_unknown_input():
    with pytest.raises(ValueError, match="input: expected one of"):
        cell_config({}, input="noise")


def test_model_config_round_trips_the_params():
    rng = np.random.default_rng(5)
    params = random_params(rng, units=3, input_dim=2)
    x = rng.normal(size=(6, 2))
    D, d = rng.normal(size=(3, 2)), rng.normal(size=2)
    config = json.loads(model_config(params, x, D, d,
                                     output_names=["a", "b"]))
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(config[name], getattr(params, name))
    np.testing.assert_array_equal(config["x"], x)
    np.testing.assert_array_equal(config["dense_kernel"], D)
    np.testing.assert_array_equal(config["dense_bias"], d)
    assert config["output_names"] == ["a", "b"]
    assert config["input_names"] == ["x0", "x1"]
    with pytest.raises(ValueError, match=r"x: expected one window \(T, 2\)"):
        model_config(params, x[None])


def test_static_html_carries_the_config_unchanged():
    config = cell_config({"b_f": 1.5}, input="step")
    html = static_html(config)
    start = html.index('data-config="') + len('data-config="')
    assert unescape(html[start:html.index('"', start)]) == config


def test_model_config_holds_every_documented_field():
    """The whole JSON for a small layer written out by hand: integer
    inputs come out as floats, a layer without bias as zeros, a head
    without bias as zeros, default names x0.. and y0.."""
    params = lstmref.LSTMParams(np.array([[1, 2, 3, 4]]),
                                np.array([[1, 0, 0, 2]]),
                                activation="relu",
                                recurrent_activation="hard_sigmoid")
    config = json.loads(model_config(params, [[1], [2]], [[2, 3]],
                                     dense_activation="relu"))
    assert config == {
        "kind": "model", "kernel": [[1.0, 2.0, 3.0, 4.0]],
        "recurrent_kernel": [[1.0, 0.0, 0.0, 2.0]],
        "bias": [0.0, 0.0, 0.0, 0.0], "activation": "relu",
        "recurrent_activation": "hard_sigmoid", "x": [[1.0], [2.0]],
        "unit": 0, "input_names": ["x0"], "dense_kernel": [[2.0, 3.0]],
        "dense_bias": [0.0, 0.0], "output_names": ["y0", "y1"],
        "dense_activation": "relu", "diagram": {"step": 1}}
    for key in ("kernel", "recurrent_kernel", "x", "dense_kernel"):
        assert all(type(v) is float for row in config[key] for v in row)
    assert all(type(v) is float for v in config["bias"])
    bare = json.loads(model_config(params, [[1], [2]], unit=0))
    assert (bare["dense_kernel"], bare["dense_bias"],
            bare["output_names"]) == (None, None, None)
    assert bare["dense_activation"] == "linear" and bare["unit"] == 0
    with_bias = json.loads(model_config(params, [[1]], [[2, 3]], [1, -1]))
    assert with_bias["dense_bias"] == [1.0, -1.0]
    assert all(type(v) is float for v in with_bias["dense_bias"])


def test_model_config_refuses_a_window_of_other_features():
    params = random_params(np.random.default_rng(6), units=2, input_dim=2)
    for bad in (np.ones((6, 3)), np.ones(6)):
        with pytest.raises(ValueError) as caught:
            model_config(params, bad)
        assert str(caught.value) == (
            f"x: expected one window (T, 2), got shape {bad.shape}")
    with pytest.raises(ValueError, match=r"^dense_activation: expected "):
        model_config(params, np.ones((6, 2)), dense_activation="swish")


def test_static_html_says_where_the_explorer_appears():
    """The text a notebook viewer shows in place of the live explorer."""
    assert static_html("{}") == (
        '<div class="lstm-explorer" data-config="{}"><p>A live explorer '
        "of these weights appears here on the book's website, and as a "
        "Jupyter widget when the chapter runs in Binder or Jupyter.</p>"
        "</div>")


def test_scaled_weight_reaches_the_first_row():
    params = random_params(np.random.default_rng(7), units=2, input_dim=2)
    new = scaled_weight(params, "f", "kernel", 0, 1, 3.0)
    assert new.kernel[0, 3] == 3 * params.kernel[0, 3]
    new = scaled_weight(params, "o", "recurrent_kernel", 0, 0, 0.0)
    assert new.recurrent_kernel[0, 6] == 0.0


# The cell diagram beside a cell explorer ---------------------------------

def diagram_in(html):
    """key -> exact number of the diagram a static page holds."""
    start = html.index("<svg")
    root = ET.fromstring(html[start:html.index("</svg>") + len("</svg>")])
    return root, {e.get("data-name"): json.loads(e.get("data-value"))
                  for e in root.iter() if e.get("data-name")}


@pytest.mark.parametrize("focus, step", [(None, explorer.DIAGRAM_STEP),
                                         ("c", 0), ("o", STEPS - 1)])
def test_static_html_holds_the_diagram_at_its_step_run_by_hand(focus,
                                                                step):
    """The page's diagram before any script runs (a notebook viewer's):
    the cell run by hand with scalars, at the config's step."""
    rng = np.random.default_rng(3)
    w = dict(zip(WEIGHTS, rng.uniform(0.2, 3, 12) * rng.choice([-1, 1],
                                                              12)))
    config = cell_config(w, input="sine", focus=focus, diagram_step=step)
    assert json.loads(config)["diagram"] == {"step": step}
    root, shown = diagram_in(static_html(config))
    x = input_sequence("sine")
    expected = cell_by_hand(w, x.tolist())
    assert shown["x"] == [x[step]]
    for key in expected:
        assert abs(shown[key] - expected[key][step]) <= 1e-13, key
    for key, now in (("h_prev", "h"), ("c_prev", "c")):
        want = expected[now][step - 1] if step else 0.0
        assert abs(shown[key] - want) <= 1e-13, key
    lit = [e.get("class") for e in root.iter()
           if "highlight" in e.get("class").split()]
    assert lit == ([f"lstm-diagram gate gate-{focus} highlight"] if focus
                   else [])


def test_the_diagram_starts_at_the_first_pulse_and_can_be_left_out():
    assert explorer.DIAGRAM_STEP == DOCUMENTED_PULSES[0]
    assert json.loads(cell_config({}))["diagram"] == {"step": 5}
    config = cell_config({}, diagram_step=None)
    assert json.loads(config)["diagram"] is None
    assert "<svg" not in static_html(config)
    assert "<svg" not in static_html(model_config(
        random_params(np.random.default_rng(1), 2, 1), np.ones((3, 1)),
        diagram_step=None))


@pytest.mark.parametrize("step, unit", [(-1, 0), (0, 2), (3, 1)])
def test_the_model_pages_diagram_is_its_unit_run_by_hand(step, unit):
    """The model explorer's diagram before any script: the chosen unit
    of the unscaled layer at the config's step (-1: the last), the LSTM
    written out here in NumPy."""
    rng = np.random.default_rng(8)
    params = random_params(rng, units=3, input_dim=2)
    x = rng.normal(size=(5, 2))
    config = model_config(params, x, unit=unit, diagram_step=step)
    at = step % 5
    assert json.loads(config)["diagram"] == {"step": at}
    _, shown = diagram_in(static_html(config))
    W, U, b = params.kernel, params.recurrent_kernel, params.bias
    h, c = np.zeros(3), np.zeros(3)
    for t in range(at + 1):
        h_prev, c_prev = h, c
        z = x[t] @ W + h @ U + b
        i, f, o = (1 / (1 + np.exp(-z[k * 3:k * 3 + 3])) for k in (0, 1, 3))
        c_tilde = np.tanh(z[6:9])
        c = f * c + i * c_tilde
        h = o * np.tanh(c)
    expected = {"h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f,
                "c_tilde": c_tilde, "o": o, "c": c, "h": h}
    assert shown["x"] == x[at].tolist()
    for key, value in expected.items():
        assert abs(shown[key] - value[unit]) <= 1e-13, key


@pytest.mark.parametrize("kwargs, message", [
    ({"diagram_step": STEPS}, r"^diagram_step: expected an integer from "
                              r"-30 to 29 \(a step of the input, negative "
                              r"from the end\), got 30$"),
    ({"diagram_step": -31}, r"^diagram_step: expected an integer .*got -31$"),
    ({"diagram_step": 2.0}, r"^diagram_step: expected an integer .*got 2.0"),
    ({"diagram_step": True}, r"^diagram_step: expected an integer .*got Tru"),
    ({"focus": "c_tilde"}, r"^focus: expected one of \['i', 'f', 'c', 'o'\]"
                           r" or None, got 'c_tilde'$"),
])
def test_cell_config_refuses_a_bad_step_or_focus(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cell_config({}, **kwargs)
