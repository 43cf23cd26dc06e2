"""The chapters as plain Jupyter notebooks: at build time, and for Binder.

A student who launches Binder from a page should land on that chapter as
a notebook that reads like the page: numbers in the prose, citations,
links, the code the page shows, exercises whose solutions stay closed and
never run. JupyterLab renders none of MyST, so chapter_notebook.py
writes each chapter out as a notebook without it; the chapters stay the
one source.

As a Sphinx extension (registered in _config.yml), after an HTML build:

* writes ``<outdir>/_notebooks/<chapter>.ipynb`` from each chapter and
  the glue values of the build's own run (MyST-NB's
  ``jupyter_execute/<doc>.glue.json``);
* points each page's Binder button at ``notebooks/<chapter>.ipynb``
  (where ``binder/postBuild`` writes the notebooks) instead of the .md,
  and its ".ipynb" download button at ``_notebooks/<chapter>.ipynb``.

As a script (``binder/postBuild`` runs it)::

    python book/_ext/notebooks.py --out notebooks

executes every chapter with nbclient, as the build does (kernel
``python3``, in the chapter's folder), and writes the notebooks from
those glue values. ``--glue-from _build/jupyter_execute`` reads a
build's glue values instead of executing.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script: siblings by plain name
    sys.path.insert(0, str(HERE))
# The siblings import only once the line above has run (hence E402).

from book_index import Book, notebook_name  # noqa: E402
from chapter_notebook import ChapterContext, chapter_notebook  # noqa: E402
from myst_syntax import MystError  # noqa: E402

FOLDER = "_notebooks"  # in the HTML output, for the download button
BINDER_FOLDER = "notebooks"  # at the repository's root, from postBuild


def write_notebooks(book, glue, exec_times, out):
    """Write each chapter's notebook into ``out``; return the warnings.

    ``glue`` maps a docname to its glue values (name -> mime bundle);
    ``exec_times`` maps a docname to the seconds its run took.
    """
    import jupytext
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    warnings = []
    for docname in book.docnames:
        target = out / notebook_name(docname)
        target.unlink(missing_ok=True)  # none left from an earlier run
        ctx = ChapterContext(book, docname, glue.get(docname, {}),
                             exec_times)
        try:
            notebook, problems = chapter_notebook(
                jupytext.read(book.source(docname)), ctx)
        except MystError as error:
            warnings.append((docname, f"no notebook written: {error}"))
            continue
        warnings += [(docname, problem) for problem in problems]
        # as Jupyter's save writes it (sorted keys, source split into
        # lines), so saving an unchanged notebook leaves its bytes alone
        nbformat.write(nbformat.from_dict(notebook), str(target))
    return warnings


def glue_values(outputs):
    """name -> mime bundle, from MyST-NB's saved glue outputs."""
    return {name: output.get("data", {}) for name, output in outputs.items()}


# --- Sphinx ---------------------------------------------------------------

def _toc_docnames(env):
    order = [env.config.root_doc]
    for docname in order:
        for child in env.toctree_includes.get(docname, []):
            if child not in order:
                order.append(child)
    return order


def build_notebooks(app, exception):
    """``build-finished``: write the notebooks next to the pages."""
    if exception is not None or app.builder.format != "html":
        return
    from myst_nb.sphinx_ import NbMetadataCollector
    from sphinx.util import logging
    logger = logging.getLogger(__name__)
    env = app.env
    docnames = _toc_docnames(env)
    book = Book.scan(app.srcdir, docnames,
                     getattr(app.config, "bibtex_bibfiles", ()))
    executed = Path(env.mystnb_config.output_folder)
    glue, exec_times = {}, {}
    records = NbMetadataCollector.get_doc_data(env)
    for docname in docnames:
        path = executed / f"{docname}.glue.json"
        if path.exists():
            glue[docname] = glue_values(json.loads(path.read_text()))
        data = records.get(docname, {}).get("exec_data")
        if data:
            exec_times[docname] = data["runtime"]
    out = Path(app.outdir) / FOLDER
    for docname, message in write_notebooks(book, glue, exec_times, out):
        logger.warning(f"notebook: {message}", location=docname,
                       type="notebooks", subtype="convert")
    logger.info(f"Notebooks for Jupyter written to {out}")


def binder_urlpath(urlpath, pagename):
    """'lab/tree/book/x.md' -> 'lab/tree/notebooks/x.ipynb'."""
    interface = urlpath.split("/tree/", 1)[0]
    return f"{interface}/tree/{BINDER_FOLDER}/{notebook_name(pagename)}"


def point_buttons_at_notebooks(app, pagename, templatename, context,
                               doctree):
    """``html-page-context``, after sphinx-book-theme's (priority 501):
    the launch and download buttons of a page open its notebook."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if button.get("label") == "download-notebook-button":
                button["url"] = context["pathto"](
                    f"{FOLDER}/{notebook_name(pagename)}", 1)
            elif "urlpath=" in url:
                parts = urlsplit(url)
                query = [(key, binder_urlpath(value, pagename)
                          if key == "urlpath" else value)
                         for key, value in parse_qsl(parts.query)]
                button["url"] = urlunsplit(parts._replace(
                    query=urlencode(query, safe="/")))


def setup(app):
    app.connect("build-finished", build_notebooks)
    app.connect("html-page-context", point_buttons_at_notebooks,
                priority=900)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}


# --- Binder: execute the chapters here --------------------------------------

def toc_files(entry):
    """Every ``file:`` (and the ``root:``) named in a _toc.yml tree, in
    order (the tests read the table of contents with it too)."""
    if isinstance(entry, dict):
        for key, value in entry.items():
            if key in ("root", "file"):
                yield value
            else:
                yield from toc_files(value)
    elif isinstance(entry, list):
        for item in entry:
            yield from toc_files(item)


def toc_docnames(root):
    """The docnames of _toc.yml (root and files), in order."""
    import yaml
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    return [name.removesuffix(".md") for name in toc_files(toc)]


def execute_chapter(path, timeout=600):
    """Run a chapter as MyST-NB does; return (glue values, seconds), or
    ({}, None) for a chapter without code."""
    import jupytext
    from myst_nb.ext.glue import extract_glue_data_cell
    from nbclient import NotebookClient
    notebook = jupytext.read(path)
    if not any(c.cell_type == "code" for c in notebook.cells):
        return {}, None
    start = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}
                   ).execute()
    seconds = time.perf_counter() - start
    glue = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            glue.update(extract_glue_data_cell(cell))
    return glue_values(glue), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=HERE.parents[1],
                        help="the repository (default: this one)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder to write (default: root/"
                             f"{BINDER_FOLDER})")
    parser.add_argument("--glue-from", type=Path, default=None,
                        help="a build's jupyter_execute folder; without "
                             "it, every chapter is executed here")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    import yaml
    config = yaml.safe_load((root / "_config.yml").read_text())
    docnames = toc_docnames(root)
    book = Book.scan(root, docnames, config.get("bibtex_bibfiles", ()))
    glue, exec_times = {}, {}
    for docname in docnames:
        if args.glue_from:
            path = args.glue_from / f"{docname}.glue.json"
            if path.exists():
                glue[docname] = glue_values(json.loads(path.read_text()))
            continue
        glue[docname], seconds = execute_chapter(book.source(docname))
        if seconds is not None:
            exec_times[docname] = seconds
            print(f"executed {docname} in {seconds:.1f} s", flush=True)
    out = args.out or root / BINDER_FOLDER
    warnings = write_notebooks(book, glue, exec_times, out)
    for docname, message in warnings:
        print(f"WARNING: {docname}: {message}", file=sys.stderr)
    written = [d for d in docnames if (out / notebook_name(d)).exists()]
    print(f"{len(written)} of {len(docnames)} notebooks written to {out}")
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
