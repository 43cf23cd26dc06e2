"""What every chapter starts with: one call, one model, one window.

    from lstmref.story import setup
    s = setup()

``setup()`` imports Keras quietly, its objects kept out of the garbage
collector's walks (``lstmref.quiet``: a build's kernels run and end
seconds sooner), gets the trained weather model (trained once per
machine and build, then read from disk: ``weather.stored_forecaster``)
and runs its LSTM layer over all of 2015 from zero states, as one
sequence. The book's one window is the 60 days from 1 October 2015
inside that run: the states there are warmed up by nine months of
weather, and the days cover Seattle's turn from dry summer to rainy
autumn. Chapters slice ``s.run`` and ``s.days`` with ``s.window``;
nothing else is set up in a chapter.

``setup(keras=False)`` is the same story for a chapter that never calls
Keras: the model is read from the ``.keras`` file Keras saved when it
was trained (``lstmref.files``), so TensorFlow is not imported, which
saves a kernel about 4 s; the objects alive then (matplotlib's, IPython's)
are kept out of the collector's walks all the same, which saves its exit
about 0.5 s. ``s.keras`` and ``s.model`` still work there;
the first use imports Keras (quietly) and builds the model.
"""

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from . import weather
from ._checks import check_flag
from .files import network_from_file
from .layer import Trace, trace
from .network import Network
from .params import LSTMParams

__all__ = ["WINDOW_START", "WINDOW_DAYS", "Story", "setup"]

#: The first day of the book's one window, and its length in days.
WINDOW_START = "2015-10-01"
WINDOW_DAYS = 60


@dataclass(frozen=True)
class Story:
    """The trained model and the book's window, read once per kernel."""

    data: dict  #: ``train_forecaster``'s data: windows, mean, std, ...
    net: Network  #: the whole model in lstmref (LSTM -> Dense)
    params: LSTMParams  #: the trained LSTM layer's weights
    days: np.ndarray  #: (365,) datetime64[D], every day of 2015
    raw: np.ndarray  #: (365, 4) the measured values, ``weather.FEATURES``
    x: np.ndarray  #: (1, 365, 4) the same, standardized as for training
    run: Trace  #: the trained layer over all of 2015 from h0 = c0 = 0
    window: slice  #: the 60 days from ``WINDOW_START``, indexing ``days``
    model_file: Path  #: the trained model as Keras saved it (``.keras``)

    @cached_property
    def keras(self):
        """The keras module, imported quietly (``lstmref.quiet``)."""
        from .quiet import import_keras
        return import_keras()

    @cached_property
    def model(self):
        """The trained Keras Sequential (not compiled), its weights those
        of ``net`` bit for bit."""
        self.keras  # the quiet import first
        return weather.cached_train_forecaster()[0]


def setup(keras=True):
    """The ``Story`` every chapter uses (read once per kernel).

    keras: import Keras now and build ``s.model`` (True), or leave both
    to the first use of ``s.keras`` or ``s.model`` (False: a chapter that
    does not call Keras then never imports TensorFlow).
    """
    check_flag(keras, "keras")
    if keras:
        from .quiet import import_keras
        import_keras()  # before anything else imports TensorFlow
    story = _story()
    if keras:
        story.model
    else:
        from .quiet import freeze_gc
        freeze_gc()  # matplotlib's and IPython's objects: a faster exit
    return story


@lru_cache(maxsize=1)
def _story():
    stored = weather.stored_forecaster()
    folder = Path(tempfile.mkdtemp(prefix="lstmref-story-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    model_file = folder / "forecaster.keras"
    model_file.write_bytes(stored.keras_file)
    net = network_from_file(model_file)
    table = weather.load_weather()
    scaled, _, _ = weather.standardize(table["features"])
    first = weather.N_TRAIN_DAYS  # 1 January 2015
    days = np.array([d.replace("/", "-") for d in table["date"][first:]],
                    dtype="datetime64[D]")
    x = scaled[first:][None]
    start = int(np.flatnonzero(days == np.datetime64(WINDOW_START))[0])
    return Story(data=stored.data, net=net, params=net.params, days=days,
                 raw=table["features"][first:], x=x,
                 run=trace(x, net.params),
                 window=slice(start, start + WINDOW_DAYS),
                 model_file=model_file)
