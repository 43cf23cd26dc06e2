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

from pathlib import Path

#: How a chapter asks for the model without Keras.
WITHOUT_KERAS = "setup(keras=False)"


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


def setup(app):
    app.connect("env-before-read-docs", keras_chapters_first)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
