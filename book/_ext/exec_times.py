"""Print how long each chapter took to execute, at the end of every build.

MyST-NB keeps one record per executed document (``exec_data``: run time,
time stamp, ...) in the Sphinx environment. This extension reads those
records once the build is done and prints a table: each chapter in the
order of the table of contents, its run time in seconds, how its outputs
were obtained, and the total. The same table goes to ``exec_times.txt``
next to the ``html`` folder (``_build/exec_times.txt``), where
benchmarks/build_times.py reads it.

A chapter's time is MyST-NB's: the whole of one ``nbclient`` run, from
starting the chapter's kernel to the end of its shutdown, so a kernel's
start (about 1 s) and its exit (with TensorFlow loaded, 2 to 4 s before
``lstmref.quiet.freeze_gc``) count with its cells.

How the outputs were obtained:

* ``executed now``: the chapter ran in this build.
* ``from cache``: this build read the chapter again but took its outputs
  from the jupyter-cache; the time is the one stored with them.
* ``unchanged``: this build did not read the chapter again (nothing in it
  changed); the time is the one recorded when it last ran.
"""

import time
from pathlib import Path

from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.util import logging

logger = logging.getLogger(__name__)

TITLE = "Execution time per chapter (seconds)"
REPORT_NAME = "exec_times.txt"


class ExecTimes:
    """The build's start time and the documents it read: what tells an
    execution of this build from an older one."""

    def __init__(self):
        self.started = time.time()
        self.read = set()

    def note_read(self, app, env, docnames):
        """``env-before-read-docs``: the documents this build reads."""
        self.read.update(docnames)

    def rows(self, env):
        """(docname, seconds or None, how) for each document in TOC order.

        A document that is no notebook (no code to run) has no record;
        its row says so.
        """
        records = NbMetadataCollector.get_doc_data(env)
        rows = []
        for docname in toc_order(env, env.config.root_doc):
            data = records.get(docname, {}).get("exec_data")
            if not data:
                rows.append((docname, None, "no code to execute"))
            elif docname not in self.read:
                rows.append((docname, data["runtime"], "unchanged"))
            elif data["mtime"] >= self.started:
                rows.append((docname, data["runtime"], "executed now"))
            else:
                rows.append((docname, data["runtime"], "from cache"))
        return rows

    def report(self, app, exception):
        """``build-finished``: print the table and write it to a file."""
        if exception is not None or app.builder.format != "html":
            return
        text = format_table(self.rows(app.env))
        logger.info("\n" + text)
        path = Path(app.outdir).parent / REPORT_NAME
        path.write_text(text + "\n", encoding="utf8")
        logger.info(f"Execution times written to {path}")


def toc_order(env, root):
    """``root`` and every document its toctrees include, depth first."""
    order = [root]
    for child in env.toctree_includes.get(root, []):
        if child not in order:
            order.extend(d for d in toc_order(env, child) if d not in order)
    return order


def format_table(rows):
    """The table as plain text: ``docname seconds how`` a line, then the
    total of the known times. A time that was not recorded is ``-``."""
    width = max([len("total")] + [len(name) for name, _, _ in rows])
    lines = [TITLE, f"{'chapter':<{width}}  {'seconds':>7}  how"]
    for name, seconds, how in rows:
        shown = "-" if seconds is None else f"{seconds:.1f}"
        lines.append(f"{name:<{width}}  {shown:>7}  {how}")
    total = sum(seconds for _, seconds, _ in rows if seconds is not None)
    lines.append(f"{'total':<{width}}  {total:>7.1f}")
    return "\n".join(lines)


def setup(app):
    times = ExecTimes()
    app.connect("env-before-read-docs", times.note_read)
    app.connect("build-finished", times.report)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
