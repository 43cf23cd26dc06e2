"""The chapters as Jupyter notebooks (book/_ext): the converter on small
hand-written MyST with the expected Markdown written out by hand, then
every generated notebook of the built book against its web page.

On the built book (the ``book`` fixture): each chapter's notebook in
``_build/html/_notebooks/`` has no MyST left; its glued numbers are the
ones the page shows, in the same order; the code of every literalinclude
is there, as the page shows it; solutions are closed Markdown, never code
cells; exercises carry the page's numbers; every page's Binder link opens
its own notebook. One notebook is run again in a fresh kernel and must
glue the values its text quotes.
"""

import json
import re
import sys
import textwrap
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# book/_ext (the notebook converter) is on sys.path: see conftest.py.

import book_index
import chapter_notebook as cn
import notebooks
from myst_leftovers import raw_myst
from myst_syntax import MystError, split_blocks

BIB = """
@article{hochreiter1997,
  author = {Hochreiter, Sepp and Schmidhuber, J{\\"u}rgen},
  title = {Long Short-Term Memory}, journal = {Neural Computation},
  year = {1997}, volume = {9}, number = {8}, pages = {1735--1780}}
@misc{olah2015, author = {Olah, Christopher},
  title = {Understanding {LSTM} Networks}, year = {2015}}
@article{gers2000, author = {Gers, Felix A. and Schmidhuber, J{\\"u}rgen
  and Cummins, Fred}, title = {Learning to Forget},
  journal = {Neural Computation}, year = {2000}}
"""

MODULE = '''\
import functools


@functools.cache
def decorated(x):
    """Twice x."""
    return 2 * x


class Cell:
    """A cell."""

    def step(self, x):
        return x + 1
    # a trailing comment, not part of step


def after():
    pass
'''

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def chapter(body):
    return HEADER + textwrap.dedent(body)


@pytest.fixture
def tiny_book(tmp_path):
    """Two chapters, a module to include and a .bib, on disk."""
    (tmp_path / "book").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "mod.py").write_text(MODULE)
    (tmp_path / "refs.bib").write_text(BIB)
    (tmp_path / "book" / "two.md").write_text(chapter("""
        (ch-two)=
        # The second chapter

        ## Exercises

        :::{exercise}
        :label: two-first
        Say why.
        :::
        """))

    def make(body):
        (tmp_path / "book" / "one.md").write_text(chapter(body))
        book = book_index.Book.scan(tmp_path, ["book/one", "book/two"],
                            ["refs.bib"])
        return book
    return make


def convert(book, glue=None, docname="book/one"):
    import jupytext
    ctx = cn.ChapterContext(book, docname, glue or {})
    notebook, problems = cn.chapter_notebook(
        jupytext.read(book.source(docname)), ctx)
    nbformat.validate(notebook)
    return notebook, problems, ctx


def markdown_of(notebook):
    return "\n\n".join(c.source for c in notebook.cells
                       if c.cell_type == "markdown")


def first_markdown(notebook):
    return next(c.source for c in notebook.cells
                if c.cell_type == "markdown")


# --- the converter, on hand-written MyST -----------------------------------

def test_glue_is_pasted_as_myst_nb_formats_it(tiny_book):
    book = tiny_book("""
        # One

        f = {glue:text}`f:.3f`, n = {glue:text}`n`, p = {glue:text}`p:.0%`,
        word: {glue:text}`word`, raw {glue:text}`f`.
        """)
    glue = {"f": {"text/plain": "0.7539887164489482"},
            "n": {"text/plain": "27"}, "p": {"text/plain": "0.0208"},
            "word": {"text/plain": "'closes'"}}
    notebook, _, ctx = convert(book, glue)
    assert first_markdown(notebook) == (
        "# One\n\nf = 0.754, n = 27, p = 2%,\nword: closes, raw "
        "0.7539887164489482.")
    assert ctx.pasted == ["0.754", "27", "2%", "closes",
                          "0.7539887164489482"]


def test_a_missing_glue_value_is_an_error(tiny_book):
    book = tiny_book("# One\n\n{glue:text}`nowhere`\n")
    with pytest.raises(MystError, match="nowhere"):
        convert(book, {})


def test_labels_go_and_links_name_their_target(tiny_book):
    book = tiny_book("""
        (ch-one)=
        # One

        See {doc}`two`, {ref}`ch-two`, {ref}`that chapter <ch-two>`,
        {ref}`two-first` and {doc}`this one <one>`.
        """)
    notebook, _, _ = convert(book)
    assert first_markdown(notebook) == (
        "# One\n\nSee [The second chapter](two.ipynb), "
        "[The second chapter](two.ipynb), [that chapter](two.ipynb),\n"
        "[Exercise 1](two.ipynb#Exercise-1) and [this one](#).")


def test_citations_read_author_year_and_are_listed_at_the_end(tiny_book):
    book = tiny_book("""
        # One

        The LSTM {cite}`hochreiter1997,gers2000`, as
        {cite:t}`olah2015` draws it.
        """)
    notebook, _, _ = convert(book)
    assert first_markdown(notebook) == (
        "# One\n\nThe LSTM (Hochreiter and Schmidhuber, 1997; Gers et al., "
        "2000), as\nOlah (2015) draws it.")
    references = notebook.cells[-1].source
    assert references.startswith(
        "## References\n\n- Felix A. Gers, Jürgen Schmidhuber, and Fred "
        "Cummins. Learning to forget. Neural Computation, 2000.\n"
        "- Sepp Hochreiter and Jürgen Schmidhuber. Long short-term memory. "
        "Neural Computation, 9(8):1735–1780, 1997.\n"
        "- Christopher Olah. Understanding LSTM networks. 2015.\n")


def test_literalinclude_is_the_object_s_code(tiny_book):
    book = tiny_book("""
        # One

        ```{literalinclude} ../lib/mod.py
        :pyobject: decorated
        ```

        ```{literalinclude} ../lib/mod.py
        :pyobject: Cell.step
        :dedent:
        ```
        """)
    notebook, _, _ = convert(book)
    assert first_markdown(notebook) == (
        "# One\n\n```python\n@functools.cache\ndef decorated(x):\n"
        '    """Twice x."""\n    return 2 * x\n```\n\n'
        "```python\ndef step(self, x):\n    return x + 1\n```")


def test_a_missing_object_is_an_error(tiny_book):
    book = tiny_book("# One\n\n```{literalinclude} ../lib/mod.py\n"
                     ":pyobject: Cell.nothing\n```\n")
    with pytest.raises(MystError, match="Cell.nothing"):
        convert(book)


def test_admonitions_math_tables_and_definition_lists(tiny_book):
    book = tiny_book("""
        # One

        ```{note}
        Keep it {glue:text}`n`.
        ```

        ```{math}
        c_t = f_t c_{t-1}
        ```

        ```{list-table}
        :header-rows: 1

        * - gate
          - meaning
        * - f
          - what to keep,
            a | b
        ```

        On Binder
        : Run All, then
          read.

        Code `{glue:text}` and

        ```python
        x = "{cite}`not a role`"
        ```
        """)
    notebook, _, _ = convert(book, {"n": {"text/plain": "3"}})
    assert first_markdown(notebook) == (
        "# One\n\n> **Note**\n>\n> Keep it 3.\n\n"
        "$$\nc_t = f_t c_{t-1}\n$$\n\n"
        "| gate | meaning |\n|---|---|\n| f | what to keep, a \\| b |\n\n"
        "- **On Binder**: Run All, then\n  read.\n\n"
        "Code `{glue:text}` and\n\n"
        '```python\nx = "{cite}`not a role`"\n```')


def test_an_unknown_role_or_directive_is_an_error(tiny_book):
    with pytest.raises(MystError, match="unknown role"):
        convert(tiny_book("# One\n\n{nonsense}`x`\n"))
    with pytest.raises(MystError, match="unknown directive"):
        convert(tiny_book("# One\n\n```{nonsense}\nx\n```\n"))


EXERCISE = """
    # One

    ```{code-cell} ipython3
    :tags: [remove-cell]

    from myst_nb import glue
    setup = 1
    ```

    ```{code-cell} ipython3
    :tags: [remove-cell]

    for name in ("a", "b"):
        glue(name, 1, display=False)
    ```

    ```{code-cell} ipython3
    :tags: [hide-input]

    def check(fn):
        print("Not done yet." if fn() is None else "Correct.")
    ```

    ## Exercises

    :::{exercise-start}
    :label: one-double
    :::

    Double it.

    ```{code-cell} ipython3
    def double():
        return None  # your code here
    ```

    ```{code-cell} ipython3
    check(double)
    ```

    :::{exercise-end}
    :::

    :::{solution-start} one-double
    :class: dropdown
    :::

    Multiply.

    ```{code-cell} ipython3
    def double():
        return 2
    ```

    It is {glue:text}`a`.

    :::{solution-end}
    :::

    :::{exercise}
    :label: one-why
    Why?
    :::

    :::{solution} one-why
    :class: dropdown
    Because.
    :::
    """


def test_exercises_keep_the_stub_and_close_the_solution(tiny_book):
    book = tiny_book(EXERCISE)
    notebook, problems, _ = convert(book, {"a": {"text/plain": "1"}})
    cells = [(c.cell_type, c.source) for c in notebook.cells]
    assert cells[:-1] == [
        ("markdown", "# One"),
        ("code", "from myst_nb import glue\nsetup = 1"),
        ("code", 'def check(fn):\n    print("Not done yet." if fn() is '
                 'None else "Correct.")'),
        ("markdown", "## Exercises\n\n### Exercise 1\n\nDouble it."),
        ("code", "def double():\n    return None  # your code here"),
        ("code", "check(double)"),
        ("markdown",
         "<details>\n<summary>Solution to Exercise 1 (open when you have "
         "tried)</summary>\n\nMultiply.\n\n```python\ndef double():\n"
         "    return 2\n```\n\nIt is 1.\n\n</details>\n\n"
         "### Exercise 2\n\nWhy?\n\n"
         "<details>\n<summary>Solution to Exercise 2 (open when you have "
         "tried)</summary>\n\nBecause.\n\n</details>"),
    ]
    assert problems == []
    assert [c.id for c in notebook.cells] == [
        f"{c.cell_type[:2]}-{k:03d}" for k, c in enumerate(notebook.cells)]


def test_a_cell_that_needs_a_solution_s_name_is_reported(tiny_book):
    book = tiny_book(EXERCISE + "\n```{code-cell} ipython3\nprint(double())"
                     "\n```\n")
    _, problems, _ = convert(book, {"a": {"text/plain": "1"}})
    assert problems == []  # the stub defines double too: a control
    solution = "def double():\n    return 2"
    assert solution in textwrap.dedent(EXERCISE)
    book = tiny_book(textwrap.dedent(EXERCISE).replace(
        solution, "def triple():\n    return 3")
        + "\n```{code-cell} ipython3\nprint(triple())\n```\n")
    _, problems, _ = convert(book, {"a": {"text/plain": "1"}})
    assert len(problems) == 1 and "triple" in problems[0]


def test_unbalanced_gates_are_an_error(tiny_book):
    book = tiny_book("# One\n\n:::{solution-start} x\n:::\n\nText.\n")
    with pytest.raises(MystError, match="never closed"):
        convert(book)


@pytest.mark.parametrize("text, what", [
    ("(ch-x)=\n# Title", "label"),
    ("Value {glue:text}`x:.2f` here.", "role"),
    ("A {cite}`hochreiter1997`.", "role"),
    (":::{exercise}\n:label: a\nText\n:::", "directive fence"),
    ("```{note}\nText\n```", "directive fence"),
    (":label: a", "directive option"),
    ("Term\n: definition", "definition list"),
    ("$$\nx\n$$ (eq-one)", "equation label"),
])
def test_raw_myst_is_found(text, what):
    assert what in [found[1] for found in raw_myst(text)]


def test_plain_markdown_and_code_are_not_raw_myst():
    text = ("# Title\n\nInline `{glue:text}` code and $\\frac{a}{b}$.\n\n"
            "```python\n(ch-x)=\nx = f\"{y}`\"\n:::{note}\n```\n\n"
            "<details>\n<summary>Solution</summary>\n\nText.\n\n</details>")
    assert raw_myst(text) == []


def test_raw_myst_is_found_in_rendered_text():
    assert raw_myst("It is {glue:text}x here.", rendered=True)
    assert raw_myst("::: exercise-start", rendered=True)
    assert raw_myst("(ch-forget)=", rendered=True)
    assert raw_myst(":pyobject: gates", rendered=True)
    assert raw_myst("The gate f_t is 0.75 (Gers et al., 2000).",
                    rendered=True) == []


def test_binder_urlpath_names_the_chapter_notebook():
    assert notebooks.binder_urlpath("lab/tree/book/forget_gate.md",
                                    "book/forget_gate") == \
        "lab/tree/notebooks/forget_gate.ipynb"


# --- the built book ---------------------------------------------------------

def chapters(book):
    """(docname, page, generated notebook, build's glue values)."""
    html = book["html"]
    executed = html.parent / "jupyter_execute"
    for page in book["pages"]:
        docname = str(page.relative_to(html).with_suffix(""))
        glue_path = executed / f"{docname}.glue.json"
        glue = notebooks.glue_values(json.loads(glue_path.read_text())) \
            if glue_path.exists() else {}
        yield (docname, page, html / notebooks.FOLDER /
               book_index.notebook_name(docname), glue)


def page_pre_blocks(page):
    """The text of every <pre> on the page, as a reader copies it."""
    return [unescape(re.sub(r"<[^>]+>", "", block)).rstrip("\n")
            for block in re.findall(r"<pre>(.*?)</pre>", page.read_text(),
                                    re.S)]


@pytest.fixture(scope="module")
def scanned(book):
    assert book["returncode"] == 0, book["log"][-3000:]
    return book_index.Book.scan(ROOT, [str(p.relative_to(book["html"])
                                   .with_suffix("")) for p in book["pages"]],
                        ["book/references.bib"])


def test_every_chapter_has_a_valid_notebook_without_myst(book, scanned):
    for docname, _, path, _ in chapters(book):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
        left = [(docname, cell.id, found) for cell in notebook.cells
                if cell.cell_type == "markdown"
                for found in raw_myst(cell.source)]
        assert left == []


def test_saving_an_unchanged_notebook_leaves_its_bytes(book, tmp_path):
    """Jupyter's save (the contents manager) writes nbformat.write of the
    notebook it was given: the file must already be in that form."""
    for docname, _, path, _ in chapters(book):
        saved = tmp_path / path.name
        nbformat.write(nbformat.read(path, as_version=nbformat.NO_CONVERT),
                       str(saved))
        assert saved.read_bytes() == path.read_bytes(), docname


def test_glued_numbers_are_the_page_s(book, scanned):
    import jupytext
    for docname, page, path, glue in chapters(book):
        shown = [unescape(t) for t in re.findall(
            r'<span class="pasted-text">([^<]*)</span>', page.read_text())]
        ctx = cn.ChapterContext(scanned, docname, glue)
        built, _ = cn.chapter_notebook(
            jupytext.read(scanned.source(docname)), ctx)
        assert ctx.pasted == shown, docname
        if docname == "book/teachers":
            continue  # its run-time table comes from the build only
        written = nbformat.read(path, as_version=4)
        assert [c.source for c in written.cells] == \
            [c.source for c in built.cells], docname


def test_literalinclude_code_is_the_page_s(book, scanned):
    import jupytext
    count = 0
    for docname, page, path, _ in chapters(book):
        pre = page_pre_blocks(page)
        text = markdown_of(nbformat.read(path, as_version=4))
        ctx = cn.ChapterContext(scanned, docname)
        for cell in jupytext.read(scanned.source(docname)).cells:
            for kind, block in split_blocks(cell.source):
                if kind == "directive" and block.name == "literalinclude":
                    code, _ = ctx.include(block.arg, block.options)
                    assert code in pre, (docname, block.arg, block.options)
                    assert f"\n{code}\n```" in text, (docname, block.arg)
                    count += 1
    assert count >= 20  # the chapters show this many pieces of lstmref


def test_solutions_are_closed_markdown_never_code(book, scanned):
    import jupytext
    solutions = 0
    for docname, _, path, _ in chapters(book):
        written = nbformat.read(path, as_version=4)
        code = {c.source for c in written.cells if c.cell_type == "code"}
        text = markdown_of(written)
        inside = False
        for cell in jupytext.read(scanned.source(docname)).cells:
            if cell.cell_type == "markdown":
                for kind, block in split_blocks(cell.source):
                    if kind == "directive" and block.name in (
                            "solution-start", "solution-end"):
                        inside = block.name == "solution-start"
            elif inside:
                solutions += 1
                assert cell.source not in code, docname
                assert cell.source.rstrip() in text, docname
        assert "<details open" not in text
    assert solutions >= 20


def test_exercise_numbers_are_the_page_s(book):
    for docname, page, path, _ in chapters(book):
        shown = re.findall(r'class="caption-number">Exercise (\d+) ',
                           page.read_text())
        text = markdown_of(nbformat.read(path, as_version=4))
        assert re.findall(r"^### Exercise (\d+)", text, re.M) == shown


def test_every_page_s_binder_link_opens_its_own_notebook(book):
    linked = 0
    for docname, page, path, _ in chapters(book):
        html = page.read_text()
        name = book_index.notebook_name(docname)
        for url in re.findall(r'href="(https://mybinder\.org[^"]+)"', html):
            query = parse_qs(urlsplit(unescape(url)).query)
            assert query["urlpath"] == [f"lab/tree/notebooks/{name}"]
            assert path.exists()
            linked += 1
        downloads = [link for link in re.findall(
            r'href="([^"]+\.ipynb)"', html) if "://" not in link]
        assert downloads == ([f"../{notebooks.FOLDER}/{name}"]
                             if "mybinder.org" in html else []), docname
    assert linked >= 11  # every chapter with code has a launch button


def test_the_script_writes_the_same_notebooks(book, tmp_path):
    executed = book["html"].parent / "jupyter_execute"
    assert notebooks.main(["--glue-from", str(executed),
                           "--out", str(tmp_path)]) == 0
    for docname, _, path, _ in chapters(book):
        if docname == "book/teachers":
            continue  # its run-time table comes from the build only
        ours = nbformat.read(tmp_path / path.name, as_version=4)
        assert ours == nbformat.read(path, as_version=4), docname


def test_a_fresh_run_glues_the_values_its_text_quotes(book, tmp_path):
    """forget_gate's notebook, run in a new kernel as Run All would (no
    solution runs), glues the same values the build pasted into it."""
    from myst_nb.ext.glue import extract_glue_data_cell
    from nbclient import NotebookClient
    docname, _, path, glue = next(c for c in chapters(book)
                                  if c[0] == "book/forget_gate")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    rerun = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            rerun.update(notebooks.glue_values(
                dict(extract_glue_data_cell(cell))))
    assert rerun and set(rerun) <= set(glue)
    assert {k: v["text/plain"] for k, v in rerun.items()} == \
        {k: glue[k]["text/plain"] for k in rerun}
    solutions = "".join(re.findall(r"<details>.*?</details>", markdown_of(
        notebook), re.S))
    not_rerun = set(glue) - set(rerun)
    assert all(f'"{key}"' in solutions for key in not_rerun), not_rerun
    printed = "".join(o.get("text", "") for c in notebook.cells
                      if c.cell_type == "code" for o in c.outputs)
    assert "Not done yet" in printed and "Correct" not in printed
