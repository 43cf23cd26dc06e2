"""The one-input, one-unit cell's explorers: all twelve weights, or one
gate's three.

Every curve is ``explorer.cell_trace`` (that is, ``lstmref.trace``) of
the weights the sliders show: x, the gates i, f, c_tilde, o and the
states c, h over ``explorer.STEPS`` steps. A cell's weights are named
after z_g = W_g x_t + U_g h_{t-1} + b_g, g in i, f, c, o.

Under the plot, the cell diagram (``lstmref.diagram``) shows the numbers
of one step, chosen with the ``step`` slider, from that same trace.
"""

import ipywidgets as widgets
import numpy as np

from .. import explorer
from ..params import GATES
from .base import COLORS, GATE_FIELDS, LABELS, Explorer, new_figure, \
    symmetric_limits

__all__ = ["cell_explorer", "gate_explorer"]


class _CellExplorer(Explorer):
    """The one-input, one-unit cell: twelve (or three) weight sliders."""

    def __init__(self, weights, input_name, sliders, focus, preset):
        lo, hi = explorer.WEIGHT_RANGE
        for name in sliders:
            if not lo <= weights[name] <= hi:
                raise ValueError(
                    f"preset: {name} = {weights[name]} lies outside the "
                    f"sliders' range {explorer.WEIGHT_RANGE}")
        self.fixed = dict(weights)  # under the sliders: the rest stay
        self._inputs = {}  # input name -> x (T,), each computed once
        self.x, self.trace = None, None  # x (T,), Trace: by _compute
        config = explorer.cell_config(weights, sliders=sliders,
                                      presets=focus is None,
                                      input=input_name, focus=focus)
        controls = _controls(weights, input_name, sliders, focus, preset)
        figure, axes = new_figure([1, 2, 2], 5.0, 3)
        super().__init__(figure, controls, config)
        self.focus = focus
        # The cell diagram at one step: SVG in an HTML widget, below.
        self.diagram = widgets.HTML(layout=widgets.Layout(width="700px"))
        self._axes = dict(zip(("x", "gates", "states"), axes))
        self._draw_lines(focus)
        names = list(sliders)
        rows = [[controls["input"]] + (
            [controls["preset"]] if focus is None else [])]
        rows += [[controls[n] for n in names[k:k + 3]]
                 for k in range(0, len(names), 3)]
        self._finish(rows, listen=names + ["input", "step"])
        self.widget.children += (controls["step"], self.diagram)
        if focus is None:
            controls["preset"].observe(self._choose_preset, names="value")
            for name in names:
                controls[name].observe(self._unset_preset, names="value")

    def _draw_lines(self, focus):
        """One line per trace field and the input, at zero for now.

        focus: the gate drawn bold over the others, or None (all alike).
        """
        ax = self._axes
        t = np.arange(explorer.STEPS)
        for axes, names in ((ax["x"], ["x"]), (ax["states"], ["c", "h"]),
                            (ax["gates"], [GATE_FIELDS[g] for g in GATES])):
            for name in names:
                focused = focus is None or name in ("x", "c", "h") \
                    or name == GATE_FIELDS[focus]
                self.lines[name], = axes.plot(
                    t, np.zeros_like(t, float), color=COLORS[name],
                    lw=2.2 if focused and focus else 1.5,
                    alpha=1.0 if focused else 0.3, label=LABELS[name])
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                        fontsize=9, frameon=False)
            # the step the diagram shows, dotted across every axes
            self.lines[f"step {names[0]}"] = axes.axvline(
                explorer.DIAGRAM_STEP, color="0.4", ls=":", lw=1.2)
        ax["gates"].set_ylim(-1.1, 1.1)  # sigma in (0, 1), tanh in (-1, 1)
        ax["states"].set_xlim(0, explorer.STEPS - 1)
        ax["states"].set_xlabel("step t", fontsize=9)

    @property
    def weights(self):
        """The twelve weights now in force (sliders over the fixed)."""
        return {**self.fixed, **{n: self.controls[n].value
                                 for n in explorer.WEIGHTS
                                 if n in self.controls}}

    @property
    def input(self):
        """Name of the input sequence now shown."""
        return self.controls["input"].value

    def _compute(self):
        if self.input not in self._inputs:  # the weather file: read once
            self._inputs[self.input] = explorer.input_sequence(self.input)
        self.x = self._inputs[self.input]
        self.trace = explorer.cell_trace(self.weights, self.x)

    def _move(self):
        step = self.controls["step"].value
        self.diagram.value = explorer.step_diagram(self.trace, self.x, step,
                                                   focus=self.focus)
        for name in ("x", "c", "i"):  # the first line of each axes
            self.lines[f"step {name}"].set_xdata([step, step])
        tr = self.trace
        self.lines["x"].set_ydata(self.x)
        for name in ("i", "f", "c_tilde", "o", "c", "h"):
            self.lines[name].set_ydata(getattr(tr, name)[0, :, 0])
        x_lo, x_hi = min(0.0, self.x.min()), max(1.0, self.x.max())
        pad = 0.1 * (x_hi - x_lo)
        changed = self._set_limit(self._axes["x"], "x",
                                  (x_lo - pad, x_hi + pad))
        states = np.concatenate([tr.c[0, :, 0], tr.h[0, :, 0]])
        limits = symmetric_limits(states, self.limits.get("states"))
        return changed + self._set_limit(self._axes["states"], "states",
                                         limits)

    def _choose_preset(self, change):
        if change["new"] is None:
            return
        chosen = explorer.PRESETS[change["new"]]
        with self._hold():  # twelve sliders, one recompute
            for name in explorer.WEIGHTS:
                self.controls[name].value = chosen["weights"][name]
            self.controls["input"].value = chosen["input"]
        self.update()

    def _unset_preset(self, change):
        if not self._quiet:  # a reader's own weights: no preset chosen
            with self._hold():
                self.controls["preset"].value = None


def _controls(weights, input_name, sliders, focus, preset):
    """A slider per name in ``sliders``, the input menu and, with no
    gate in focus, the preset menu; name -> widget."""
    lo, hi = explorer.WEIGHT_RANGE
    controls = {name: widgets.FloatSlider(
        value=weights[name], min=lo, max=hi, step=explorer.WEIGHT_STEP,
        description=name, readout_format=".1f",
        layout=widgets.Layout(width="300px")) for name in sliders}
    controls["input"] = widgets.Dropdown(
        options=list(explorer.INPUTS), value=input_name,
        description="input x")
    controls["step"] = widgets.IntSlider(
        value=explorer.DIAGRAM_STEP, min=0, max=explorer.STEPS - 1,
        description="step t", layout=widgets.Layout(width="500px"))
    if focus is None:
        controls["preset"] = widgets.Dropdown(
            options=list(explorer.PRESETS), value=preset,
            description="preset")
    return controls


def _start(preset, input):
    """(weights, input name) from a preset name or dict, and an input."""
    if isinstance(preset, str):
        if preset not in explorer.PRESETS:
            raise ValueError(f"preset: expected one of "
                             f"{list(explorer.PRESETS)} or a dict of "
                             f"weights, got {preset!r}")
        weights = explorer.PRESETS[preset]["weights"]
        own = explorer.PRESETS[preset]["input"]
    else:
        weights, own = preset, "pulses"
    if input is not None and input not in explorer.INPUTS:
        raise ValueError(f"input: expected one of {list(explorer.INPUTS)}"
                         f" or None (the preset's), got {input!r}")
    return explorer.check_weights(weights, "preset"), input or own


def cell_explorer(preset="latch on a pulse", *, input=None):
    """Sliders for all twelve weights of a one-input, one-unit cell.

    preset: a name from ``explorer.PRESETS`` or a dict of weights
    (missing names are 0); input: a name from ``explorer.INPUTS`` (the
    preset's own by default). Draws x, the gates i, f, c_tilde, o and the
    states c, h over ``explorer.STEPS`` steps, from ``lstmref.trace``.
    """
    weights, input = _start(preset, input)
    name = preset if isinstance(preset, str) else None
    return _CellExplorer(weights, input, explorer.WEIGHTS, None, name)


def gate_explorer(gate, preset="latch on a pulse", *, input=None):
    """Sliders for one gate's W_g, U_g and b_g; the rest stay the preset's.

    gate: ``"i"``, ``"f"``, ``"c"`` (the candidate) or ``"o"``. The gate
    is drawn bold over the others, with c and h below it.
    """
    if gate not in GATES:
        raise ValueError(f"gate: expected one of {list(GATES)}, got "
                         f"{gate!r}")
    weights, input = _start(preset, input)
    sliders = tuple(n for n in explorer.WEIGHTS if n.endswith(f"_{gate}"))
    return _CellExplorer(weights, input, sliders, gate, None)
