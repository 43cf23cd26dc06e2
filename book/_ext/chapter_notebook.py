"""A chapter of the book as a plain Jupyter notebook for students.

``chapter_notebook`` turns one chapter (as jupytext reads it) and
the glue values of an executed run into an nbformat 4.5 notebook whose
Markdown has no MyST left (myst_markdown.py does the Markdown, and
book_index.py knows the other chapters):

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
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text

from book_index import notebook_name
from myst_markdown import code_fence, details, to_markdown
from myst_syntax import Marker, MystError

__all__ = ["ChapterContext", "chapter_notebook", "is_plumbing",
           "missing_names", "pyobject_source"]

SOLUTION_SUMMARY = "Solution to {exercise} (open when you have tried)"


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
    source = ctx.book.source(ctx.docname).relative_to(ctx.book.root)
    markdown.append(f"*This notebook is generated from the book's chapter "
                    f"`{source}`; the numbers in its text come from the "
                    "run that built the book. Run All computes them "
                    "again.*")
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
