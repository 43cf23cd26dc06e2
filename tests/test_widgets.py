"""The Jupyter explorers, driven as a reader would: every curve and bar
they draw is what lstmref computes for the weights their controls show.
"""

import dataclasses
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import lstmref
from lstmref import explorer, widgets
from lstmref.explorer import PRESETS, PULSE_TIMES, WEIGHTS
from helpers import random_params

FIELDS = ("i", "f", "c_tilde", "o", "c", "h")
#: The line each gate's letter names (the candidate is c_tilde).
GATE_LINES = {"i": "i", "f": "f", "c": "c_tilde", "o": "o"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def plotted(e, name):
    return e.lines[name].get_ydata()


def sliders(e):
    return {name for name, w in e.controls.items()
            if isinstance(w, ipywidgets.FloatSlider)}


def cell_by_hand(w):
    """The one-unit cell of twelve named weights, written out: one
    column per gate, in Keras's block order i, f, c, o."""
    return lstmref.LSTMParams(
        np.array([[w["W_i"], w["W_f"], w["W_c"], w["W_o"]]]),
        np.array([[w["U_i"], w["U_f"], w["U_c"], w["U_o"]]]),
        np.array([w["b_i"], w["b_f"], w["b_c"], w["b_o"]]))


def assert_cell_draws_its_trace(e, fixed):
    """Every line of a cell explorer is lstmref.trace of the weights its
    sliders show, over ``fixed`` (the weights no slider moves).

    The input x is the one the menu names (``explorer.input_sequence``,
    checked in test_explorer.py); the cell is built here by hand.
    """
    w = {**dict.fromkeys(WEIGHTS, 0.0), **fixed,
         **{n: e.controls[n].value for n in sliders(e)}}
    assert e.weights == w
    x = explorer.input_sequence(e.controls["input"].value)
    tr = lstmref.trace(x[None, :, None], cell_by_hand(w))
    np.testing.assert_array_equal(plotted(e, "x"), x)
    for name in FIELDS:
        np.testing.assert_array_equal(plotted(e, name),
                                      getattr(tr, name)[0, :, 0])


def artists(e):
    """Every artist of the figure, by identity, and counts per axes."""
    return ([id(a) for a in e.lines.values()],
            [(id(ax), len(ax.lines), len(ax.patches), len(ax.texts))
             for ax in e.figure.axes])


def data_config(bundle):
    html = bundle["text/html"]
    start = html.index('data-config="') + len('data-config="')
    return json.loads(unescape(html[start:html.index('"', start)]))


@pytest.fixture
def network():
    """3 units, 2 inputs, 2 outputs; every weight and bias non-zero."""
    rng = np.random.default_rng(2024)
    params = random_params(rng, units=3, input_dim=2, scale=1.5)
    net = lstmref.Network(params, rng.normal(0, 1, (3, 2)),
                          rng.uniform(0.1, 1, 2) * rng.choice([-1, 1], 2))
    return net, rng.normal(size=(6, 2))


# The cell ----------------------------------------------------------------

def test_cell_explorer_draws_lstmref_trace_of_its_sliders():
    e = widgets.cell_explorer()
    assert sliders(e) == set(WEIGHTS)
    latch = PRESETS["latch on a pulse"]["weights"]
    assert {n: e.controls[n].value for n in WEIGHTS} == latch
    assert_cell_draws_its_trace(e, {})
    rng = np.random.default_rng(7)
    for name in rng.permutation(WEIGHTS):
        e.controls[name].value = float(np.round(rng.uniform(-6, 6), 1))
        assert_cell_draws_its_trace(e, {})


def test_choosing_a_preset_sets_every_slider_with_one_update():
    e = widgets.cell_explorer("remember forever")
    calls = []
    update = e.update
    e.update = lambda: (calls.append(1), update())
    e.controls["preset"].value = "count pulses"
    assert len(calls) == 1
    preset = PRESETS["count pulses"]
    assert {n: e.controls[n].value for n in WEIGHTS} == preset["weights"]
    assert e.controls["input"].value == preset["input"]
    assert_cell_draws_its_trace(e, {})
    c = plotted(e, "c")  # counts: k pulses, k times the first jump
    jump = c[PULSE_TIMES[0]]
    for k, t in enumerate(PULSE_TIMES, start=1):
        assert abs(c[t] - k * jump) <= 0.05 * k * jump
    lo, hi = e.figure.axes[2].get_ylim()
    assert lo < c.min() and c.max() < hi  # the axis grew to show it


def test_moving_a_slider_after_a_preset_unsets_the_preset():
    e = widgets.cell_explorer("latch on a pulse")
    e.controls["b_f"].value = 3.0
    assert e.controls["preset"].value is None
    e.controls["preset"].value = "latch on a pulse"  # chosen again
    assert e.controls["b_f"].value == PRESETS["latch on a pulse"][
        "weights"]["b_f"]
    assert_cell_draws_its_trace(e, {})


@pytest.mark.parametrize("input", explorer.INPUTS)
def test_changing_the_input_redraws_x_and_the_cell(input):
    e = widgets.cell_explorer("count pulses")
    e.controls["input"].value = input
    assert_cell_draws_its_trace(e, {})
    lo, hi = e.figure.axes[0].get_ylim()
    assert lo < plotted(e, "x").min() and plotted(e, "x").max() < hi


def test_a_preset_given_as_weights_starts_the_sliders_there():
    w = {"b_f": 4.0, "W_c": 1.5, "b_o": 2.0}
    e = widgets.cell_explorer(w, input="step")
    for name in WEIGHTS:  # the names not given start at 0
        assert e.controls[name].value == w.get(name, 0.0)
    assert e.controls["preset"].value is None
    assert_cell_draws_its_trace(e, {})


@pytest.mark.parametrize("gate", lstmref.GATES)
def test_gate_explorer_has_exactly_that_gates_three_sliders(gate):
    e = widgets.gate_explorer(gate, "count pulses")
    own = {f"W_{gate}", f"U_{gate}", f"b_{gate}"}
    assert sliders(e) == own
    assert "preset" not in e.controls
    for name in sorted(own):
        e.controls[name].value = -2.5
    preset = PRESETS["count pulses"]["weights"]
    for name in WEIGHTS:
        assert e.weights[name] == (-2.5 if name in own else preset[name])
    assert_cell_draws_its_trace(e, preset)
    focus = e.lines[GATE_LINES[gate]]
    others = [e.lines[GATE_LINES[g]] for g in lstmref.GATES if g != gate]
    assert all(focus.get_linewidth() > o.get_linewidth() for o in others)


def diagram_numbers(e):
    """key -> exact number (x: list) the explorer's diagram shows."""
    root = ET.fromstring(e.diagram.value)
    return {el.get("data-name"): json.loads(el.get("data-value"))
            for el in root.iter() if el.get("data-name")}


def assert_diagram_is_lstmref(e, step):
    """The diagram shows lstmref.trace of the sliders' weights at
    ``step``, read from the trace's arrays here (1e-9)."""
    w = {**dict.fromkeys(WEIGHTS, 0.0), **e.weights}
    x = explorer.input_sequence(e.controls["input"].value)
    tr = lstmref.trace(x[None, :, None], cell_by_hand(w))
    got = diagram_numbers(e)
    assert got["x"] == [x[step]]
    for key, states in (("h_prev", tr.h), ("c_prev", tr.c)):
        want = states[0, step - 1, 0] if step else 0.0
        assert abs(got[key] - want) <= 1e-9, key
    for key in FIELDS:
        assert abs(got[key] - getattr(tr, key)[0, step, 0]) <= 1e-9, key


def test_the_diagram_follows_a_weight_and_the_step_slider():
    e = widgets.cell_explorer("latch on a pulse")
    assert e.controls["step"].value == explorer.DIAGRAM_STEP
    assert e.diagram in e.widget.children
    assert_diagram_is_lstmref(e, explorer.DIAGRAM_STEP)
    e.controls["U_c"].value = 1.3  # h_{t-1} now feeds the candidate
    e.controls["b_f"].value = 5.5
    assert_diagram_is_lstmref(e, explorer.DIAGRAM_STEP)
    before = e.image.value
    for step in (6, 13, 0, explorer.STEPS - 1):
        e.controls["step"].value = step
        assert_diagram_is_lstmref(e, step)
        # the plot marks the step on each of its three axes
        marks = [e.lines[f"step {n}"].get_xdata() for n in ("x", "i", "c")]
        assert [list(m) for m in marks] == [[step, step]] * 3
    assert e.image.value != before
    e.controls["input"].value = "sine"
    assert_diagram_is_lstmref(e, explorer.STEPS - 1)
    assert_cell_draws_its_trace(e, {})  # the plot is still lstmref's


@pytest.mark.parametrize("gate", lstmref.GATES)
def test_a_gate_explorers_diagram_highlights_its_gate(gate):
    e = widgets.gate_explorer(gate, "count pulses")
    e.controls[f"W_{gate}"].value = -3.0
    e.controls["step"].value = 12
    assert_diagram_is_lstmref(e, 12)
    lit = [el.get("class") for el in ET.fromstring(e.diagram.value).iter()
           if "highlight" in el.get("class").split()]
    assert lit == [f"lstm-diagram gate gate-{gate} highlight"]


# A whole model -----------------------------------------------------------

def zeroed(params, gate, matrix, row, unit):
    """The params with one weight set to 0, written out by hand."""
    arrays = {"kernel": params.kernel.copy(),
              "recurrent_kernel": params.recurrent_kernel.copy(),
              "bias": params.bias.copy()}
    column = "ifco".index(gate) * params.units + unit
    if matrix == "bias":
        arrays["bias"][column] = 0.0
    else:
        arrays[matrix][row, column] = 0.0
    return lstmref.LSTMParams(**arrays)


@pytest.mark.parametrize("matrix, row", [("kernel", 1),
                                         ("recurrent_kernel", 2),
                                         ("bias", 0)])
@pytest.mark.parametrize("gate", lstmref.GATES)
@pytest.mark.parametrize("backwards", [False, True])
def test_scale_zero_draws_the_model_without_that_weight(
        network, matrix, row, gate, backwards):
    net, x = network
    net = dataclasses.replace(net, go_backwards=backwards)
    e = widgets.model_explorer(net, x)
    unit = 1
    c = e.controls
    c["unit"].value, c["gate"].value, c["matrix"].value = unit, gate, matrix
    c["row"].value = row
    c["scale"].value = 0.0
    cut = zeroed(net.params, gate, matrix, row, unit)
    for params, suffix in ((cut, ""), (net.params, "_original")):
        tr = lstmref.trace(x[None], params, go_backwards=backwards)
        for name in ("c", "h"):
            np.testing.assert_array_equal(plotted(e, name + suffix),
                                          getattr(tr, name)[0, :, unit])
    modified = dataclasses.replace(net, params=cut)
    expected = modified.predict(x[None])[0]
    np.testing.assert_allclose(e.prediction, expected, rtol=0, atol=1e-12)
    heights = [r.get_height() for r in e.bars["y"]]
    np.testing.assert_allclose(heights, expected, rtol=0, atol=1e-12)
    original = [r.get_height() for r in e.bars["y_original"]]
    np.testing.assert_allclose(original, net.predict(x[None])[0], rtol=0,
                               atol=1e-12)
    assert np.max(np.abs(expected - net.predict(x[None])[0])) > 1e-9


# With 3 units, gate g's block holds columns 3k .. 3k + 2, k = "ifco"
# .index(g): unit u of the forget gate is column 3 + u, of the candidate
# 6 + u, of the output gate 9 + u. Each case: the controls, then the
# entry they name, indexed by hand.
SCALED = [
    (dict(gate="f", matrix="kernel", row=0, unit=0, scale=1.7),
     ("kernel", (0, 3))),
    (dict(gate="o", matrix="recurrent_kernel", row=2, unit=1, scale=0.35),
     ("recurrent_kernel", (2, 10))),
    (dict(gate="c", matrix="bias", row=0, unit=2, scale=1.3),
     ("bias", (8,))),
]


@pytest.mark.parametrize("controls, entry", SCALED)
def test_model_explorer_scales_by_any_factor(network, controls, entry):
    net, x = network
    e = widgets.model_explorer(net, x[None])  # (1, T, input_dim) too
    for name in ("unit", "gate", "matrix", "row", "scale"):
        e.controls[name].value = controls[name]
    matrix, index = entry
    arrays = {"kernel": net.params.kernel.copy(),
              "recurrent_kernel": net.params.recurrent_kernel.copy(),
              "bias": net.params.bias.copy()}
    weight = arrays[matrix][index]
    arrays[matrix][index] *= controls["scale"]
    scaled = lstmref.LSTMParams(**arrays)
    tr = lstmref.trace(x[None], scaled)
    unit = controls["unit"]
    for name in ("c", "h"):
        np.testing.assert_array_equal(plotted(e, name),
                                      getattr(tr, name)[0, :, unit])
    expected = dataclasses.replace(net, params=scaled).predict(x[None])[0]
    heights = [r.get_height() for r in e.bars["y"]]
    np.testing.assert_allclose(heights, expected, rtol=0, atol=1e-12)
    shown = f"{weight:.3g} &times; {controls['scale']:.2f}"
    assert e.readout.value.endswith(shown)


def test_model_explorer_takes_bare_params(network):
    net, x = network
    e = widgets.model_explorer(net.params, x)
    assert e.bars == {} and len(e.figure.axes) == 2
    e.controls["unit"].value = 2
    e.controls["scale"].value = 0.0
    tr = lstmref.trace(x[None], zeroed(net.params, "f", "kernel", 0, 2))
    np.testing.assert_array_equal(plotted(e, "h"), tr.h[0, :, 2])


def test_default_names_are_the_static_pages(network):
    """With no names given, the rows and bars carry the names the page's
    explorer shows (x0, x1 and y0, y1)."""
    net, x = network
    e = widgets.model_explorer(net, x)
    config = data_config(e._repr_mimebundle_())
    rows = [label for label, _ in e.controls["row"].options]
    assert rows == config["input_names"] == ["x0", "x1"]
    ticks = [t.get_text() for t in e._axes["y"].get_xticklabels()]
    assert ticks == config["output_names"] == ["y0", "y1"]


def test_the_row_choices_follow_the_matrix(network):
    net, x = network
    e = widgets.model_explorer(net, x, input_names=["temp", "wind"])
    row = e.controls["row"]
    assert [label for label, _ in row.options] == ["temp", "wind"]
    e.controls["matrix"].value = "recurrent_kernel"
    assert len(row.options) == 3 and not row.disabled
    e.controls["matrix"].value = "bias"
    assert row.disabled


@pytest.mark.parametrize("backwards", [False, True])
def test_the_model_diagram_follows_unit_weight_and_step(network, backwards):
    """The diagram under the model explorer: the chosen unit of the model
    with the weight scaled (written out here), at the chosen step in the
    order the layer reads the window; lstmref.trace to 1e-9."""
    net, x = network
    net = dataclasses.replace(net, go_backwards=backwards)
    m = widgets.model_explorer(net, x)
    assert m.controls["step"].value == len(x) - 1  # the head reads it
    assert m.diagram in m.widget.children
    c = m.controls
    c["unit"].value, c["gate"].value, c["scale"].value = 2, "c", 0.4
    c["step"].value = 2
    kernel = net.params.kernel.copy()
    kernel[0, 2 * 3 + 2] *= 0.4  # W_c from input 0 to unit 2
    changed = dataclasses.replace(net.params, kernel=kernel)
    read = x[::-1] if backwards else x  # processing order
    tr = lstmref.trace(read[None], changed)
    got = diagram_numbers(m)
    assert got["x"] == read[2].tolist()
    assert abs(got["h_prev"] - tr.h[0, 1, 2]) <= 1e-9
    assert abs(got["c_prev"] - tr.c[0, 1, 2]) <= 1e-9
    for key in FIELDS:
        assert abs(got[key] - getattr(tr, key)[0, 2, 2]) <= 1e-9, key
    assert [list(m.lines[f"step {n}"].get_xdata()) for n in "ch"] == [
        [2, 2]] * 2


# Drawing -------------------------------------------------------------------

def test_the_png_changes_when_a_slider_moves(network):
    e = widgets.cell_explorer()
    before = bytes(e.image.value)
    assert before.startswith(b"\x89PNG")
    e.controls["W_c"].value = -3.0
    assert bytes(e.image.value) != before
    m = widgets.model_explorer(*network)
    before = bytes(m.image.value)
    m.controls["scale"].value = 0.0
    assert bytes(m.image.value) != before


def test_updates_move_the_artists_and_create_none(network):
    e = widgets.gate_explorer("i")
    m = widgets.model_explorer(*network)
    first = artists(e), artists(m)
    bars = [id(r) for r in m.bars["y"]]
    for value in (-20.0, -3.0, 0.0, 7.5, 20.0):  # limits change too
        e.controls["W_i"].value = value
        e.controls["b_i"].value = -value
        m.controls["scale"].value = abs(value) / 10
    e.controls["input"].value = "weather"
    m.controls["matrix"].value = "bias"
    m.controls["unit"].value = 2
    assert (artists(e), artists(m)) == first
    assert [id(r) for r in m.bars["y"]] == bars


def full_drawing(e):
    """The explorer's figure drawn from scratch, as an RGB array."""
    for artist in e._moving():
        artist.set_animated(False)
    e.canvas.draw()
    return np.asarray(e.canvas.buffer_rgba())[..., :3].astype(int)


def test_the_png_is_the_figure_drawn_from_scratch(network):
    """Blitting and redrawing only the axes whose limits changed leave
    the picture a full drawing would give (up to the few pixels where a
    line and an axis spine overlap, drawn in the other order)."""
    e = widgets.cell_explorer()
    m = widgets.model_explorer(*network)
    for value in (-20.0, 5.0, 20.0, -7.0):
        e.controls["W_c"].value = value
        e.controls["b_f"].value = 10.0
        m.controls["scale"].value = abs(value) / 10
    e.controls["input"].value = "weather"
    e.controls["preset"].value = "count pulses"
    m.controls["gate"].value = "o"
    for x in (e, m):
        png = Image.open(io.BytesIO(bytes(x.image.value)))
        shown = np.asarray(png.convert("RGB")).astype(int)
        differ = np.abs(shown - full_drawing(x)).max(axis=2) > 0
        assert differ.mean() < 1e-3


def png_size(e):
    """(width, height) of the explorer's PNG, in its pixels."""
    return Image.open(io.BytesIO(bytes(e.image.value))).size


def css_size(e):
    """(width, height) the page gives the image, in CSS pixels."""
    sizes = e.image.layout.width, e.image.layout.height
    assert all(str(s).endswith("px") for s in sizes), sizes
    return tuple(int(s[:-2]) for s in sizes)


@pytest.mark.parametrize("make", [
    lambda net, x: widgets.cell_explorer(),
    lambda net, x: widgets.gate_explorer("o"),
    lambda net, x: widgets.model_explorer(net, x),
    lambda net, x: widgets.model_explorer(net.params, x),
], ids=["cell", "gate", "model", "model-without-head"])
def test_the_png_has_twice_the_pixels_of_its_css_size(network, make):
    """Sharp on a 2x (HiDPI) screen: one PNG pixel per device pixel, at
    a fixed CSS size the page does not stretch (object-fit keeps the
    proportions if a narrow page shrinks it)."""
    e = make(*network)
    width, height = css_size(e)
    assert png_size(e) == (2 * width, 2 * height)
    assert e.image.layout.object_fit == "contain"
    slider = sorted(sliders(e))[0]
    e.controls[slider].value = 0.5  # an update draws the same size
    assert png_size(e) == (2 * width, 2 * height)


def test_drawing_never_imports_pyplot():
    code = ("import sys, lstmref.widgets as w; e = w.cell_explorer(); "
            "e.controls['W_c'].value = 1.0; "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"


# Display -------------------------------------------------------------------

def test_bundle_holds_the_widget_and_the_initial_state_as_html():
    e = widgets.cell_explorer("count pulses")
    start = PRESETS["count pulses"]["weights"]
    e.controls["W_i"].value = 1.0  # the page starts from the initial state
    bundle = e._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == e.widget.model_id
    assert "text/plain" in bundle
    config = data_config(bundle)
    assert config["kind"] == "cell" and config["weights"] == start
    assert config["sliders"] == list(WEIGHTS) and config["focus"] is None
    assert config["input"] == "pulses" and set(config["presets"]) == set(
        PRESETS)


def test_gate_explorer_bundle_names_its_sliders_and_focus():
    config = data_config(widgets.gate_explorer("o")._repr_mimebundle_())
    assert config["sliders"] == ["W_o", "U_o", "b_o"]
    assert config["focus"] == "o" and config["presets"] == {}
    assert config["weights"] == PRESETS["latch on a pulse"]["weights"]


@pytest.mark.parametrize("backwards", [False, True])
def test_model_bundle_holds_the_params_and_head(network, backwards):
    net, x = network
    net = dataclasses.replace(net, go_backwards=backwards)
    bundle = widgets.model_explorer(net, x, output_names=["a", "b"]
                                    )._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    config = data_config(bundle)
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(config[name],
                                      getattr(net.params, name))
    np.testing.assert_array_equal(config["dense_kernel"], net.dense_kernel)
    np.testing.assert_array_equal(config["dense_bias"], net.dense_bias)
    assert config["output_names"] == ["a", "b"]
    # A page running the window forwards gets it in processing order.
    np.testing.assert_array_equal(config["x"], x[::-1] if backwards else x)


def test_an_explorer_without_its_hooks_says_which_is_missing():
    class Bare(widgets.Explorer):
        pass

    e = Bare(Figure(), {}, "{}")
    with pytest.raises(NotImplementedError, match="Bare._compute: an "
                                                  "Explorer must define"):
        e.update()
    Bare._compute = lambda self: None
    with pytest.raises(NotImplementedError, match="Bare._move: an "
                                                  "Explorer must define"):
        e.update()


# Errors --------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: widgets.cell_explorer("latch"), ValueError,
     r"preset: expected one of \['remember forever'"),
    (lambda: widgets.cell_explorer([1.0]), TypeError,
     r"preset: expected a dict of weights"),
    (lambda: widgets.cell_explorer({"W_i": 30.0}), ValueError,
     r"preset: W_i = 30.0 lies outside the sliders' range"),
    (lambda: widgets.cell_explorer(input="noise"), ValueError,
     r"input: expected one of \['step'"),
    (lambda: widgets.gate_explorer("g"), ValueError,
     r"gate: expected one of \['i', 'f', 'c', 'o'\], got 'g'"),
    (lambda: widgets.gate_explorer("forget"), ValueError, r"gate: "),
])
def test_cell_explorers_refuse_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_model_explorer_refuses_bad_arguments(network):
    net, x = network
    with pytest.raises(TypeError, match=r"params: expected an LSTMParams or"
                                        r" a Network \(.*\), got dict"):
        widgets.model_explorer({}, x)
    for bad in (x[:, :1], x[None, None], np.stack([x, x])):
        with pytest.raises(ValueError, match=r"x: expected one window "
                                             r"\(T, 2\) or \(1, T, 2\)"):
            widgets.model_explorer(net, bad)
    with pytest.raises(ValueError, match="x: expected finite numbers"):
        widgets.model_explorer(net, np.full((6, 2), np.nan))
    with pytest.raises(ValueError, match="input_names: expected 2 names"):
        widgets.model_explorer(net, x, input_names=["a"])
    with pytest.raises(ValueError, match="output_names: expected 2 names"):
        widgets.model_explorer(net, x, output_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="output_names: .* without a"):
        widgets.model_explorer(net.params, x, output_names=["a"])


def test_axis_limits_change_only_when_the_values_need_it():
    limits = widgets.symmetric_limits
    assert limits(np.array([0.3, -0.2])) == (-1.0, 1.0)  # at least 1
    assert limits(np.array([1.5])) == (-2.0, 2.0)
    assert limits(np.array([-4.0, 3.0])) == (-5.0, 5.0)
    assert limits(np.array([42.0, np.inf, np.nan])) == (-50.0, 50.0)
    assert limits(np.array([3.0]), (-5.0, 5.0)) == (-5.0, 5.0)  # kept
    assert limits(np.array([6.0]), (-5.0, 5.0)) == (-10.0, 10.0)  # grows
    assert limits(np.array([0.5]), (-5.0, 5.0)) == (-1.0, 1.0)  # shrinks
    assert limits(np.array([0.1]), (-1.0, 1.0)) == (-1.0, 1.0)
