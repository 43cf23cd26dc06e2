"""Jupyter widgets that move an LSTM's weights and redraw what it does.

Every number drawn is computed by lstmref: ``explorer.cell_trace`` (that
is, ``lstmref.trace``) for the one-input, one-unit cell of
``cell_explorer`` and ``gate_explorer``, ``lstmref.trace`` and the Dense
head for a whole model in ``model_explorer``. Inputs, presets and slider
ranges come from ``lstmref.explorer``, which the book's static pages read
too, so the two kinds of explorer cannot drift apart.

- ``base``: the ``Explorer`` every widget is, its figure drawn to a
  sharp PNG (blitting: only what moved is drawn again);
- ``cell``: ``cell_explorer`` and ``gate_explorer``;
- ``model``: ``model_explorer``.

Under every explorer, the cell diagram (``lstmref.diagram``) shows one
unit's numbers at a step chosen with its ``step`` slider.

This package alone imports ipywidgets and matplotlib.
"""

from .base import GATE_FIELDS, Explorer, symmetric_limits
from .cell import cell_explorer, gate_explorer
from .model import model_explorer

__all__ = ["Explorer", "cell_explorer", "gate_explorer", "model_explorer"]
