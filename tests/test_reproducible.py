"""Two executions of a chapter print the same text.

One execution is the session's build (the ``book`` fixture), which
leaves each executed chapter as a notebook under
``_build/jupyter_execute/``; the other executes the chapter's source
again here, in a new kernel, in ``book/`` as the build does, with the
same environment (conftest.py sets the TensorFlow variables before any
kernel starts). Every text output of every code cell must be equal:
printed text, ``text/plain``, HTML, Markdown, LaTeX, and the values
glued into the prose (display outputs too).

Left out, with the reason:

* images (``image/*``): the bytes of a PNG depend on the font cache and
  the matplotlib build; the numbers they plot are printed or glued
  elsewhere and compared there;
* stderr: the pages never show it (``stderr_output: remove`` in
  _config.yml), and TensorFlow writes log lines there when it pleases;
* the ids of widget models (``model_id``): a new random id per
  execution, never shown (the page shows the explorer's HTML).

Printed text is compared per cell as one string per stream: how the
kernel cuts one print into several outputs depends on timing alone.
"""

import os

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
CHAPTERS = ["trained_model"]


def text_outputs(cell):
    """A code cell's outputs as comparable text: [(kind, text), ...]."""
    found = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            if output["name"] == "stderr":
                continue
            key = f"stream {output['name']}"
            if found and found[-1][0] == key:
                found[-1] = (key, found[-1][1] + output["text"])
            else:
                found.append((key, output["text"]))
        elif kind in ("display_data", "execute_result"):
            for mime in TEXT_TYPES:
                if mime in output.get("data", {}):
                    found.append((f"{kind} {mime}", output["data"][mime]))
        elif kind == "error":
            found.append(("error", f"{output['ename']}: {output['evalue']}"))
    return found


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def execute_again(chapter):
    """The chapter's source executed in a new kernel in book/."""
    notebook = jupytext.read(ROOT / "book" / f"{chapter}.md")
    for name in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND",
                 "CUDA_VISIBLE_DEVICES"):
        assert name in os.environ, f"{name} not set for the kernel"
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "book")}}
                   ).execute()
    return notebook


def differences(built, again):
    """Each code cell whose text outputs differ, with both versions."""
    found = []
    cells = zip(code_cells(built), code_cells(again), strict=True)
    for k, (one, two) in enumerate(cells):
        assert one.source == two.source, f"code cell {k} is not the same"
        if text_outputs(one) != text_outputs(two):
            found.append({"cell": k, "source": one.source[:200],
                          "build": text_outputs(one),
                          "again": text_outputs(two)})
    return found


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_executions_print_the_same_text(book, chapter):
    assert book["returncode"] == 0, book["log"][-3000:]
    executed = (book["html"].parent / "jupyter_execute" / "book"
                / f"{chapter}.ipynb")
    built = nbformat.read(executed, as_version=4)
    assert any(text_outputs(cell) for cell in code_cells(built))
    assert differences(built, execute_again(chapter)) == []
