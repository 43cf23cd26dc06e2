"""Read (and so execute) the chapters that start no TensorFlow last.

Sphinx reads the documents of a build in the order of their names, and
MyST-NB executes each chapter as it is read. In a build whose model
cache is empty, the first chapter to call ``lstmref.story.setup()``
trains the book's model, which imports Keras and TensorFlow (about 4 s
of a chapter's kernel). A chapter that calls ``setup(keras=False)``
imports neither when the model is stored; if it came first, it would
import them only to train. So the documents whose source contains
``setup(keras=False)`` move behind the others, which keep Sphinx's
order: whichever chapter trains imports Keras anyway. What each chapter
computes does not depend on the order (each has a kernel of its own, and
the cache returns the same weights bit for bit as a training).
"""

import functools
import time
from pathlib import Path

from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: How a chapter asks for the model without Keras.
WITHOUT_KERAS = "setup(keras=False)"
#: The start of the log line that lists the chapters in execution order.
EXECUTED = "Chapters executed in this order:"


def without_keras(app, docname):
    """Whether the source of ``docname`` calls ``setup(keras=False)``."""
    path = Path(app.env.doc2path(docname))
    try:
        return WITHOUT_KERAS in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def keras_chapters_first(app, env, docnames):
    """Reorder ``docnames`` in place: those without Keras last, each
    group in the order Sphinx gave."""
    docnames.sort(key=lambda name: without_keras(app, name))


def report_order(started, app, exception):
    """``build-finished``: log the chapters this build executed (MyST-NB's
    time stamp of each execution after ``started``) in the order they
    finished."""
    if exception is not None:
        return
    records = NbMetadataCollector.get_doc_data(app.env)
    done = sorted((data["exec_data"]["mtime"], docname)
                  for docname, data in records.items()
                  if data.get("exec_data")
                  and data["exec_data"]["mtime"] >= started)
    logger.info(EXECUTED + " " + " ".join(name for _, name in done))


def setup(app):
    started = time.time()
    app.connect("env-before-read-docs", keras_chapters_first)
    app.connect("build-finished", functools.partial(report_order, started))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
