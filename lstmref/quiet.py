"""Import Keras without TensorFlow's start-up log lines: the book's plumbing.

While it loads, TensorFlow's C++ code writes log lines (CUDA probes, absl
notices) straight to the process's file descriptor 2, before any Python
setting can silence them. They are not part of any lesson, and an error
message of the command line must stay one line, so both the chapters and
``python -m lstmref`` import Keras through here::

    from lstmref.quiet import import_keras
    keras = import_keras()

Only the standard library is imported until ``import_keras`` is called.

``import_keras`` also makes the process quick to end (``freeze_at_exit``):
with TensorFlow loaded, Python's clean-up at exit took 2 to 4 s of every
chapter's kernel on this project's machine, time the build counted as the
chapter's.
"""

import atexit
import contextlib
import gc
import importlib
import os
import sys

__all__ = ["import_keras", "quiet_stderr", "freeze_at_exit"]

_freezing = []  # one entry once freeze_at_exit has registered gc.freeze


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
    then imports Keras with fd 2 muted, and calls ``freeze_at_exit``. A
    second call costs nothing.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with quiet_stderr():
        keras = importlib.import_module("keras")
    freeze_at_exit()
    return keras


def freeze_at_exit():
    """Have ``gc.freeze()`` run at exit, so that the process ends quickly.

    TensorFlow and Keras leave millions of Python objects in the process.
    At exit, after the ``atexit`` handlers, Python tears down its modules
    and runs its cyclic garbage collector over every object still alive;
    with TensorFlow loaded that took 2 to 4 s on this project's 2-core
    machine (0.1 to 0.3 s with this handler). ``gc.freeze()`` moves every
    object to the permanent generation, which those collections skip.
    Nothing else changes: objects are still freed as their reference
    counts drop, every other exit handler runs, the standard streams are
    flushed and the exit status is kept. Only objects caught in reference
    cycles at exit are left to the operating system without their
    ``__del__``, which Python does not promise to call at exit anyway.
    Registered once per process; a second call does nothing.
    """
    if not _freezing:
        atexit.register(gc.freeze)
        _freezing.append(gc.freeze)
