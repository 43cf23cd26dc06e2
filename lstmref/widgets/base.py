"""The canvas every explorer shares: a figure drawn to a sharp PNG.

One ``matplotlib.figure.Figure`` on the Agg canvas (no pyplot, so nothing
displays itself), rendered to PNG into an ``ipywidgets.Image``. Axes,
ticks and legends are drawn once into a background; a slider move
restores it, draws only the moved lines and bars over it (blitting) and
encodes the PNG. Everything is drawn again only when an axis has to
change its limits.

Sizes: a figure of w x h inches is shown as w * CSS_DPI by h * CSS_DPI
CSS pixels, and its PNG holds PIXEL_RATIO times as many pixels each way,
so a 2x (HiDPI) screen shows one PNG pixel per device pixel. The image
widget's CSS width and height are fixed, so the page neither stretches
the PNG nor blurs it.
"""

import io
import time
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image as PILImage

from .. import explorer

__all__ = ["COLORS", "CSS_DPI", "Explorer", "GATE_FIELDS", "LABELS",
           "PIXEL_RATIO", "css_size", "new_figure", "symmetric_limits"]

#: The trace field of each gate letter, and the legend of each field.
GATE_FIELDS = {"i": "i", "f": "f", "c": "c_tilde", "o": "o"}
LABELS = {"x": "x, input", "i": "i, input gate", "f": "f, forget gate",
          "c_tilde": "c_tilde, candidate", "o": "o, output gate",
          "c": "c, cell state", "h": "h, hidden state"}
COLORS = {"x": "0.3", "i": "tab:blue", "f": "tab:orange",
          "c_tilde": "tab:green", "o": "tab:red", "c": "tab:purple",
          "h": "tab:brown"}
#: CSS pixels per inch of figure: the size the page shows. The CSS
#: standard's 96, so that the figure's text is as large as the controls'.
CSS_DPI = 96
#: PNG pixels per CSS pixel: one per device pixel on a 2x screen.
PIXEL_RATIO = 2
#: Width of every explorer's figure in inches (672 CSS pixels).
WIDTH = 7.0


class Explorer:
    """Controls, a figure drawn to PNG, and the lstmref state it shows.

    ``controls`` (name -> widget), ``lines`` (name -> Line2D), ``bars``
    (name -> bar rectangles), ``figure``, ``image`` (the PNG, shown at
    ``css_size(figure)``) and ``widget`` (the box to display). ``timing``
    holds the last update's milliseconds (``compute``, ``total``). In
    Jupyter the widget is shown; the bundle also carries
    ``explorer.static_html`` of the initial state for the book's pages.

    A subclass defines the two hooks ``update`` calls, in this order:

    - ``_compute()``: run lstmref for the values the controls show and
      keep the results as attributes (set first in ``__init__``). Only
      this is timed as ``timing["compute"]``.
    - ``_move()``: move the artists of ``lines`` and ``bars`` to those
      results and set y limits with ``_set_limit``; return the list of
      axes whose limits changed (drawn again into the background).

    Its ``__init__`` adds the artists, then calls ``_finish`` once.
    """

    def __init__(self, figure, controls, config):
        self.figure, self.controls, self.config = figure, controls, config
        self.canvas = FigureCanvasAgg(figure)
        self.lines, self.bars, self.limits = {}, {}, {}
        # Without a CSS size the VBox stretches the <img> to the output's
        # width (flex items stretch); a fixed one keeps it 1:1.
        width, height = css_size(figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", height=f"{height}px", object_fit="contain"))
        self.widget = widgets.VBox()  # rows of controls, then the image
        self.timing = {}
        self._background, self._quiet = None, False

    def _compute(self):
        raise NotImplementedError(
            f"{type(self).__name__}._compute: an Explorer must define "
            "_compute(), which runs lstmref for the controls' values")

    def _move(self):
        raise NotImplementedError(
            f"{type(self).__name__}._move: an Explorer must define "
            "_move(), which moves the artists and returns the axes whose "
            "limits changed")

    def _finish(self, rows, listen):
        """Box the control rows above the image, listen, draw once.

        rows: lists of widgets; listen: names of the controls whose
        change is an ordinary update.
        """
        self.widget.children = ([widgets.HBox(row) for row in rows]
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
        spine = 2 * PIXEL_RATIO  # the right spine, 2 CSS pixels
        return Bbox.from_extents(0, bottom * height,
                                 box.x1 * width + spine, top * height)

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


def css_size(figure):
    """(width, height) in whole CSS pixels at which the page shows it."""
    w, h = figure.get_size_inches() * CSS_DPI
    return round(w), round(h)


def new_figure(heights, height, n_time):
    """A Figure on the Agg canvas; the first ``n_time`` axes share t.

    heights: the axes' height ratios; height: the figure's in inches,
    rounded to whole CSS pixels so that the PNG's (PIXEL_RATIO times as
    many) are whole too.
    """
    size = np.round(np.array([WIDTH, height]) * CSS_DPI) / CSS_DPI
    figure = Figure(figsize=size, dpi=CSS_DPI * PIXEL_RATIO)
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
