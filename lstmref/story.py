"""What every chapter starts with: one call, one model, one window.

    from lstmref.story import setup
    s = setup()

``setup()`` imports Keras quietly, its objects kept out of the garbage
collector's walks (``lstmref.quiet``: a build's kernels run and end
seconds sooner), gets the trained weather model
(``weather.cached_train_forecaster``: trained once per machine and
build, then read from disk) and runs its LSTM layer over all of 2015
from zero states, as one sequence. The book's one window is the
60 days from 1 October 2015 inside that run: the states there are
warmed up by nine months of weather, and the days cover Seattle's turn
from dry summer to rainy autumn. Chapters slice ``s.run`` and
``s.days`` with ``s.window``; nothing else is set up in a chapter.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import weather
from .layer import Trace, trace
from .network import Network, from_keras_model
from .params import LSTMParams

__all__ = ["WINDOW_START", "WINDOW_DAYS", "Story", "setup"]

#: The first day of the book's one window, and its length in days.
WINDOW_START = "2015-10-01"
WINDOW_DAYS = 60


@dataclass(frozen=True)
class Story:
    """The trained model and the book's window, read once per kernel."""

    keras: object  #: the keras module, imported quietly
    model: object  #: the trained Keras Sequential (not compiled)
    data: dict  #: ``train_forecaster``'s data: windows, mean, std, ...
    net: Network  #: the whole model in lstmref (LSTM -> Dense)
    params: LSTMParams  #: the trained LSTM layer's weights
    days: np.ndarray  #: (365,) datetime64[D], every day of 2015
    raw: np.ndarray  #: (365, 4) the measured values, ``weather.FEATURES``
    x: np.ndarray  #: (1, 365, 4) the same, standardized as for training
    run: Trace  #: the trained layer over all of 2015 from h0 = c0 = 0
    window: slice  #: the 60 days from ``WINDOW_START``, indexing ``days``


@lru_cache(maxsize=1)
def setup():
    """The ``Story`` every chapter uses (computed once per kernel)."""
    from .quiet import import_keras
    keras = import_keras()
    model, data = weather.cached_train_forecaster()
    net = from_keras_model(model)
    table = weather.load_weather()
    scaled, _, _ = weather.standardize(table["features"])
    first = weather.N_TRAIN_DAYS  # 1 January 2015
    days = np.array([d.replace("/", "-") for d in table["date"][first:]],
                    dtype="datetime64[D]")
    x = scaled[first:][None]
    start = int(np.flatnonzero(days == np.datetime64(WINDOW_START))[0])
    return Story(keras=keras, model=model, data=data, net=net,
                 params=net.params, days=days,
                 raw=table["features"][first:], x=x, run=trace(x, net.params),
                 window=slice(start, start + WINDOW_DAYS))
