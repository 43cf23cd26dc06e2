"""A chapter of the book as a plain Jupyter notebook for students.

``Book.scan`` reads every chapter once for what a notebook needs from the
others: titles, labels, exercise numbers and the bibliography.
``chapter_notebook`` then turns one chapter (as jupytext reads it) and
the glue values of an executed run into an nbformat 4.5 notebook whose
Markdown has no MyST left (myst_markdown.py does the Markdown):

* a glued number is pasted as MyST-NB pastes it on the page;
* a citation reads "(Hochreiter and Schmidhuber, 1997)", and the cited
  works are listed at the end of the notebook;
* ``{doc}`` and ``{ref}`` are links to the other generated notebooks;
* a literalinclude is the included code, in a fenced block;
* an exercise is a heading "Exercise N" (N as on the page) with its text
  and code cells; a solution is a collapsed ``<details>`` block whose
  code is fenced Markdown, never a code cell: Run All never runs it, so
  a checker cell checks the student's code and says "Not done yet";
* a ``remove-cell`` cell that only glues values for the page's prose is
  dropped (the prose already holds the values); any other code cell stays
  and shows its code, ``hide-input`` ones included.

``chapter_notebook`` also returns warnings: names that a kept cell uses
but only a dropped cell defines (Run All would stop with a NameError).
"""

import ast
import builtins
import re
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text

from myst_markdown import (Marker, MystError, code_fence, details,
                           split_blocks, to_markdown)

__all__ = ["Book", "ChapterContext", "chapter_notebook", "is_plumbing",
           "notebook_name", "pyobject_source"]

SOLUTION_SUMMARY = "Solution to {exercise} (open when you have tried)"
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def notebook_name(docname):
    """'book/forget_gate' -> 'forget_gate.ipynb'."""
    return docname.rsplit("/", 1)[-1] + ".ipynb"


def heading_anchor(text):
    """The id JupyterLab gives a Markdown heading: spaces become '-'."""
    return text.strip().replace(" ", "-")


class Book:
    """Titles, labels, exercise numbers and references of all chapters.

    ``labels`` maps a label to (docname, link text, anchor or None);
    ``exercises`` maps an exercise's label to its number, counted over
    the chapters in table-of-contents order as sphinx-exercise numbers
    them on the page.
    """

    def __init__(self, root, docnames, bibfiles=()):
        self.root = Path(root)
        self.docnames = list(docnames)
        self.titles, self.labels, self.exercises = {}, {}, {}
        self.bibliography = Bibliography(
            [self.root / path for path in bibfiles])

    @classmethod
    def scan(cls, root, docnames, bibfiles=()):
        """Read every chapter of ``docnames`` (paths without suffix)."""
        import jupytext
        book = cls(root, docnames, bibfiles)
        count = 0
        for docname in book.docnames:
            notebook = jupytext.read(book.source(docname))
            texts = [c.source for c in notebook.cells
                     if c.cell_type == "markdown"]
            count = book._read_labels(docname, texts, count)
        return book

    def source(self, docname):
        """The chapter's file: docname.md (or .ipynb)."""
        for suffix in (".md", ".ipynb"):
            path = self.root / f"{docname}{suffix}"
            if path.exists():
                return path
        raise FileNotFoundError(f"no source for {docname}")

    def _read_labels(self, docname, texts, count):
        pending = []  # labels waiting for the heading they name
        for text in texts:
            for kind, value in split_blocks(text):
                if kind == "directive" and value.name in (
                        "exercise", "exercise-start"):
                    if "nonumber" not in value.options:
                        count += 1
                    label = value.options.get("label")
                    if label:
                        self.exercises[label] = count
                        name = f"Exercise {count}"
                        self.labels[label] = (docname, name,
                                              heading_anchor(name))
                if kind != "text":
                    continue
                for line in value.split("\n"):
                    label = re.match(r"^\s*\(([^()\s]+)\)=\s*$", line)
                    heading = HEADING.match(line)
                    if label:
                        pending.append(label.group(1))
                    elif heading:
                        title = heading.group(2)
                        self.titles.setdefault(docname, title)
                        first = len(heading.group(1)) == 1
                        for name in pending:
                            self.labels[name] = (
                                docname, title,
                                None if first else heading_anchor(title))
                        pending = []
        return count


class Bibliography:
    """The .bib entries: author-year text for citations, and each entry
    formatted as sphinxcontrib-bibtex's default style (alpha) writes it
    on the page."""

    def __init__(self, paths):
        self.entries = {}
        self.order = []
        if not paths:
            return
        from pybtex.database import BibliographyData, parse_file
        from pybtex.plugin import find_plugin
        data = BibliographyData()
        for path in paths:
            for key, entry in parse_file(str(path)).entries.items():
                data.add_entry(key, entry)
        style = find_plugin("pybtex.style.formatting", "alpha")()
        for formatted in style.format_entries(
                style.sort(data.entries.values())):
            self.order.append(formatted.key)
            self.entries[formatted.key] = formatted.text.render_as("text")
        self.author_year = _author_year(data.entries)

    def citation(self, keys, textual):
        """"(A and B, 1997; C et al., 2000)", or "A and B (1997)"."""
        missing = [k for k in keys if k not in self.author_year]
        if missing:
            raise MystError(f"no bibliography entry {', '.join(missing)}")
        if textual:
            return "; ".join(f"{a} ({y})" for a, y in (
                self.author_year[k] for k in keys))
        return "(" + "; ".join(f"{a}, {y}" for a, y in (
            self.author_year[k] for k in keys)) + ")"

    def markdown_list(self, keys):
        """The entries of ``keys`` as a bullet list, in the page's order."""
        return "\n".join(f"- {_escape(self.entries[k])}"
                         for k in self.order if k in keys)


def _author_year(entries):
    """key -> (authors' last names for a citation, year); equal ones get
    a, b, ... after the year."""
    from pybtex.richtext import Text
    found = {}
    for key, entry in entries.items():
        people = entry.persons.get("author") or entry.persons.get(
            "editor", [])
        last = [Text.from_latex(" ".join(p.last_names)).render_as("text")
                for p in people]
        names = (last[0] if len(last) == 1 else
                 f"{last[0]} and {last[1]}" if len(last) == 2 else
                 f"{last[0]} et al." if last else key)
        found[key] = (names, entry.fields.get("year", "n.d."))
    same = {}
    for key, value in sorted(found.items()):
        same.setdefault(value, []).append(key)
    for (names, year), keys in same.items():
        if len(keys) > 1:
            for letter, key in zip("abcdefghij", keys):
                found[key] = (names, f"{year}{letter}")
    return found


def _escape(text):
    """Plain text made safe to read as Markdown."""
    return re.sub(r"([\\`*_\[\]<>$|])", r"\\\1", text)


def pyobject_source(path, dotted):
    """The source lines of function/class ``dotted`` ('Class.method')
    in the Python file ``path``, decorators included, as Sphinx's
    ``:pyobject:`` selects them."""
    text = Path(path).read_text(encoding="utf8")
    scope = ast.parse(text).body
    node = None
    for part in dotted.split("."):
        node = next((n for n in scope if isinstance(n, (
            ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and n.name == part), None)
        if node is None:
            raise MystError(f"{path}: no object {dotted}")
        scope = node.body
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return "\n".join(text.split("\n")[start - 1:node.end_lineno])


def _dedent(code, amount):
    """Sphinx's ``:dedent:``: by ``amount`` columns, or all common
    indentation when no amount is given."""
    import textwrap
    if not amount:
        return textwrap.dedent(code)
    return "\n".join(line[int(amount):] for line in code.split("\n"))


LANGUAGES = {".py": "python", ".md": "markdown", ".json": "json",
             ".yml": "yaml", ".yaml": "yaml", ".toml": "toml",
             ".sh": "bash", ".txt": ""}


class ChapterContext:
    """What one chapter's Markdown needs (see myst_markdown.Context)."""

    def __init__(self, book, docname, glue=None, exec_times=None):
        self.book, self.docname = book, docname
        self.glue_values = glue or {}
        self.exec_times = exec_times or {}
        self.cited = set()
        self.pasted = []  # every glued text, in the order of the chapter
        self.has_bibliography = False

    def glue_data(self, key):
        if key not in self.glue_values:
            raise MystError(f"no glued value {key!r} in {self.docname}")
        return self.glue_values[key]

    def glue(self, key, fmt):
        data = self.glue_data(key)
        if "text/plain" not in data:
            raise MystError(f"glued value {key!r} has no text/plain")
        text = format_plain_text(data["text/plain"], fmt)
        self.pasted.append(text)
        return text

    def cite(self, keys, textual):
        self.cited.update(keys)
        return self.book.bibliography.citation(keys, textual)

    def _link(self, docname, text, anchor=None):
        target = "" if docname == self.docname else notebook_name(docname)
        if anchor:
            target += "#" + anchor
        return f"[{text}]({target or '#'})"

    def doc(self, target, text):
        base = self.docname.rsplit("/", 1)[0] if "/" in self.docname else ""
        docname = target.lstrip("/") if target.startswith("/") else (
            f"{base}/{target}" if base else target)
        docname = docname.removesuffix(".md").removesuffix(".ipynb")
        if docname not in self.book.titles:
            raise MystError(f"{{doc}} to an unknown document {target!r}")
        return self._link(docname, text or self.book.titles[docname])

    def ref(self, label, text, numbered):
        if label not in self.book.labels:
            raise MystError(f"{{ref}} to an unknown label {label!r}")
        docname, title, anchor = self.book.labels[label]
        if numbered and text and label in self.book.exercises:
            number = str(self.book.exercises[label])
            text = text.replace("%s", number).replace("{number}", number)
        return self._link(docname, text or title, anchor)

    def include(self, path, options):
        unknown = set(options) - {"pyobject", "dedent", "language",
                                  "caption", "name", "class"}
        if unknown:
            raise MystError(f"literalinclude options {sorted(unknown)}")
        source = (self.book.source(self.docname).parent / path).resolve()
        if "pyobject" in options:
            code = pyobject_source(source, options["pyobject"])
        else:
            code = source.read_text(encoding="utf8")
        if "dedent" in options:
            code = _dedent(code, options["dedent"])
        language = options.get("language") or LANGUAGES.get(
            source.suffix, "")
        return code.rstrip("\n"), language

    def exercise_heading(self, label, title, options):
        number = self.book.exercises.get(label) if label else None
        name = f"Exercise {number}" if number else "Exercise"
        return f"### {name}" + (f" ({title})" if title else "")

    def solution_summary(self, label):
        if label not in self.book.exercises:
            raise MystError(f"a solution to an unknown exercise {label!r}")
        return SOLUTION_SUMMARY.format(
            exercise=f"Exercise {self.book.exercises[label]}")

    def bibliography(self, options):
        self.has_bibliography = True
        keys = (set(self.book.bibliography.entries) if "all" in options
                else self.cited)
        return self.book.bibliography.markdown_list(keys)

    def exec_table(self):
        rows = [(self.book.titles.get(doc, doc), self.exec_times[doc])
                for doc in self.book.docnames if doc in self.exec_times]
        if not rows:
            return ("*(The run time of each chapter is listed on the "
                    "book's web page.)*")
        lines = ["| chapter | run time (s) |", "|---|---:|"]
        lines += [f"| {title} | {seconds:.1f} |" for title, seconds in rows]
        return "\n".join(lines)


def is_plumbing(cell):
    """A ``remove-cell`` code cell that only glues values for the page's
    prose (each statement a glue(...) call, or a loop of them)."""
    if "remove-cell" not in cell.metadata.get("tags", []):
        return False
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return False

    def glue_only(statements):
        for node in statements:
            if isinstance(node, ast.For) and not node.orelse:
                if not glue_only(node.body):
                    return False
            elif not (isinstance(node, ast.Expr)
                      and isinstance(node.value, ast.Call)
                      and isinstance(node.value.func, ast.Name)
                      and node.value.func.id == "glue"):
                return False
        return True
    return bool(body) and glue_only(body)


def _names(source):
    """(names a cell binds, names it reads) at any depth; None if it
    cannot be parsed or star-imports."""
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                               ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound, read


def missing_names(cells, kept):
    """Names a kept cell reads that only dropped cells before it bind:
    ``cells`` are the chapter's code cells, ``kept`` flags each."""
    defined, dropped, problems = set(dir(builtins)), set(), []
    for index, (cell, keep) in enumerate(zip(cells, kept)):
        names = _names(cell.source)
        if names is None:
            continue
        bound, read = names
        if keep:
            lost = sorted((read - bound - defined) & dropped)
            if lost:
                problems.append(f"code cell {index + 1} uses "
                                f"{', '.join(lost)}, defined only in a "
                                "solution or a dropped cell")
            defined |= bound
        else:
            dropped |= bound
    return problems


def chapter_notebook(notebook, ctx):
    """(nbformat 4.5 notebook, warnings) for one chapter."""
    cells, markdown, solution = [], [], None
    gates = []  # open exercise-start / solution-start
    code_cells, kept = [], []

    def flush():
        if markdown:
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(
                markdown)))
            markdown.clear()

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for item in to_markdown(cell.source, ctx):
                if isinstance(item, Marker):
                    solution = _gate(item, gates, markdown, solution, ctx)
                elif solution is not None:
                    solution.append(item)
                else:
                    markdown.append(item)
            if solution is None:
                flush()
        elif cell.cell_type == "code":
            code_cells.append(cell)
            keep = solution is None and not is_plumbing(cell)
            kept.append(keep)
            if solution is not None:
                solution.append(code_fence(cell.source, "python"))
            elif keep:
                flush()
                tags = [t for t in cell.metadata.get("tags", [])
                        if t == "raises-exception"]
                cells.append(nbformat.v4.new_code_cell(
                    cell.source, metadata={"tags": tags} if tags else {}))
    if gates:
        raise MystError(f"{{{gates[-1]}}} is never closed")
    if ctx.cited and not ctx.has_bibliography:
        markdown.append("## References\n\n" +
                        ctx.book.bibliography.markdown_list(ctx.cited))
    markdown.append(f"*This notebook is generated from the book's chapter "
                    f"`{ctx.book.source(ctx.docname).relative_to(ctx.book.root)}`"
                    "; the numbers in its text come from the run that "
                    "built the book. Run All computes them again.*")
    flush()
    for index, cell in enumerate(cells):
        cell.id = f"{cell.cell_type[:2]}-{index:03d}"
    result = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "language": "python",
                       "display_name": "Python 3 (ipykernel)"},
        "language_info": {"name": "python"}})
    result.nbformat, result.nbformat_minor = 4, 5
    return result, missing_names(code_cells, kept)


def _gate(marker, gates, markdown, solution, ctx):
    """Open or close a gated exercise or solution; return the solution
    being collected (a list of Markdown parts) or None."""
    name = marker.name
    if name in ("exercise-start", "solution-start"):
        if gates:
            raise MystError(f"{{{name}}} inside {{{gates[-1]}}}")
        gates.append(name)
        if name == "exercise-start":
            markdown.append(ctx.exercise_heading(
                marker.options.get("label"), marker.arg, marker.options))
            return None
        return [marker.arg.strip()]  # the label, then the parts
    expected = name.replace("-end", "-start")
    if not gates or gates.pop() != expected:
        raise MystError(f"{{{name}}} without {{{expected}}}")
    if name == "solution-end":
        label, *parts = solution
        markdown.append(details(ctx.solution_summary(label), parts))
        return None
    return solution
