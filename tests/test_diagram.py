"""The cell diagram: well-formed, accessible SVG whose numbers are the
cell's own, written out here by hand and checked against Keras 3.

Every number shown carries its float's repr in ``data-value``, so these
tests read the exact value back; the hand-written cell below and lstmref
agree to round-off (1e-12: the same float64 operations in another order).
"""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import lstmref
from lstmref import diagram
from lstmref.diagram import HIGHLIGHTS, VALUES, cell_svg, step_values
from helpers import as_list, keras_lstm, random_params

SVG = "{http://www.w3.org/2000/svg}"
TOL = 1e-12


def parse(svg):
    return ET.fromstring(svg)


def classes(element):
    return element.get("class", "").split()


def shown(svg):
    """key -> the exact number (x: list) each value label carries."""
    return {e.get("data-name"): json.loads(e.get("data-value"))
            for e in parse(svg).iter() if e.get("data-name")}


def by_hand(params, x, h0, c0):
    """The LSTM equations written out, one step at a time, in NumPy.

    params: kernel (F, 4u), recurrent_kernel (u, 4u), bias (4u), blocks
    i, f, c, o; x (T, F) one sequence. Returns a list over steps of
    dicts with x, h_prev, c_prev, i, f, c_tilde, o, c, h, each (u,).
    """
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))
    u = params.units
    W, U, b = params.kernel, params.recurrent_kernel, params.bias
    h, c, steps = h0, c0, []
    for x_t in x:
        z = x_t @ W + h @ U + b
        i, f = sigmoid(z[:u]), sigmoid(z[u:2 * u])
        c_tilde, o = np.tanh(z[2 * u:3 * u]), sigmoid(z[3 * u:])
        c_new = f * c + i * c_tilde
        h_new = o * np.tanh(c_new)
        steps.append({"x": x_t, "h_prev": h, "c_prev": c, "i": i, "f": f,
                      "c_tilde": c_tilde, "o": o, "c": c_new, "h": h_new})
        h, c = h_new, c_new
    return steps


@pytest.fixture
def run():
    """3 units, 2 inputs, 2 sequences of 7 steps, non-zero initial
    states; every weight and bias non-zero."""
    rng = np.random.default_rng(12)
    params = random_params(rng, units=3, input_dim=2, scale=1.5)
    x = rng.normal(size=(2, 7, 2))
    h0, c0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    tr = lstmref.trace(x, params, initial_state=[h0, c0])
    return params, x, h0, c0, tr


@pytest.mark.parametrize("highlight", [None, *HIGHLIGHTS])
@pytest.mark.parametrize("with_values", [False, True])
def test_every_element_has_the_class_and_the_svg_parses(highlight,
                                                         with_values, run):
    _, x, _, _, tr = run
    values = step_values(tr, x, 3, unit=1) if with_values else None
    root = parse(cell_svg(highlight, values))
    assert root.tag == SVG + "svg"
    elements = list(root.iter())
    assert len(elements) > 50
    missing = [e.tag for e in elements if "lstm-diagram" not in classes(e)]
    assert missing == []


def test_the_picture_has_its_parts_and_alt_text():
    root = parse(cell_svg())
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith("An LSTM cell. Diagram of")
    title, desc = root[0], root[1]
    assert (title.tag, title.text) == (SVG + "title", "An LSTM cell")
    assert desc.tag == SVG + "desc" and "forget gate f" in desc.text
    gates = [e for e in root.iter() if "gate" in classes(e)]
    assert [c for e in gates for c in classes(e) if c.startswith("gate-")
            ] == ["gate-f", "gate-i", "gate-c", "gate-o"]
    for gate in gates:  # each box says its activation
        act = [e.text for e in gate.iter() if "activation" in classes(e)]
        assert act == ["tanh" if "gate-c" in classes(gate) else "\u03c3"]
    names = [e for e in root.iter() if "node" in classes(e)
             and e.tag == SVG + "text"]
    # f x c_{t-1}, + i x c~, i x c~, o x tanh(c_t)
    assert sorted(e.text for e in names) == ["+", *"\u00d7" * 3]
    # no numbers without values
    assert shown(cell_svg()) == {}


@pytest.mark.parametrize("highlight", HIGHLIGHTS)
def test_highlight_changes_exactly_that_parts_class(highlight):
    plain, lit = parse(cell_svg()), parse(cell_svg(highlight))
    group = "c-state" if highlight == "c_state" else f"gate-{highlight}"
    pairs = list(zip(plain.iter(), lit.iter()))
    assert len(pairs) == len(list(plain.iter())) == len(list(lit.iter()))
    changed = [(a.get("class"), b.get("class")) for a, b in pairs
               if a.get("class") != b.get("class")]
    assert changed == [(f"lstm-diagram {group}".replace(
        "lstm-diagram gate-", "lstm-diagram gate gate-"),
        f"lstm-diagram {group} highlight".replace(
        "lstm-diagram gate-", "lstm-diagram gate gate-"))]
    # drawn differently inside that group only; the alt text says so
    inside = {id(e) for g in lit.iter() if group in classes(g)
              for e in g.iter()}
    for a, b in pairs:
        if id(b) not in inside and b.tag not in (SVG + "svg", SVG + "desc"):
            assert a.attrib == b.attrib and a.text == b.text, b.tag
    assert "highlighted" in lit[1].text and "highlighted" not in plain[1].text
    assert "highlighted" in lit.get("aria-label")


@pytest.mark.parametrize("batch, step, unit", [(0, 0, 0), (1, 0, 2),
                                               (0, 4, 1), (1, 6, 0)])
def test_shown_values_are_the_cell_computed_by_hand(run, batch, step, unit):
    params, x, h0, c0, tr = run
    expected = by_hand(params, x[batch], h0[batch], c0[batch])[step]
    values = step_values(tr, x, step, unit=unit, batch=batch)
    assert list(values) == list(VALUES)
    got = shown(cell_svg("f", values))
    assert set(got) == set(VALUES)
    np.testing.assert_array_equal(got["x"], expected["x"])
    for key in VALUES:
        if key != "x":
            assert abs(got[key] - expected[key][unit]) <= TOL, key
    # the states before step 0 are the initial ones
    if step == 0:
        assert got["h_prev"] == h0[batch, unit]
        assert got["c_prev"] == c0[batch, unit]


def test_shown_states_equal_keras(run):
    """c_{t-1}, c_t, h_{t-1}, h_t of the picture against Keras 3's layer
    run over the first steps (float64; 1e-12 is round-off)."""
    params, x, h0, c0, tr = run
    layer = keras_lstm(params, return_state=True)
    step, unit = 5, 2
    got = shown(cell_svg(None, step_values(tr, x, step, unit=unit,
                                           batch=1)))
    for key_h, key_c, steps in (("h_prev", "c_prev", step),
                                ("h", "c", step + 1)):
        _, h, c = as_list(layer(x[:, :steps], initial_state=[h0, c0]))
        assert abs(got[key_h] - h[1, unit]) <= TOL
        assert abs(got[key_c] - c[1, unit]) <= TOL


def test_the_numbers_are_labelled_short_and_described_in_words(run):
    _, x, _, _, tr = run
    values = step_values(tr, x, 2, unit=0)
    root = parse(cell_svg(None, values))
    texts = {e.get("data-name"): e.text for e in root.iter()
             if e.get("data-name")}
    assert texts["f"] == f"{values['f']:.3f}"
    assert texts["x"] == "[{:.3f}, {:.3f}]".format(*values["x"])
    desc = root[1].text
    assert f"f = {values['f']:.3f}" in desc
    assert f"c_t = {values['c']:.3f}" in desc
    assert desc.endswith(".") and root.get("aria-label").endswith(desc)
    assert diagram.label(-0.0) == "0.000" and diagram.label([2.0]) == "2.000"
    assert diagram.label([1.0, 2, 3, 4]) == "[1.000, 2.000, 3.000, ...]"


def test_a_scalar_x_and_a_few_values_are_accepted():
    got = shown(cell_svg("o", {"x": 0.5, "o": 0.25}))
    assert got == {"x": [0.5], "o": 0.25}


def test_step_values_reads_one_sequence_given_as_t_by_f_or_t():
    x = np.linspace(-1, 1, 6)
    params = lstmref.LSTMParams(np.full((1, 4), 0.5), np.full((1, 4), -0.3),
                                np.array([0.1, 0.2, -0.3, 0.4]))
    tr = lstmref.trace(x[None, :, None], params)
    a = step_values(tr, x, 4)
    assert a == step_values(tr, x[:, None], 4)
    assert a == step_values(tr, x[None, :, None], 4)
    assert a["x"] == [x[4]]


@pytest.mark.parametrize("kwargs, message", [
    ({"step": 7}, r"^step: expected an integer from 0 to 6 .*got 7$"),
    ({"step": -1}, r"^step: expected an integer from 0 to 6 .*got -1$"),
    ({"step": 2.0}, r"^step: expected an integer .*got 2.0$"),
    ({"step": True}, r"^step: expected an integer .*got True$"),
    ({"step": 1, "unit": 3}, r"^unit: expected an integer from 0 to 2 "),
    ({"step": 1, "batch": 2}, r"^batch: expected an integer from 0 to 1 "),
])
def test_step_values_refuses_a_bad_step_unit_or_batch(run, kwargs, message):
    _, x, _, _, tr = run
    with pytest.raises(ValueError, match=message):
        step_values(tr, x, **kwargs)


def test_step_values_refuses_what_is_not_the_traces_input(run):
    _, x, _, _, tr = run
    with pytest.raises(ValueError, match=r"^x: expected the trace's input"
                       r".*got shape \(2, 6, 2\)$"):
        step_values(tr, x[:, :6], 1)
    with pytest.raises(TypeError, match=r"^trace: expected an lstmref "
                       r"Trace .*got dict$"):
        step_values({"h": tr.h}, x, 1)


@pytest.mark.parametrize("args, error, message", [
    (("g",), ValueError, r"^highlight: expected one of \['f', 'i', 'c', "
                         r"'o', 'c_state'\] or None, got 'g'$"),
    ((None, [1.0]), TypeError, r"^values: expected a dict"),
    ((None, {"z": 1.0}), ValueError, r"^values: unknown keys \['z'\]"),
    ((None, {"f": float("nan")}), ValueError, r"^values\['f'\]: expected "
                                              r"a finite number"),
    ((None, {"f": "0.5"}), TypeError, r"^values\['f'\]: expected a real"),
    ((None, {"x": []}), ValueError, r"^values\['x'\]: expected one or "),
])
def test_cell_svg_refuses_bad_arguments_by_name(args, error, message):
    with pytest.raises(error, match=message):
        cell_svg(*args)


def test_show_cell_is_the_svg_as_html():
    from IPython.display import HTML
    shown_cell = diagram.show_cell(highlight="f")
    assert isinstance(shown_cell, HTML)
    assert shown_cell.data == cell_svg("f")
