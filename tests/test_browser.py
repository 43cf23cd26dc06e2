"""The static site's explorers compute what lstmref computes, in Chromium.

The page's own code, ``lstmref/web/lstm-explorer.js``, runs in headless
Chromium on pages made from ``lstmref.explorer``'s HTML, and every number
it computes is compared with lstmref's. Tolerance 1e-9 (the issue's): both
sides work in float64 and differ only in summation order and in the last
bit of exp and tanh, about 1e-16 per step.

The built book's pages are checked in ``test_site_offline.py``.
"""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import lstmref
from lstmref import diagram, explorer
from conftest import ROOT

from helpers import random_params

SCRIPT = ROOT / "lstmref" / "web" / "lstm-explorer.js"
STYLE = ROOT / "lstmref" / "web" / "lstm-explorer.css"
TOL = 1e-9
STATES = ("i", "f", "c_tilde", "o", "c", "h")


@pytest.fixture
def page(chromium):
    """A blank page with the explorer script; fails on any page error."""
    context = chromium.new_context(viewport={"width": 900, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error"
            and errors.append(message.text))
    page.errors = errors
    yield page
    context.close()
    assert errors == []


def show(page, *html):
    """Put explorers' HTML on the page and let the script mount them."""
    page.set_content("<!doctype html><html><body>" + "".join(html)
                     + "</body></html>")
    page.add_style_tag(path=str(STYLE))
    page.add_script_tag(path=str(SCRIPT))


def page_trace(page, params, x):
    """The page's ``LstmExplorer.trace`` of one sequence x (T, F)."""
    config = json.loads(explorer.model_config(params, x))
    result = page.evaluate("([p, x]) => LstmExplorer.trace(p, x)",
                           [config, np.asarray(x).tolist()])
    return {name: np.array(result[name]) for name in STATES}


def assert_trace_close(ours, expected):
    for name in STATES:
        got, want = ours[name], getattr(expected, name)[0]
        # linear and relu leave c and h unbounded: compare relative to size
        scale = max(1.0, float(np.abs(want).max()))
        assert np.abs(got - want).max() <= TOL * scale, name


SETTINGS = [  # units, input_dim, T, activation, recurrent_activation
    (1, 1, 60, "tanh", "sigmoid"),
    (3, 2, 7, "tanh", "sigmoid"),
    (8, 4, 5, "tanh", "sigmoid"),
    (4, 3, 20, "tanh", "hard_sigmoid"),
    (2, 2, 12, "relu", "hard_sigmoid_keras2"),
    (3, 1, 9, "linear", "sigmoid"),
]


@pytest.mark.parametrize("units, input_dim, T, act, rec_act", SETTINGS)
def test_page_trace_equals_lstmref(page, units, input_dim, T, act,
                                   rec_act):
    rng = np.random.default_rng(units * 100 + T)
    params = random_params(rng, units, input_dim, activation=act,
                           recurrent_activation=rec_act)
    x = rng.normal(size=(T, input_dim))
    show(page)
    assert_trace_close(page_trace(page, params, x),
                       lstmref.trace(x[None], params))


def test_page_cell_weights_land_in_lstmref_gate_blocks(page):
    rng = np.random.default_rng(7)
    weights = dict(zip(explorer.WEIGHTS, rng.uniform(-3, 3, 12)))
    x = explorer.input_sequence("sine")
    show(page)
    result = page.evaluate(
        "([w, x]) => LstmExplorer.trace(LstmExplorer.cellParams(w), x)",
        [weights, [[v] for v in x]])
    assert_trace_close({k: np.array(result[k]) for k in STATES},
                       explorer.cell_trace(weights, x))


@pytest.mark.parametrize("gate, matrix, row, col, scale", [
    ("f", "kernel", 1, 2, 0.0), ("o", "recurrent_kernel", 2, 0, 1.7),
    ("c", "bias", 0, 1, 0.3), ("i", "kernel", 0, 0, 2.0)])
def test_page_scaled_weight_and_head_equal_lstmref(page, gate, matrix, row,
                                                   col, scale):
    rng = np.random.default_rng(3)
    params = random_params(rng, 3, 2)
    D, d = rng.normal(size=(3, 2)), rng.normal(size=2)
    x = rng.normal(size=(6, 2))
    show(page)
    config = json.loads(explorer.model_config(params, x, D, d))
    result = page.evaluate(
        """([p, x, g, m, r, c, s, D, d]) => {
             const q = LstmExplorer.scaledParams(p, g, m, r, c, s);
             const tr = LstmExplorer.trace(q, x);
             return {tr: tr, y: LstmExplorer.dense(tr.h[tr.h.length - 1],
                                                   D, d)};
           }""", [config, x.tolist(), gate, matrix, row, col, scale,
                  D.tolist(), d.tolist()])
    changed = explorer.scaled_weight(params, gate, matrix, row, col, scale)
    assert_trace_close({k: np.array(result["tr"][k]) for k in STATES},
                       lstmref.trace(x[None], changed))
    network = lstmref.Network(changed, D, d)
    np.testing.assert_allclose(result["y"], network.predict(x[None])[0],
                               rtol=0, atol=TOL)


def canvas_pixels(page, index=0):
    return page.evaluate(
        "i => document.querySelectorAll('canvas')[i].toDataURL()", index)


def mounted(page, index=0):
    """The state of the index-th explorer on the page, as JSON."""
    return page.evaluate(
        """i => {
             const e = document.querySelectorAll('.lstm-explorer')[i]
               .lstmExplorer;
             return {state: e.state, last: e.last, updates: e.updates,
                     prediction: e.prediction || null};
           }""", index)


def test_moving_a_slider_redraws_with_lstmref_values(page):
    preset = explorer.PRESETS["latch on a pulse"]
    show(page, explorer.static_html(explorer.cell_config(
        preset["weights"], input=preset["input"])))
    before = canvas_pixels(page)
    slider = page.get_by_label("b_f", exact=True)
    slider.focus()
    for _ in range(40):  # 40 steps of 0.1: b_f from 8 down to 4
        page.keyboard.press("ArrowLeft")
    state = mounted(page)
    assert state["state"]["weights"]["b_f"] == pytest.approx(4.0)
    assert state["updates"] == 41
    assert canvas_pixels(page) != before
    x = explorer.input_sequence(state["state"]["input"])
    expected = explorer.cell_trace(state["state"]["weights"], x)
    assert_trace_close({k: np.array(state["last"][k]) for k in STATES},
                       expected)
    # the shown value follows the slider
    assert page.locator("output").nth(
        explorer.WEIGHTS.index("b_f")).inner_text() == "4.00"


@pytest.mark.parametrize("name", sorted(explorer.PRESETS))
def test_choosing_a_preset_sets_its_weights_and_input(page, name):
    show(page, explorer.static_html(explorer.cell_config(
        dict.fromkeys(explorer.WEIGHTS, 0.0), input="sine")))
    page.get_by_label("Preset", exact=True).select_option(name)
    state = mounted(page)["state"]
    assert state["weights"] == explorer.PRESETS[name]["weights"]
    assert state["input"] == explorer.PRESETS[name]["input"]
    slider_values = {w: float(page.get_by_label(w, exact=True).input_value())
                     for w in explorer.WEIGHTS}
    assert slider_values == explorer.PRESETS[name]["weights"]


def test_changing_the_input_recomputes_the_trace(page):
    show(page, explorer.static_html(explorer.cell_config(
        explorer.PRESETS["count pulses"]["weights"], input="pulses")))
    page.get_by_label("Input x", exact=True).select_option("weather")
    state = mounted(page)
    x = explorer.input_sequence("weather")
    assert_trace_close({k: np.array(state["last"][k]) for k in STATES},
                       explorer.cell_trace(state["state"]["weights"], x))


def test_gate_explorer_page_shows_only_that_gates_sliders(page):
    show(page, explorer.static_html(explorer.cell_config(
        explorer.PRESETS["latch on a pulse"]["weights"],
        sliders=("W_f", "U_f", "b_f"), presets=False, focus="f")))
    names = page.evaluate("""() => Array.from(
        document.querySelectorAll('input[type=range]'),
        e => e.getAttribute('aria-label'))""")
    assert names == ["W_f", "U_f", "b_f", "step t"]  # then the diagram's
    assert page.get_by_label("Preset", exact=True).count() == 0


def test_model_explorer_zeroing_a_weight_matches_lstmref(page):
    rng = np.random.default_rng(11)
    params = random_params(rng, 8, 4)
    D, d = rng.normal(size=(8, 4)), rng.normal(size=4)
    x = rng.normal(size=(5, 4))
    show(page, explorer.static_html(explorer.model_config(
        params, x, D, d, output_names=["a", "b", "c", "d"])))
    page.get_by_label("Unit", exact=True).select_option("3")
    page.get_by_label("Gate", exact=True).select_option("o")
    page.get_by_label("Weight", exact=True).select_option("recurrent_kernel")
    page.get_by_label("from", exact=True).select_option("5")
    before = canvas_pixels(page)
    page.get_by_label("scale", exact=True).focus()
    page.keyboard.press("Home")  # the slider's minimum: scale 0
    state = mounted(page)
    assert state["state"] == {"unit": 3, "gate": "o",
                              "matrix": "recurrent_kernel", "row": 5,
                              "scale": 0, "step": 4}  # the diagram's: last
    assert canvas_pixels(page) != before
    changed = explorer.scaled_weight(params, "o", "recurrent_kernel", 5, 3,
                                     0.0)
    assert changed.recurrent_kernel[5, 3 * 8 + 3] == 0
    assert_trace_close({k: np.array(state["last"][k]) for k in STATES},
                       lstmref.trace(x[None], changed))
    expected = lstmref.Network(changed, D, d).predict(x[None])[0]
    np.testing.assert_allclose(state["prediction"], expected, rtol=0,
                               atol=TOL)


def test_model_explorer_applies_the_dense_activation(page):
    rng = np.random.default_rng(13)
    params = random_params(rng, 3, 2)
    D, d = rng.normal(size=(3, 3)), rng.normal(size=3)
    x = rng.normal(size=(4, 2))
    network = lstmref.Network(params, D, d, dense_activation="relu")
    show(page, explorer.static_html(explorer.model_config(
        params, x, D, d, dense_activation="relu")))
    page.get_by_label("scale", exact=True).focus()
    page.keyboard.press("End")  # scale 2
    changed = explorer.scaled_weight(params, "f", "kernel", 0, 0, 2.0)
    expected = lstmref.Network(changed, D, d, dense_activation="relu")
    got = mounted(page)["prediction"]
    np.testing.assert_allclose(got, expected.predict(x[None])[0], rtol=0,
                               atol=TOL)
    # the activation matters here: some raw output is negative
    assert (lstmref.lstm(x[None], changed) @ D + d).min() < 0
    assert network.n_out == 3


def test_page_refuses_an_unknown_activation_by_name(page):
    show(page)
    message = page.evaluate("""() => {
        try {
          LstmExplorer.trace({kernel: [[1, 1, 1, 1]],
                              recurrent_kernel: [[1, 1, 1, 1]],
                              bias: [0, 0, 0, 0], activation: "softsign",
                              recurrent_activation: "sigmoid"}, [[1]]);
        } catch (e) { return e.message; }
        return null; }""")
    assert message.startswith("activation: expected one of")
    assert "softsign" in message


# The cell diagram beside a cell explorer ------------------------------------

def diagram_numbers(page, index=0):
    """key -> exact number (x: list) of the index-th explorer's diagram,
    with each label's text and the diagram's alt text."""
    return page.evaluate(
        """i => {
             const svg = document.querySelectorAll('.lstm-explorer')[i]
               .querySelector('svg.lstm-diagram');
             const found = {}, texts = {};
             for (const e of svg.querySelectorAll('[data-name]')) {
               const key = e.getAttribute('data-name');
               found[key] = JSON.parse(e.getAttribute('data-value'));
               texts[key] = e.textContent;
             }
             return {values: found, texts: texts,
                     desc: svg.querySelector('desc').textContent,
                     label: svg.getAttribute('aria-label')};
           }""", index)


def assert_diagram_is_lstmref(shown, weights, x, step):
    """The diagram's numbers are lstmref.trace's at ``step`` (1e-9), read
    from the trace's arrays here, not through diagram.step_values."""
    tr = lstmref.trace(x[None, :, None], explorer.cell_params(weights))
    got = shown["values"]
    assert got["x"] == [x[step]]
    before = {"h_prev": tr.h, "c_prev": tr.c}
    for key in ("h_prev", "c_prev"):
        want = before[key][0, step - 1, 0] if step else 0.0
        assert abs(got[key] - want) <= TOL, key
    for key in STATES:
        want = getattr(tr, key)[0, step, 0]
        assert abs(got[key] - want) <= TOL, key
    # each label is the number to 3 decimals, as lstmref.diagram writes it
    for key, value in got.items():
        assert shown["texts"][key] == diagram.label(value), key


def test_the_diagram_follows_the_weight_sliders_and_the_step(page):
    preset = explorer.PRESETS["latch on a pulse"]
    show(page, explorer.static_html(explorer.cell_config(
        preset["weights"], input=preset["input"])))
    x = explorer.input_sequence(preset["input"])
    step = explorer.DIAGRAM_STEP
    assert_diagram_is_lstmref(diagram_numbers(page), preset["weights"], x,
                              step)
    page.get_by_label("b_f", exact=True).focus()
    for _ in range(25):  # b_f from 8 down to 5.5
        page.keyboard.press("ArrowLeft")
    page.get_by_label("U_c", exact=True).focus()
    for _ in range(13):  # U_c from 0 up to 1.3: h_{t-1} now matters
        page.keyboard.press("ArrowRight")
    weights = mounted(page)["state"]["weights"]
    assert weights["b_f"] == pytest.approx(5.5)
    assert weights["U_c"] == pytest.approx(1.3)
    assert_diagram_is_lstmref(diagram_numbers(page), weights, x, step)
    before = canvas_pixels(page)
    page.get_by_label("step t", exact=True).focus()
    for step in (6, 7, 8):  # the step after the pulse and on
        page.keyboard.press("ArrowRight")
        assert page.evaluate("() => document.querySelector("
                             "'.lstm-explorer').lstmExplorer.state.step"
                             ) == step
        assert_diagram_is_lstmref(diagram_numbers(page), weights, x, step)
    assert canvas_pixels(page) != before  # the plot's step marker moved
    for key, step in (("Home", 0), ("End", explorer.STEPS - 1)):
        page.keyboard.press(key)
        assert_diagram_is_lstmref(diagram_numbers(page), weights, x, step)
    # the page moves nothing the weight sliders' values did not set
    assert weights == {**preset["weights"], "b_f": weights["b_f"],
                       "U_c": weights["U_c"]}


def test_the_diagrams_alt_text_is_lstmrefs_for_the_numbers_shown(page):
    show(page, explorer.static_html(explorer.cell_config(
        explorer.PRESETS["count pulses"]["weights"], input="pulses",
        focus="i", sliders=("W_i", "U_i", "b_i"), presets=False)))
    page.get_by_label("W_i", exact=True).focus()
    page.keyboard.press("PageDown")
    page.get_by_label("step t", exact=True).focus()
    page.keyboard.press("ArrowRight")
    shown = diagram_numbers(page)
    python = ET.fromstring(diagram.cell_svg("i", shown["values"]))
    assert shown["desc"] == python[1].text
    assert shown["label"] == python.get("aria-label")
    # the gate in focus is the one drawn highlighted
    lit = page.evaluate("""() => Array.from(document.querySelectorAll(
        'svg.lstm-diagram .highlight'), e => e.getAttribute('class'))""")
    assert lit == ["lstm-diagram gate gate-i highlight"]


def test_the_diagram_follows_a_preset_and_the_input(page):
    show(page, explorer.static_html(explorer.cell_config(
        dict.fromkeys(explorer.WEIGHTS, 0.0), input="sine",
        diagram_step=11)))
    page.get_by_label("Preset", exact=True).select_option("count pulses")
    page.get_by_label("Input x", exact=True).select_option("weather")
    weights = explorer.PRESETS["count pulses"]["weights"]
    assert mounted(page)["state"]["weights"] == weights
    assert_diagram_is_lstmref(diagram_numbers(page), weights,
                              explorer.input_sequence("weather"), 11)


def test_an_explorer_without_a_diagram_has_no_step_control(page):
    show(page, explorer.static_html(explorer.cell_config(
        {"b_f": 2.0}, diagram_step=None)))
    assert page.locator("svg").count() == 0
    assert page.get_by_label("step t", exact=True).count() == 0
    assert mounted(page)["updates"] == 1


def test_the_model_explorers_diagram_follows_unit_weight_and_step(page):
    rng = np.random.default_rng(21)
    params = random_params(rng, 4, 4)  # four inputs: x's label is cut
    x = rng.normal(size=(6, 4))
    show(page, explorer.static_html(explorer.model_config(params, x)))
    page.get_by_label("Unit", exact=True).select_option("1")
    page.get_by_label("Gate", exact=True).select_option("i")
    page.get_by_label("Weight", exact=True).select_option("recurrent_kernel")
    page.get_by_label("from", exact=True).select_option("3")
    page.get_by_label("scale", exact=True).focus()
    page.keyboard.press("End")  # scale 2
    page.get_by_label("step t", exact=True).focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # from the last step, 5, to 3
    assert mounted(page)["state"]["step"] == 3
    recurrent = params.recurrent_kernel.copy()
    recurrent[3, 0 * 4 + 1] *= 2.0  # U_i from h_3 to unit 1
    tr = lstmref.trace(x[None], lstmref.LSTMParams(
        params.kernel, recurrent, params.bias))
    shown = diagram_numbers(page)
    got = shown["values"]
    assert got["x"] == x[3].tolist()
    assert shown["texts"]["x"].endswith(", ...]")
    assert shown["texts"] == {k: diagram.label(v) for k, v in got.items()}
    assert abs(got["h_prev"] - tr.h[0, 2, 1]) <= TOL
    assert abs(got["c_prev"] - tr.c[0, 2, 1]) <= TOL
    for key in STATES:
        assert abs(got[key] - getattr(tr, key)[0, 3, 1]) <= TOL, key
