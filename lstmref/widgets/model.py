"""The model explorer: scale one weight of a trained LSTM, watch it act.

The modified model is ``explorer.scaled_weight(params, gate, matrix, row,
unit, scale)`` run by ``lstmref.trace``; with a Dense head (a
``Network``) its prediction is ``network.head`` of the last h. One unit's
c and h are drawn, modified over original, and the predictions as bars.
Under them, the cell diagram (``lstmref.diagram``) shows that unit's
numbers at one step of the modified model, chosen with ``step``.
"""

import json

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import explorer
from ..layer import trace
from ..network import Network
from ..params import GATES, check_params
from .base import COLORS, GATE_FIELDS, LABELS, Explorer, new_figure, \
    symmetric_limits

__all__ = ["model_explorer"]

#: The matrices a weight is chosen from, in the order of
#: ``LSTMParams.gate``, and the symbol of each in the equations.
MATRICES = {"kernel": "W", "recurrent_kernel": "U", "bias": "b"}


class _ModelExplorer(Explorer):
    """One weight of a whole model scaled; one unit's c and h, the output.
    """

    def __init__(self, params, network, x, input_names, output_names):
        self.network, self.x, self.original = network, x, params
        self.backwards = bool(network is not None and network.go_backwards)
        config = self._config(input_names, output_names)
        names = json.loads(config)  # defaults filled in: the page's names
        self.input_names = names["input_names"]
        self.output_names = names["output_names"]  # None without a head
        self.original_trace, self.original_prediction = self._reference()
        # The modified model, by _compute; scale 1 is the original.
        self.params, self.trace = params, self.original_trace
        self.prediction = self.original_prediction
        self.readout = widgets.HTML()  # the chosen weight and its scale
        # The cell diagram at one step: SVG in an HTML widget, below.
        self.diagram = widgets.HTML(layout=widgets.Layout(width="700px"))
        figure, axes = self._figure()
        super().__init__(figure, self._controls(), config)
        self._axes = dict(zip(("c", "h", "y"), axes))
        self._set_rows()
        self._state_lines()
        if network is not None:
            self._bars()
        self._listen()

    def _config(self, input_names, output_names):
        """The static page's JSON. Its script runs forwards: a
        go_backwards layer gets the window reversed, the order it reads.
        """
        net = self.network
        head = {} if net is None else {
            "dense_kernel": net.dense_kernel, "dense_bias": net.dense_bias,
            "dense_activation": net.dense_activation}
        return explorer.model_config(
            self.original, self.x[::-1] if self.backwards else self.x,
            **head, input_names=input_names, output_names=output_names)

    def _reference(self):
        """The unmodified model's trace and prediction (None: no head)."""
        tr = trace(self.x[None], self.original, go_backwards=self.backwards)
        if self.network is None:
            return tr, None
        return tr, self.network.predict(self.x[None])[0]

    def _controls(self):
        """Unit, gate, matrix, row and scale; name -> widget."""
        units = self.original.units
        return {
            "unit": widgets.Dropdown(
                options=[(f"unit {k}", k) for k in range(units)], value=0,
                description="unit"),
            "gate": widgets.Dropdown(
                options=[(LABELS[GATE_FIELDS[g]], g) for g in GATES],
                value="f", description="gate"),
            "matrix": widgets.Dropdown(options=list(MATRICES),
                                       value="kernel",
                                       description="matrix"),
            "row": widgets.Dropdown(description="row"),
            "scale": widgets.FloatSlider(
                value=1.0, min=0.0, max=2.0, step=0.05,
                description="scale", readout_format=".2f"),
            "step": widgets.IntSlider(  # the diagram's; the last at first
                value=len(self.x) - 1, min=0, max=len(self.x) - 1,
                description="step t", layout=widgets.Layout(width="500px")),
        }

    def _figure(self):
        """Axes for c and h over t, and for the outputs with a head."""
        heights = [2, 2] + ([2] if self.network is not None else [])
        figure, axes = new_figure(heights, 1.6 * len(heights) + 0.5, 2)
        T = self.x.shape[0]
        axes[0].set_xlim(-0.2, T - 0.8)
        axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[1].set_xlabel("step t" + (" (processing order: the window "
                                       "reversed)" if self.backwards
                                       else ""), fontsize=9)
        return figure, axes

    def _state_lines(self):
        """c and h, original (dashed) and modified, at zero for now."""
        T = self.x.shape[0]
        t = np.arange(T)
        for name in ("c", "h"):
            ax = self._axes[name]
            self.lines[name + "_original"], = ax.plot(
                t, np.zeros(T), color="0.5", ls="--", lw=1.5,
                label=f"{name} original")
            self.lines[name], = ax.plot(t, np.zeros(T), color=COLORS[name],
                                        lw=2, label=f"{name} modified")
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      fontsize=9, frameon=False)
            # the step the diagram shows, dotted
            self.lines[f"step {name}"] = ax.axvline(T - 1, color="0.4",
                                                    ls=":", lw=1.2)

    def _bars(self):
        """Original and modified predictions as bars, one pair a output.
        """
        ax, n_out = self._axes["y"], self.network.n_out
        k = np.arange(n_out)
        zero = np.zeros(n_out)
        self.bars["y_original"] = ax.bar(k - 0.2, zero, 0.4, color="0.6",
                                         label="original")
        self.bars["y"] = ax.bar(k + 0.2, zero, 0.4, color="tab:cyan",
                                label="modified")
        ax.set_xticks(k, self.output_names)
        ax.set_axisbelow(True)  # grid under the bars, as when blitted
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=9, frameon=False)

    def _listen(self):
        """Lay out the controls, draw once; a matrix change sets rows."""
        c = self.controls
        self._finish([[c["unit"], c["gate"]], [c["matrix"], c["row"]],
                      [c["scale"], self.readout]],
                     listen=["unit", "gate", "row", "scale", "step"])
        self.widget.children += (c["step"], self.diagram)
        c["matrix"].observe(self._choose_matrix, names="value")

    def _set_rows(self):
        """The row choices for the chosen matrix (none for the bias)."""
        row = self.controls["row"]
        matrix = self.controls["matrix"].value
        if matrix == "kernel":
            options = [(n, k) for k, n in enumerate(self.input_names)]
        elif matrix == "recurrent_kernel":
            options = [(f"h_t-1 of unit {k}", k)
                       for k in range(self.original.units)]
        else:
            options = [("(a bias has none)", 0)]
        with self._hold():
            row.options, row.value = options, 0
        row.disabled = matrix == "bias"

    def _choose_matrix(self, change):
        self._set_rows()
        self.update()

    def _compute(self):
        c = self.controls
        self.params = explorer.scaled_weight(
            self.original, c["gate"].value, c["matrix"].value,
            c["row"].value, c["unit"].value, c["scale"].value)
        self.trace = trace(self.x[None], self.params,
                           go_backwards=self.backwards)
        if self.network is not None:
            # Network.predict is this head on the last h of this trace.
            self.prediction = self.network.head(self.trace.h[:, -1])[0]

    def _move(self):
        unit, step = self.controls["unit"].value, self.controls["step"].value
        x = self.x[::-1] if self.backwards else self.x  # processing order
        self.diagram.value = explorer.step_diagram(self.trace, x, step, unit)
        changed = []
        for name in ("c", "h"):
            new = getattr(self.trace, name)[0, :, unit]
            old = getattr(self.original_trace, name)[0, :, unit]
            self.lines[name].set_ydata(new)
            self.lines[name + "_original"].set_ydata(old)
            self.lines[f"step {name}"].set_xdata([step, step])
            limits = symmetric_limits(np.concatenate([new, old]),
                                      self.limits.get(name))
            changed += self._set_limit(self._axes[name], name, limits)
        if self.network is not None:
            for name, y in (("y", self.prediction),
                            ("y_original", self.original_prediction)):
                for rect, value in zip(self.bars[name], y):
                    rect.set_height(value)
            limits = symmetric_limits(
                np.concatenate([self.prediction, self.original_prediction]),
                self.limits.get("y"))
            changed += self._set_limit(self._axes["y"], "y", limits)
        self._show_weight()
        return changed

    def _show_weight(self):
        """The readout: which weight, its value and the scale on it."""
        c = self.controls
        gate, matrix, unit = (c["gate"].value, c["matrix"].value,
                              c["unit"].value)
        block = dict(zip(MATRICES, self.original.gate(gate)))[matrix]
        if matrix == "bias":
            value, where = block[unit], ""
        else:
            value = block[c["row"].value, unit]
            where = f"{c['row'].label} &rarr; "
        self.readout.value = (
            f"{MATRICES[matrix]}<sub>{gate}</sub> [{where}unit {unit}] = "
            f"{value:.3g} &times; {c['scale'].value:.2f}")


def model_explorer(params, x, *, input_names=None, output_names=None):
    """Scale one weight of a trained LSTM (0 removes it) and watch it act.

    params: ``LSTMParams``, or a ``Network`` (LSTM + Dense head, whose
    prediction per output is drawn too, original against modified);
    x: one window (T, input_dim), or (1, T, input_dim). Controls: unit,
    gate, matrix (kernel, recurrent_kernel, bias), row and scale in
    [0, 2]; the weight is ``explorer.scaled_weight(params, gate, matrix,
    row, unit, scale)`` and the plot shows that unit's c and h.
    input_names, output_names: labels of the rows and the bars; None
    gives the defaults of ``explorer.model_config``.
    """
    network = params if isinstance(params, Network) else None
    if network is not None:
        params = network.params
    check_params(params, also="a Network")
    array = np.asarray(x, dtype=np.float64)
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 2 or array.shape[1] != params.input_dim:
        raise ValueError(
            f"x: expected one window (T, {params.input_dim}) or (1, T, "
            f"{params.input_dim}), got shape {np.shape(x)}")
    if not np.isfinite(array).all():
        raise ValueError("x: expected finite numbers, got inf or NaN")
    if output_names is not None and network is None:
        raise ValueError("output_names: expected None for params "
                         "without a Dense head, got a list")
    for name, names, n in (("input_names", input_names, params.input_dim),
                           ("output_names", output_names,
                            network and network.n_out)):
        if names is not None and len(names) != n:
            raise ValueError(f"{name}: expected {n} names, got "
                             f"{len(names)}")
    return _ModelExplorer(params, network, array, input_names, output_names)
