"""Import Keras without TensorFlow's start-up log lines: the book's plumbing.

While it loads, TensorFlow's C++ code writes log lines (CUDA probes, absl
notices) straight to the process's file descriptor 2, before any Python
setting can silence them. They are not part of any lesson, and an error
message of the command line must stay one line, so both the chapters and
``python -m lstmref`` import Keras through here::

    from lstmref.quiet import import_keras
    keras = import_keras()

Only the standard library is imported until ``import_keras`` is called.
"""

import contextlib
import importlib
import os
import sys

__all__ = ["import_keras", "quiet_stderr"]


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
    then imports Keras with fd 2 muted. A second call costs nothing.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with quiet_stderr():
        return importlib.import_module("keras")
