"""Jupyter widgets that move an LSTM's weights and redraw what it does.

Every number drawn is computed by lstmref: ``explorer.cell_trace`` (that
is, ``lstmref.trace``) for the one-input, one-unit cell of
``cell_explorer`` and ``gate_explorer``, ``lstmref.trace`` and the Dense
head for a whole model in ``model_explorer``. Inputs, presets and slider
ranges come from ``lstmref.explorer``, which the book's static pages read
too, so the two kinds of explorer cannot drift apart.

Drawing: one ``matplotlib.figure.Figure`` on the Agg canvas (no pyplot,
so nothing displays itself), rendered to PNG into an ``ipywidgets.Image``.
Axes, ticks and legends are drawn once into a background; a slider move
restores it, draws only the moved lines and bars over it (blitting) and
encodes the PNG. Everything is drawn again only when an axis has to
change its limits. This module alone imports ipywidgets and matplotlib.
"""

import io
import time
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox
from PIL import Image as PILImage

from . import explorer
from .layer import trace
from .network import Network
from .params import GATES, LSTMParams

__all__ = ["Explorer", "cell_explorer", "gate_explorer", "model_explorer"]

#: The trace field of each gate letter, and the legend of each field.
GATE_FIELDS = {"i": "i", "f": "f", "c": "c_tilde", "o": "o"}
LABELS = {"x": "x, input", "i": "i, input gate", "f": "f, forget gate",
          "c_tilde": "c_tilde, candidate", "o": "o, output gate",
          "c": "c, cell state", "h": "h, hidden state"}
MATRICES = ("kernel", "recurrent_kernel", "bias")
#: Low resolution keeps a full redraw and the PNG cheap.
DPI = 64
COLORS = {"x": "0.3", "i": "tab:blue", "f": "tab:orange",
          "c_tilde": "tab:green", "o": "tab:red", "c": "tab:purple",
          "h": "tab:brown"}


class Explorer:
    """Controls, a figure drawn to PNG, and the lstmref state it shows.

    ``controls`` (name -> widget), ``lines`` (name -> Line2D), ``figure``,
    ``image`` (the PNG) and ``widget`` (the box to display). ``timing``
    holds the last update's milliseconds (``compute``, ``total``). In
    Jupyter the widget is shown; the bundle also carries
    ``explorer.static_html`` of the initial state for the book's pages.
    """

    def __init__(self, figure, controls, config):
        self.figure, self.controls, self.config = figure, controls, config
        self.canvas = FigureCanvasAgg(figure)
        self.lines, self.bars, self.limits = {}, {}, {}
        self.image = widgets.Image(format="png")
        self.timing = {}
        self._background, self._quiet = None, False

    def _finish(self, rows, listen):
        """Box the control rows above the image, listen, draw once.

        rows: lists of widgets; listen: names of the controls whose
        change is an ordinary update.
        """
        self.widget = widgets.VBox([widgets.HBox(row) for row in rows]
                                   + [self.image])
        for artist in self._moving():
            artist.set_animated(True)  # drawn over the background only
        for name in listen:
            self.controls[name].observe(self._changed, names="value")
        self.update()

    def _moving(self):
        """Every artist an update may move: lines and bars."""
        return [*self.lines.values(),
                *(r for bars in self.bars.values() for r in bars)]

    @contextmanager
    def _hold(self):
        """Set several controls with no update until the end."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _changed(self, change):
        if not self._quiet:
            self.update()

    def update(self):
        """Recompute with lstmref, move the artists, render the PNG."""
        start = time.perf_counter()
        self._compute()
        computed = time.perf_counter()
        self._render(self._move())
        end = time.perf_counter()
        self.timing = {"compute": 1e3 * (computed - start),
                       "total": 1e3 * (end - start)}

    def _set_limit(self, ax, name, limits):
        """Set an axes' y limits; ``[ax]`` if they changed, else []."""
        if self.limits.get(name) == limits:
            return []
        self.limits[name] = limits
        ax.set_ylim(*limits)
        return [ax]

    def _render(self, changed):
        """Blit the moved artists over the background, then encode PNG.

        changed: the axes whose limits changed; only they are drawn
        again into the background.
        """
        if self._background is None:
            self.canvas.draw()  # skips the animated artists
        elif changed:
            self._redraw(changed)
        else:
            self.canvas.restore_region(self._background)
        if self._background is None or changed:
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        for artist in self._moving():
            artist.axes.draw_artist(artist)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buffer = io.BytesIO()
        PILImage.fromarray(rgba[..., :3]).save(buffer, "png",
                                                compress_level=1)
        self.image.value = buffer.getvalue()

    def _redraw(self, changed):
        """Draw some axes again into the background, nothing else.

        Legends are the dearest part of a drawing and never change, so
        they stay as drawn first: each axes' band of the canvas stops at
        its right edge, where the legends begin.
        """
        hidden = [ax for ax in self.figure.axes if ax not in changed]
        hidden += [ax.get_legend() for ax in self.figure.axes
                   if ax.get_legend() is not None]
        for artist in hidden:
            artist.set_visible(False)
        try:
            self.canvas.draw()
        finally:
            for artist in hidden:
                artist.set_visible(True)
        bands = [self.canvas.copy_from_bbox(self._band(ax))
                 for ax in changed]
        self.canvas.restore_region(self._background)
        for band in bands:
            self.canvas.restore_region(band)

    def _band(self, ax):
        """The pixels of one axes and its tick labels, legend excluded."""
        axes = self.figure.axes
        k = axes.index(ax)
        box = ax.get_position()
        top = 1.0 if k == 0 else (box.y1 + axes[k - 1].get_position().y0) / 2
        bottom = (0.0 if k == len(axes) - 1
                  else (box.y0 + axes[k + 1].get_position().y1) / 2)
        width, height = self.figure.bbox.width, self.figure.bbox.height
        return Bbox.from_extents(0, bottom * height,
                                 box.x1 * width + 2, top * height)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/html"] = explorer.static_html(self.config)
        return bundle


def symmetric_limits(values, current=None):
    """(-m, m) holding ``values``, m = 1, 2 or 5 times 10^k, at least 1.

    ``current`` is kept while the values fit in it and fill more than a
    fifth of it, so that most slider moves redraw no axis.
    """
    finite = np.abs(values[np.isfinite(values)])
    m = float(finite.max()) if finite.size else 0.0
    if current is not None and m <= current[1] and (
            m > current[1] / 5 or current[1] == 1.0):
        return current
    target = max(1.0, 1.05 * m)
    power = 10.0 ** np.floor(np.log10(target))
    half = next(k * power for k in (1, 2, 5, 10) if k * power >= target)
    return (-float(half), float(half))


def _new_figure(heights, height, n_time):
    """A Figure on the Agg canvas; the first ``n_time`` axes share t."""
    figure = Figure(figsize=(7.0, height), dpi=DPI)
    grid = figure.add_gridspec(len(heights), 1, height_ratios=heights,
                               left=0.09, right=0.76, top=0.97,
                               bottom=0.1, hspace=0.2 if n_time ==
                               len(heights) else 0.4)
    axes = []
    for k in range(len(heights)):
        ax = figure.add_subplot(grid[k], sharex=axes[0] if 0 < k < n_time
                                else None)
        ax.tick_params(labelsize=9, labelbottom=k >= n_time - 1)
        ax.grid(True, lw=0.4, alpha=0.5)
        axes.append(ax)
    return figure, axes


def _weight_slider(name, value):
    lo, hi = explorer.WEIGHT_RANGE
    return widgets.FloatSlider(
        value=value, min=lo, max=hi, step=explorer.WEIGHT_STEP,
        description=name, readout_format=".1f",
        layout=widgets.Layout(width="300px"))


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


class _CellExplorer(Explorer):
    """The one-input, one-unit cell: twelve (or three) weight sliders."""

    def __init__(self, weights, input_name, sliders, focus, preset):
        lo, hi = explorer.WEIGHT_RANGE
        for name in sliders:
            if not lo <= weights[name] <= hi:
                raise ValueError(
                    f"preset: {name} = {weights[name]} lies outside the "
                    f"sliders' range {explorer.WEIGHT_RANGE}")
        self.fixed, self._inputs = dict(weights), {}
        config = explorer.cell_config(weights, sliders=sliders,
                                      presets=focus is None,
                                      input=input_name, focus=focus)
        controls = {name: _weight_slider(name, weights[name])
                    for name in sliders}
        controls["input"] = widgets.Dropdown(
            options=list(explorer.INPUTS), value=input_name,
            description="input x")
        if focus is None:
            controls["preset"] = widgets.Dropdown(
                options=list(explorer.PRESETS), value=preset,
                description="preset")
        figure, (ax_x, ax_g, ax_s) = _new_figure([1, 2, 2], 5.0, 3)
        super().__init__(figure, controls, config)
        self._axes = {"x": ax_x, "gates": ax_g, "states": ax_s}
        t = np.arange(explorer.STEPS)
        for ax, names in ((ax_x, ["x"]), (ax_s, ["c", "h"]),
                          (ax_g, [GATE_FIELDS[g] for g in GATES])):
            for name in names:
                focused = focus is None or name in ("x", "c", "h") \
                    or name == GATE_FIELDS[focus]
                self.lines[name], = ax.plot(
                    t, np.zeros_like(t, float), color=COLORS[name],
                    lw=2.2 if focused and focus else 1.5,
                    alpha=1.0 if focused else 0.3, label=LABELS[name])
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      fontsize=9, frameon=False)
        ax_g.set_ylim(-1.1, 1.1)  # sigma in (0, 1), tanh in (-1, 1)
        ax_s.set_xlim(0, explorer.STEPS - 1)
        ax_s.set_xlabel("step t", fontsize=9)
        names = list(sliders)
        rows = [[controls["input"]] + (
            [controls["preset"]] if focus is None else [])]
        rows += [[controls[n] for n in names[k:k + 3]]
                 for k in range(0, len(names), 3)]
        self._finish(rows, listen=names + ["input"])
        if focus is None:
            controls["preset"].observe(self._choose_preset, names="value")
            for name in names:
                controls[name].observe(self._unset_preset, names="value")

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
    sliders = tuple(f"{m}_{gate}" for m in "WUb")
    return _CellExplorer(weights, input, sliders, gate, None)


class _ModelExplorer(Explorer):
    """One weight of a whole model scaled; one unit's c and h, the output.
    """

    def __init__(self, params, network, x, input_names, output_names):
        self.network, self.x = network, x
        self.backwards = bool(network is not None and network.go_backwards)
        u, n_in = params.units, params.input_dim
        self.input_names = list(input_names or
                                [f"x{k}" for k in range(n_in)])
        # The page's script runs forwards: a go_backwards layer gets the
        # window reversed, which is the order it reads it in.
        config = explorer.model_config(
            params, x[::-1] if self.backwards else x,
            None if network is None else network.dense_kernel,
            None if network is None else network.dense_bias,
            dense_activation=("linear" if network is None
                              else network.dense_activation),
            input_names=self.input_names, output_names=output_names)
        self.original = params
        self.original_trace = trace(x[None], params,
                                    go_backwards=self.backwards)
        controls = {
            "unit": widgets.Dropdown(
                options=[(f"unit {k}", k) for k in range(u)], value=0,
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
        }
        self.readout = widgets.HTML()
        heights = [2, 2] + ([2] if network is not None else [])
        figure, axes = _new_figure(heights, 1.6 * len(heights) + 0.5, 2)
        super().__init__(figure, controls, config)
        self._set_rows()
        T = x.shape[0]
        t = np.arange(T)
        self._axes = dict(zip(("c", "h", "y"), axes))
        for name in ("c", "h"):
            ax = self._axes[name]
            self.lines[name + "_original"], = ax.plot(
                t, np.zeros(T), color="0.5", ls="--", lw=1.5,
                label=f"{name} original")
            self.lines[name], = ax.plot(t, np.zeros(T), color=COLORS[name],
                                        lw=2, label=f"{name} modified")
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      fontsize=9, frameon=False)
        axes[0].set_xlim(-0.2, T - 0.8)
        axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[1].set_xlabel("step t" + (" (processing order: the window "
                                       "reversed)" if self.backwards
                                       else ""), fontsize=9)
        if network is not None:
            self._bar_axes(axes[2], output_names)
        self._finish([[controls["unit"], controls["gate"]],
                      [controls["matrix"], controls["row"]],
                      [controls["scale"], self.readout]],
                     listen=["unit", "gate", "row", "scale"])
        controls["matrix"].observe(self._choose_matrix, names="value")

    def _bar_axes(self, ax, output_names):
        """Original and modified predictions as bars, one pair a output.
        """
        net = self.network
        names = list(output_names or [f"y{k}" for k in range(net.n_out)])
        self.original_prediction = net.predict(self.x[None])[0]
        k = np.arange(net.n_out)
        zero = np.zeros(net.n_out)
        self.bars["y_original"] = ax.bar(k - 0.2, zero, 0.4, color="0.6",
                                         label="original")
        self.bars["y"] = ax.bar(k + 0.2, zero, 0.4, color="tab:cyan",
                                label="modified")
        ax.set_xticks(k, names)
        ax.set_axisbelow(True)  # grid under the bars, as when blitted
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=9, frameon=False)

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
        unit = self.controls["unit"].value
        changed = []
        for name in ("c", "h"):
            new = getattr(self.trace, name)[0, :, unit]
            old = getattr(self.original_trace, name)[0, :, unit]
            self.lines[name].set_ydata(new)
            self.lines[name + "_original"].set_ydata(old)
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
        c = self.controls
        gate, matrix, unit = c["gate"].value, c["matrix"].value, \
            c["unit"].value
        column = GATES.index(gate) * self.original.units + unit
        if matrix == "bias":
            value, where = self.original.bias_or_zeros()[column], ""
        else:
            value = getattr(self.original, matrix)[c["row"].value, column]
            where = f"{c['row'].label} &rarr; "
        symbol = {"kernel": "W", "recurrent_kernel": "U", "bias": "b"}
        self.readout.value = (
            f"{symbol[matrix]}<sub>{gate}</sub> [{where}unit {unit}] = "
            f"{value:.3g} &times; {c['scale'].value:.2f}")


def model_explorer(params, x, *, input_names=None, output_names=None):
    """Scale one weight of a trained LSTM (0 removes it) and watch it act.

    params: ``LSTMParams``, or a ``Network`` (LSTM + Dense head, whose
    prediction per output is drawn too, original against modified);
    x: one window (T, input_dim), or (1, T, input_dim). Controls: unit,
    gate, matrix (kernel, recurrent_kernel, bias), row and scale in
    [0, 2]; the weight is ``explorer.scaled_weight(params, gate, matrix,
    row, unit, scale)`` and the plot shows that unit's c and h.
    """
    network = params if isinstance(params, Network) else None
    if network is not None:
        params = network.params
    if not isinstance(params, LSTMParams):
        raise TypeError("params: expected an LSTMParams or a Network, got "
                        f"{type(params).__name__}")
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
