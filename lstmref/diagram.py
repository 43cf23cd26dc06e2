"""The LSTM cell drawn as SVG, with one step's numbers on it.

    c_{t-1} --(x f)--(+ i c~)------------------------------> c_t
                |        |                       |
                |        (x)                   tanh
                |       /   \\                    |
               [f]    [i]   [c~]      [o] ------(x)
                |      |     |         |          |
    h_{t-1}, x_t ------+-----+---------+          +------> h_t

``cell_svg`` writes the picture as SVG text (no image file, no
matplotlib): x_t and h_{t-1} enter at the bottom and feed the four boxes
f, i, c~ (the candidate) and o, each with its activation; along the top
the cell state c_{t-1} is multiplied by f, then i * c~ is added, giving
c_t; o * tanh(c_t) is h_t, which leaves on the right. That is

    c_t = f * c_{t-1} + i * c~,    h_t = o * tanh(c_t)

Every element has the class ``lstm-diagram``; the root has ``role="img"``,
an ``aria-label``, a ``<title>`` and a ``<desc>`` (with the numbers when
they are shown). Each number is a ``<text>`` with ``data-name`` (its key
in ``VALUES``), ``data-symbol`` and ``data-value``: the float's repr
(for x, a JSON list of reprs), exact to the last bit. The static site's
script (``lstmref/web/lstm-explorer.js``) rewrites those texts and
attributes as its sliders move, so it copies ``label`` and ``sentence``.

``step_values`` reads the numbers of one step from an ``lstmref.trace``
result; ``show_cell`` displays the picture in Jupyter.
"""

import json
from html import escape

import numpy as np

from ._checks import as_float_array, check_real
from .layer import Trace

__all__ = ["HIGHLIGHTS", "VALUES", "cell_svg", "label", "sentence",
           "show_cell", "step_values"]

#: What ``highlight`` may name: a gate (c is the candidate) or the
#: cell-state line along the top.
HIGHLIGHTS = ("f", "i", "c", "o", "c_state")
#: The numbers the picture can show, with the symbol each is read as.
VALUES = {"x": "x_t", "h_prev": "h_{t-1}", "f": "f", "i": "i",
          "c_tilde": "c~", "o": "o", "c_prev": "c_{t-1}", "c": "c_t",
          "h": "h_t"}
#: Colour of each quantity (the explorers' plot colours).
COLORS = {"f": "#ff7f0e", "i": "#1f77b4", "c": "#2ca02c", "o": "#d62728",
          "c_state": "#9467bd", "h": "#8c564b", "x": "#555555",
          "line": "#444444"}
#: Each gate: name in words, activation, x of the box's centre.
GATE_BOXES = {"f": ("forget gate", "\u03c3", 170),
              "i": ("input gate", "\u03c3", 270),
              "c": ("candidate", "tanh", 350),
              "o": ("output gate", "\u03c3", 450)}
#: Where each number is written: (x, y, text-anchor).
PLACES = {"x": (118, 338, "start"), "h_prev": (8, 306, "start"),
          "f": (176, 150, "start"), "i": (276, 170, "start"),
          "c_tilde": (356, 170, "start"), "o": (489, 207, "start"),
          "c_prev": (8, 76, "start"), "c": (692, 76, "end"),
          "h": (692, 306, "end")}
WIDTH, HEIGHT = 700, 350
CELL_Y, GATE_Y, BUS_Y = 50, 215, 280  # the three horizontal lines
TITLE = "An LSTM cell"
ABOUT = (
    "Diagram of one LSTM cell. The input x_t and the previous hidden state"
    " h_{t-1} enter at the bottom and feed four boxes: the forget gate f "
    "(sigmoid), the input gate i (sigmoid), the candidate c~ (tanh) and "
    "the output gate o (sigmoid). Along the top, the previous cell state "
    "c_{t-1} is multiplied by f, then i times c~ is added, giving the new "
    "cell state c_t. tanh(c_t) multiplied by o is the new hidden state "
    "h_t, which leaves on the right.")
NAMED = {"f": "The forget gate f", "i": "The input gate i",
         "c": "The candidate c~", "o": "The output gate o",
         "c_state": "The cell-state line"}


def label(value):
    """The short text of one number: 3 decimals; x as a list of them.

    value: float, or a list of F floats (x) -> str, e.g. ``"0.731"``,
    ``"[0.500, -1.200]"``; a one-element list reads as its number.
    """
    if isinstance(value, list):
        if len(value) == 1:
            return label(value[0])
        shown = ", ".join(label(v) for v in value[:3])
        return f"[{shown}{', ...' if len(value) > 3 else ''}]"
    return f"{value + 0.0:.3f}"  # + 0.0: -0.0 reads as 0.000


def sentence(values):
    """The words for the numbers shown: ``"Values shown: f = 0.731, ..."``

    values: dict key -> number (keys of ``VALUES``, in that order).
    """
    parts = [f"{VALUES[k]} = {label(values[k])}" for k in VALUES
             if k in values]
    return f"Values shown: {', '.join(parts)}." if parts else ""


def _check_values(values):
    """values -> dict key -> float (x: list of floats), keys of VALUES."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise TypeError(f"values: expected a dict with keys from "
                        f"{list(VALUES)}, got {type(values).__name__}")
    unknown = sorted(set(values) - set(VALUES))
    if unknown:
        raise ValueError(f"values: unknown keys {unknown}; expected keys "
                         f"from {list(VALUES)}")
    checked = {}
    for key, value in values.items():
        if key == "x":
            x = as_float_array(value, "values['x']").reshape(-1)
            if x.size == 0 or not np.isfinite(x).all():
                raise ValueError(f"values['x']: expected one or more "
                                 f"finite numbers, got {value!r}")
            checked[key] = [float(v) for v in x]
        else:
            checked[key] = check_real(value, f"values[{key!r}]")
    return checked


def _el(tag, cls, body="", **attributes):
    """One SVG element of class ``lstm-diagram cls``; attributes given
    as keywords, ``_`` for ``-``; ``body`` is markup already escaped."""
    attrs = "".join(f' {k.replace("_", "-")}="'
                    f'{escape(str(v))}"' for k, v in attributes.items())
    klass = f"lstm-diagram {cls}".strip()
    if not body:
        return f'<{tag} class="{klass}"{attrs}/>'
    return f'<{tag} class="{klass}"{attrs}>{body}</{tag}>'


def _symbol(name, sub, x, y, cls, anchor="start", size=14):
    """A symbol with a subscript, ``name`` then ``sub`` lowered."""
    small = _el("tspan", "sub", escape(sub), baseline_shift="sub",
                font_size="75%")
    return _el("text", cls, escape(name) + small, x=x, y=y,
               font_size=size, text_anchor=anchor)


def _line(points, cls, color=COLORS["line"], width=1.6):
    """A polyline through points [(x, y), ...]."""
    d = " ".join(f"{x},{y}" for x, y in points)
    return _el("polyline", cls, points=d, fill="none", stroke=color,
               stroke_width=width)


def _arrow(x, y, direction, color=COLORS["line"]):
    """A small arrowhead with its tip at (x, y): 'up' or 'right'."""
    if direction == "up":
        tip = f"{x},{y} {x - 4},{y + 8} {x + 4},{y + 8}"
    else:
        tip = f"{x},{y} {x - 8},{y - 4} {x - 8},{y + 4}"
    return _el("polygon", "arrow", points=tip, fill=color)


def _node(x, y, sign, cls, color=COLORS["line"]):
    """A round operation node: a circle with x or + in it."""
    return (_el("circle", cls, cx=x, cy=y, r=11, fill="#ffffff",
                stroke=color, stroke_width=1.6)
            + _el("text", cls, escape(sign), x=x, y=y + 5, font_size=15,
                  text_anchor="middle"))


def _cell_state(lit):
    """The top line: c_{t-1} -> (x f) -> (+ i c~) -> c_t."""
    color = COLORS["c_state"]
    width = 5 if lit else 2.4
    parts = [_line([(60, CELL_Y), (640, CELL_Y)], "line", color, width),
             _arrow(646, CELL_Y, "right", color),
             _node(170, CELL_Y, "\u00d7", "node forget", color),
             _node(350, CELL_Y, "+", "node write", color),
             _symbol("c", "t-1", 8, CELL_Y + 5, "symbol"),
             _symbol("c", "t", 692, CELL_Y + 5, "symbol", "end")]
    return _el("g", "c-state" + (" highlight" if lit else ""),
               "".join(parts))


def _inputs():
    """The bottom bus [h_{t-1}, x_t] that feeds every gate."""
    parts = [_line([(60, BUS_Y), (450, BUS_Y)], "line"),
             _line([(110, HEIGHT - 30), (110, BUS_Y)], "line"),
             _el("circle", "join", cx=110, cy=BUS_Y, r=3,
                 fill=COLORS["line"]),
             _symbol("h", "t-1", 8, BUS_Y + 5, "symbol"),
             _symbol("x", "t", 104, HEIGHT - 14, "symbol", "end")]
    return _el("g", "inputs", "".join(parts))


def _gate(gate, lit):
    """One gate: its box with the activation, fed from the bus below,
    and its line to where it acts."""
    words, act, cx = GATE_BOXES[gate]
    color = COLORS[gate]
    top, bottom = GATE_Y - 20, GATE_Y + 20
    box = _el("rect", "box", x=cx - 34, y=top, width=68, height=40, rx=5,
              fill=color if lit else "#ffffff", fill_opacity=0.25,
              stroke=color, stroke_width=3.5 if lit else 1.6)
    name = "c\u0303" if gate == "c" else gate
    text = (_el("text", "name", escape(name), x=cx, y=GATE_Y - 3,
                font_size=14, font_weight="bold", text_anchor="middle",
                fill=color)
            + _el("text", "activation", escape(act), x=cx, y=GATE_Y + 13,
                  font_size=11, text_anchor="middle"))
    feed = _line([(cx, BUS_Y), (cx, bottom + 8)], "line")
    feed += _arrow(cx, bottom, "up")
    if gate == "f":  # up to the product on the cell-state line
        out = _line([(cx, top), (cx, CELL_Y + 19)], "line", color)
        out += _arrow(cx, CELL_Y + 11, "up", color)
    elif gate == "i":  # across to i * c~
        out = _line([(cx, top), (cx, 120), (331, 120)], "line", color)
        out += _arrow(339, 120, "right", color)
    elif gate == "c":  # up to i * c~, which goes up to the sum
        out = _line([(cx, top), (cx, 139)], "line", color)
        out += _arrow(cx, 131, "up", color)
        out += _node(cx, 120, "\u00d7", "node", COLORS["i"])
        out += _line([(cx, 109), (cx, CELL_Y + 19)], "line")
        out += _arrow(cx, CELL_Y + 11, "up")
    else:  # across to o * tanh(c_t)
        out = _line([(cx + 34, GATE_Y), (531, GATE_Y)], "line", color)
        out += _arrow(539, GATE_Y, "right", color)
    cls = f"gate gate-{gate}" + (" highlight" if lit else "")
    return _el("g", cls, box + text + feed + out, aria_label=words)


def _output():
    """tanh(c_t), times o, leaves as h_t."""
    x = 550
    parts = [_line([(x, CELL_Y), (x, 98)], "line"),
             _el("ellipse", "tanh", cx=x, cy=110, rx=22, ry=12,
                 fill="#ffffff", stroke=COLORS["line"], stroke_width=1.6),
             _el("text", "tanh", "tanh", x=x, y=114, font_size=11,
                 text_anchor="middle"),
             _line([(x, 122), (x, GATE_Y - 19)], "line"),
             _arrow(x, GATE_Y - 11, "up"),
             _node(x, GATE_Y, "\u00d7", "node"),
             _line([(x, GATE_Y + 11), (x, BUS_Y), (640, BUS_Y)], "line",
                   COLORS["h"]),
             _arrow(646, BUS_Y, "right", COLORS["h"]),
             _symbol("h", "t", 692, BUS_Y + 5, "symbol", "end")]
    return _el("g", "output", "".join(parts))


def _numbers(values):
    """One <text> per number shown, with its exact value as data."""
    parts = []
    for key in (k for k in VALUES if k in values):  # sentence's order
        value = values[key]
        x, y, anchor = PLACES[key]
        data = json.dumps(value) if key == "x" else repr(value)
        color = COLORS.get({"c_tilde": "c", "c_prev": "c_state",
                            "c": "c_state", "h_prev": "h"}.get(key, key),
                           COLORS["line"])
        parts.append(_el("text", f"value value-{key}", escape(label(value)),
                         x=x, y=y, font_size=12, font_family="monospace",
                         text_anchor=anchor, fill=color, data_name=key,
                         data_symbol=VALUES[key], data_value=data))
    return _el("g", "values", "".join(parts)) if parts else ""


def cell_svg(highlight=None, values=None):
    """The LSTM cell as SVG text, optionally lit and with numbers.

    highlight: one of ``HIGHLIGHTS`` (a gate f, i, c, o, or "c_state"),
    drawn bold, or None. values: None or a dict with keys from
    ``VALUES`` (x: a number or a list of the F inputs; the rest numbers,
    e.g. the dict of ``step_values``), each written where it belongs.
    Returns one ``<svg>`` element, 700 x 350 user units.
    """
    if highlight is not None and highlight not in HIGHLIGHTS:
        raise ValueError(f"highlight: expected one of {list(HIGHLIGHTS)} "
                         f"or None, got {highlight!r}")
    values = _check_values(values)
    about = ABOUT + (f" {NAMED[highlight]} is highlighted." if highlight
                     else "")
    spoken = " ".join(filter(None, [about, sentence(values)]))
    body = (_el("title", "", TITLE)
            + _el("desc", "", escape(spoken), data_text=about)
            + _cell_state(highlight == "c_state") + _inputs()
            + "".join(_gate(g, highlight == g) for g in GATE_BOXES)
            + _output() + _numbers(values))
    return _el("svg", "", body, xmlns="http://www.w3.org/2000/svg",
               viewBox=f"0 0 {WIDTH} {HEIGHT}", width=WIDTH,
               height=HEIGHT, role="img",
               aria_label=f"{TITLE}. {spoken}", font_family="sans-serif",
               style="max-width: 100%; height: auto")


def _index(value, n, argument, meaning):
    """value as an int in 0 .. n-1, or a clear error."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) \
            or not 0 <= value < n:
        raise ValueError(f"{argument}: expected an integer from 0 to "
                         f"{n - 1} ({meaning}), got {value!r}")
    return int(value)


def step_values(trace, x, step, unit=0, batch=0):
    """The numbers of one step of one unit, for ``cell_svg``.

    trace: an ``lstmref.Trace``, arrays (B, T, u); x: the input it ran
    on, in processing order (reverse it for ``go_backwards``): (B, T, F),
    or (T, F) or (T,) for one sequence. Returns a dict over ``VALUES``:
    x (list of the F inputs x_t), h_prev and c_prev (the states before
    the step: the initial states at step 0), i, f, c_tilde, o, c, h
    (after it), floats. At a masked step c and h are carried over.
    """
    if not isinstance(trace, Trace):
        raise TypeError(f"trace: expected an lstmref Trace (the result of"
                        f" lstmref.trace), got {type(trace).__name__}")
    B, T, u = trace.h.shape
    x = as_float_array(x, "x")
    if x.ndim in (1, 2):  # one sequence
        x = x.reshape(1, x.shape[0], -1)
    if x.ndim != 3 or x.shape[:2] != (B, T):
        raise ValueError(f"x: expected the trace's input, (B={B}, T={T}, "
                         f"F) or for one sequence (T={T}, F) or (T={T},),"
                         f" got shape {np.shape(x)}")
    step = _index(step, T, "step", "the trace's steps")
    unit = _index(unit, u, "unit", "the trace's units")
    batch = _index(batch, B, "batch", "the trace's sequences")
    before = (trace.h0[batch, unit], trace.c0[batch, unit]) if step == 0 \
        else (trace.h[batch, step - 1, unit], trace.c[batch, step - 1, unit])
    values = {"x": [float(v) for v in x[batch, step]],
              "h_prev": before[0], "c_prev": before[1]}
    for key in ("i", "f", "c_tilde", "o", "c", "h"):
        values[key] = getattr(trace, key)[batch, step, unit]
    return {k: values[k] if k == "x" else float(values[k]) for k in VALUES}


def show_cell(highlight=None, values=None):
    """``cell_svg(highlight, values)`` as an IPython HTML object, shown
    inline so that its title, description and classes reach the page.
    """
    from IPython.display import HTML
    return HTML(cell_svg(highlight, values))
