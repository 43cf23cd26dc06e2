"""Import Keras without TensorFlow's start-up log lines: the book's plumbing.

While it loads, TensorFlow's C++ code writes log lines (CUDA probes, absl
notices) straight to the process's file descriptor 2, before any Python
setting can silence them. They are not part of any lesson, and an error
message of the command line must stay one line, so both the chapters and
``python -m lstmref`` import Keras through here::

    from lstmref.quiet import import_keras
    keras = import_keras()

Only the standard library is imported until ``import_keras`` is called.

``import_keras`` also keeps Python's garbage collector off the objects
that TensorFlow and Keras create at import (``freeze_gc``): walking them
again and again took about 1 s of every chapter's kernel while it ran and
2 to 4 s more at its exit, on this project's machine, time the build
counted as the chapter's.
"""

import atexit
import contextlib
import gc
import importlib
import os
import sys

__all__ = ["import_keras", "quiet_stderr", "freeze_gc"]

_frozen = []  # one entry once freeze_gc has run


@contextlib.contextmanager
def quiet_stderr():
    """Send file descriptor 2 to /dev/null for the ``with`` block.

    Python exceptions still propagate, and are reported after the block.
    Where there is no file descriptor 2 (some embedded interpreters) there
    is nothing to hide, and the block runs as it is.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_keras():
    """Import and return ``keras`` with TensorFlow's C++ logs silenced.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (errors only) and the TensorFlow
    backend unless they are set already (both are read once, at import);
    then imports Keras with fd 2 muted and the garbage collector paused,
    and calls ``freeze_gc``. A second call costs nothing.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    collecting = gc.isenabled()
    # The import's objects live as long as the process: no collection
    # walks them while they are made (full ones took about 0.4 s of it).
    gc.disable()
    try:
        with quiet_stderr():
            keras = importlib.import_module("keras")
    finally:
        if collecting:
            gc.enable()
    freeze_gc()
    return keras


def freeze_gc():
    """Move the objects alive now out of the garbage collector's walks,
    now and again at exit (``gc.freeze()``); only the first call acts.

    Python's cyclic garbage collector walks every object it tracks in
    each full collection. After ``import keras`` those are about 320,000
    objects of TensorFlow, Keras and matplotlib that live as long as the
    process: a full collection took about 0.25 s, a chapter ran about
    five, and at exit, when Python tears its modules down, the walks took
    2 to 4 s more per kernel (0.1 to 0.3 s with this function), on this
    project's 2-core machine. ``gc.freeze()`` moves every tracked object
    to the permanent generation, which collections skip.

    Nothing a chapter computes changes. Objects are still freed as
    their reference counts drop; objects created later are collected as
    always, cycles included; every exit handler runs, the standard
    streams are flushed and the exit status is kept. A reference cycle
    that was already garbage when this ran, or is one at exit, is not
    collected (a young one is, by a collection of the two younger
    generations first; right after ``import keras`` a full collection
    finds none). Python does not promise ``__del__`` at exit anyway.
    """
    if _frozen:
        return
    gc.collect(1)
    gc.freeze()
    # Objects made after this call are frozen too before the exit's walks.
    atexit.register(gc.freeze)
    _frozen.append(True)
