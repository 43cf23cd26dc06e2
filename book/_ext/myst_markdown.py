"""MyST Markdown to the plain Markdown that JupyterLab renders.

JupyterLab renders CommonMark with tables, raw HTML and ``$``/``$$``
math, and nothing of MyST: a role such as ``{glue:text}`x``` or a
directive fence such as ``:::{exercise}`` shows as the raw text. This
module rewrites one Markdown cell of a chapter into Markdown without
them. It knows nothing of the book: what a role or directive stands
for (a glued number, a citation, the title of another chapter, the code
of a function) comes from ``ctx``, an object with the methods listed in
``Context`` below.

Roles and directives are looked up in two registries, ``ROLES`` and
``DIRECTIVES``; a name in neither raises ``MystError``, so a construct
that a chapter starts using fails the build instead of reaching a
student as raw text (myst_leftovers.py finds any that is left).

The gated directives of sphinx-exercise (``exercise-start`` ...
``solution-end``) span several notebook cells, so they come back as
``Marker`` items for the caller to handle; everything else comes back as
Markdown strings.
"""

import re

from myst_syntax import (BACKTICKS, DEFINITION, EQUATION_LABEL, GATES,
                         LABEL, Marker, MystError, inline_pieces,
                         split_blocks)

__all__ = ["DIRECTIVES", "ROLES", "code_fence", "details", "to_markdown"]


class Context:
    """What ``to_markdown`` asks of its ``ctx`` (documentation only).

    glue(key, fmt) -> str        the text MyST-NB pastes for {glue:text}
    glue_data(key) -> dict       the glued mime bundle (for {glue})
    cite(keys, textual) -> str   "(Hochreiter and Schmidhuber, 1997)"
    doc(target, text) -> str     a Markdown link to another notebook
    ref(label, text, numbered) -> str   the same, to a label
    include(path, options) -> (code, language)   a literalinclude
    exercise_heading(label, title, options) -> str
    solution_summary(label) -> str
    bibliography(options) -> str
    exec_table() -> str
    """


def convert_inline(text, ctx):
    """``text`` with every role replaced by what it stands for."""
    out = []
    for piece in inline_pieces(text):
        if piece[0] == "role":
            _, name, content = piece
            if name not in ROLES:
                raise MystError(f"unknown role {{{name}}}`{content}`")
            out.append(ROLES[name](content, ctx))
        else:
            out.append(piece[1])
    return "".join(out)


def _definition_lists(lines):
    """MyST's definition lists (``Term`` then ``: definition``) as a
    bullet list with the term in bold."""
    out, i = [], 0

    def continues(k):
        """Line k still belongs to the definition list being read."""
        if k >= len(lines):
            return False
        if DEFINITION.match(lines[k]) or lines[k].startswith("  "):
            return True
        return not lines[k].strip() and continues_after_blank(k + 1)

    def continues_after_blank(k):
        return k < len(lines) and bool(
            DEFINITION.match(lines[k]) or lines[k].startswith("  "))

    while i < len(lines):
        if not (i + 1 < len(lines) and lines[i].strip()
                and not lines[i].startswith((" ", ":"))
                and DEFINITION.match(lines[i + 1])):
            out.append(lines[i])
            i += 1
            continue
        term, i, first = lines[i].strip(), i + 1, True
        while continues(i):
            definition = DEFINITION.match(lines[i])
            if definition and first:
                out.append(f"- **{term}**: {definition['text']}")
                first = False
            elif definition:
                out.extend(["", f"  {definition['text']}"])
            else:
                out.append(lines[i])
            i += 1
    return out


def _text_block(text, ctx):
    """A block of plain MyST text: labels, comments, equation labels and
    definition lists go, then roles are replaced."""
    lines = []
    for line in text.split("\n"):
        if LABEL.match(line) or line.startswith("%") or \
                line.strip() == "+++" or line.startswith("+++ "):
            continue
        equation = EQUATION_LABEL.match(line)
        lines.append(equation["math"] if equation else line)
    return convert_inline("\n".join(_definition_lists(lines)), ctx)


def to_markdown(text, ctx):
    """A MyST Markdown cell as a list of Markdown strings and Markers."""
    items = []
    for block in split_blocks(text):
        kind, value = block
        if kind == "text":
            converted = _text_block(value, ctx).strip("\n")
            if converted.strip():
                items.append(converted)
        elif kind == "code":
            items.append(value)
        elif value.name in GATES:
            items.append(Marker(value.name, value.arg, value.options))
        elif value.name in DIRECTIVES:
            converted = DIRECTIVES[value.name](value, ctx)
            if converted.strip():
                items.append(converted)
        else:
            raise MystError(f"unknown directive {{{value.name}}} "
                            f"{value.arg}".rstrip())
    return items


def body_markdown(body, ctx):
    """A directive's body, converted; markers are not allowed there."""
    items = to_markdown(body, ctx)
    for item in items:
        if isinstance(item, Marker):
            raise MystError(f"{{{item.name}}} inside another directive")
    return "\n\n".join(items)


def code_fence(code, language=""):
    """``code`` in a fence longer than any backtick run inside it."""
    longest = max((len(r) for r in BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


def details(summary, parts):
    """A collapsed HTML block, closed until the reader opens it; the
    Markdown ``parts`` inside still render (blank lines around them)."""
    inner = "\n\n".join(part.strip("\n") for part in parts)
    return (f"<details>\n<summary>{summary}</summary>\n\n{inner}\n\n"
            "</details>")


def blockquote(title, body):
    """An admonition as a quote whose first line is its title in bold."""
    lines = [f"**{title}**", ""] + body.split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _split_target(content):
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    match = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$",
                     content.strip(), re.S)
    if match and match["text"]:
        return " ".join(match["text"].split()), match["target"].strip()
    return None, content.strip()


def _glue_text(content, ctx):
    key, _, fmt = content.partition(":")
    if "::" in content:
        raise MystError(f"glue from another document: {content}")
    return ctx.glue(key.strip(), fmt or "s")


def _glue_any(content, ctx):
    if "::" in content:
        raise MystError(f"glue from another document: {content}")
    data = ctx.glue_data(content.strip())
    if "text/markdown" in data:
        return data["text/markdown"].strip()
    if "text/plain" in data:
        return data["text/plain"]
    raise MystError(f"glue {content!r} has no text to paste in Markdown")


def _glue_md(content, ctx):
    key = content.rpartition(":")[0] if content.count(":") else content
    data = ctx.glue_data(key.strip())
    if "text/markdown" not in data:
        raise MystError(f"glue {key!r} has no text/markdown")
    return data["text/markdown"].strip()


def _cite(textual):
    def role(content, ctx):
        keys = [k.strip() for k in content.split(",") if k.strip()]
        return ctx.cite(keys, textual)
    return role


def _doc(content, ctx):
    text, target = _split_target(content)
    return ctx.doc(target, text)


def _ref(numbered):
    def role(content, ctx):
        text, label = _split_target(content)
        return ctx.ref(label, text, numbered)
    return role


def _wrap(before, after=None):
    def role(content, ctx):
        return f"{before}{content}{before if after is None else after}"
    return role


def _plain(content, ctx):
    text, target = _split_target(content)
    return text or target


ROLES = {
    "glue:text": _glue_text, "glue": _glue_any, "glue:any": _glue_any,
    "glue:md": _glue_md,
    "cite": _cite(False), "cite:p": _cite(False), "cite:ps": _cite(False),
    "cite:t": _cite(True), "cite:ts": _cite(True),
    "doc": _doc, "ref": _ref(False), "numref": _ref(True),
    "math": _wrap("$"), "sub": _wrap("<sub>", "</sub>"),
    "sup": _wrap("<sup>", "</sup>"), "kbd": _wrap("<kbd>", "</kbd>"),
    "code": _wrap("`"), "file": _wrap("`"), "samp": _wrap("`"),
    "command": _wrap("`"), "abbr": _plain, "term": _plain,
    "guilabel": _wrap("**"),
}


def _exercise(d, ctx):
    heading = ctx.exercise_heading(d.options.get("label"), d.arg, d.options)
    return f"{heading}\n\n{body_markdown(d.body, ctx)}"


def _solution(d, ctx):
    return details(ctx.solution_summary(d.arg.strip()),
                   [body_markdown(d.body, ctx)])


def _literalinclude(d, ctx):
    code, language = ctx.include(d.arg.strip(), d.options)
    return code_fence(code, language)


def _code_block(d, ctx):
    return code_fence(d.body, d.arg.split()[0] if d.arg else "")


def _math(d, ctx):
    return f"$$\n{d.body.strip()}\n$$"


def _list_table(d, ctx):
    rows = []
    for line in d.body.split("\n"):
        if line.startswith("* - "):
            rows.append([line[4:]])
        elif line.startswith("  - "):
            rows[-1].append(line[4:])
        elif line.strip() and rows:
            rows[-1][-1] += " " + line.strip()
        elif line.strip():
            raise MystError(f"list-table: unexpected line {line!r}")
    cells = [[convert_inline(c.strip(), ctx).replace("|", "\\|")
              for c in row] for row in rows]
    width = max(len(row) for row in cells)
    header_rows = int(d.options.get("header-rows", 0) or 0)
    head, body = cells[:header_rows] or [[""] * width], cells[header_rows:]
    lines = ["| " + " | ".join(head[0]) + " |",
             "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in head[1:] + body]
    return "\n".join(lines)


def _admonition(title):
    def directive(d, ctx):
        name = d.arg if title is None else title
        if not name:
            raise MystError("an admonition needs a title")
        return blockquote(convert_inline(name, ctx),
                          body_markdown(d.body, ctx))
    return directive


def _dropdown(d, ctx):
    return details(convert_inline(d.arg or "Details", ctx),
                   [body_markdown(d.body, ctx)])


DIRECTIVES = {
    "exercise": _exercise, "solution": _solution,
    "literalinclude": _literalinclude,
    "code-block": _code_block, "code": _code_block,
    "sourcecode": _code_block,
    "math": _math, "list-table": _list_table,
    "bibliography": lambda d, ctx: ctx.bibliography(d.options),
    "nb-exec-table": lambda d, ctx: ctx.exec_table(),
    "admonition": _admonition(None), "dropdown": _dropdown,
    "toggle": _dropdown,
    **{name: _admonition(name.capitalize()) for name in (
        "note", "warning", "tip", "hint", "important", "caution",
        "attention", "danger", "error", "margin", "sidebar", "topic")},
    "seealso": _admonition("See also"),
}
