"""What a chapter's notebook needs from the whole book.

``Book.scan`` reads every chapter once: titles, the labels that
``{ref}`` names (a chapter's label, an exercise's), the exercises'
numbers as sphinx-exercise gives them on the page (counted over the
table of contents), and the bibliography, as author-year citations and
as the entries sphinxcontrib-bibtex's default style writes.
"""

import re
from pathlib import Path

from myst_syntax import MystError, split_blocks

__all__ = ["Bibliography", "Book", "escape_markdown", "heading_anchor",
           "notebook_name"]

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
        return "\n".join(f"- {escape_markdown(self.entries[k])}"
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


def escape_markdown(text):
    """Plain text made safe to read as Markdown."""
    return re.sub(r"([\\`*_\[\]<>$|])", r"\\\1", text)
