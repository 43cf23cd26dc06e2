"""MyST's block and inline syntax, read just far enough to rewrite it.

``split_blocks`` cuts Markdown into text, fenced code and directives
(a ```` ```{name} ```` or ``:::{name}`` fence, with ``:key: value`` or
YAML options); ``inline_pieces`` cuts text into plain text, code spans
and roles (``{name}`` followed by a code span). Code is never looked
into. Used by myst_markdown.py (which converts) and myst_leftovers.py
(which finds what is left).
"""

import re
from dataclasses import dataclass, field

__all__ = ["Directive", "GATES", "Marker", "MystError", "inline_pieces",
           "is_closing", "split_blocks", "without_fenced_code"]


class MystError(ValueError):
    """A MyST construct this converter does not know, or misused."""


@dataclass
class Directive:
    """A fenced directive: ``name``, its argument, options and body."""

    name: str
    arg: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""


@dataclass
class Marker:
    """An exercise-start/-end or solution-start/-end of sphinx-exercise."""

    name: str
    arg: str = ""
    options: dict = field(default_factory=dict)


GATES = ("exercise-start", "exercise-end", "solution-start", "solution-end")

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})"
                   r"(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\s*\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*?)\s*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")
LABEL = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
ROLE_NAME = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}$")
BACKTICKS = re.compile(r"`+")
DEFINITION = re.compile(r"^:\s+(?P<text>.*)$")
EQUATION_LABEL = re.compile(r"^(?P<math>.*\$\$)\s*\([^()\s]+\)\s*$")


def is_closing(line, fence):
    """Whether ``line`` closes a block opened with ``fence``."""
    indent = len(line) - len(line.lstrip(" "))
    stripped = line.strip()
    return (indent <= 3 and len(stripped) >= len(fence)
            and set(stripped) == {fence[0]})


def _read_options(lines):
    """Split a directive's lines into (options, body lines)."""
    options, rest = {}, list(lines)
    if rest and rest[0].strip() == "---":  # a YAML block
        import yaml
        end = rest.index("---", 1) if "---" in rest[1:] else None
        if end is None:
            raise MystError("a directive's YAML options have no closing ---")
        options = yaml.safe_load("\n".join(rest[1:end])) or {}
        rest = rest[end + 1:]
    else:
        while rest and OPTION.match(rest[0]):
            match = OPTION.match(rest.pop(0))
            options[match["key"]] = match["value"] or ""
    return options, "\n".join(rest).strip("\n")


def split_blocks(text):
    """Cut Markdown into ("text", str), ("code", str) and
    ("directive", Directive) blocks, in order."""
    lines = text.split("\n")
    blocks, plain, i = [], [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening or (opening["fence"][0] == ":"
                           and not DIRECTIVE_INFO.match(opening["info"])):
            plain.append(lines[i])
            i += 1
            continue
        fence = opening["fence"]
        j, inner = i + 1, None  # inner: a code fence inside a ::: block
        while j < len(lines):
            if inner:
                inner = None if is_closing(lines[j], inner) else inner
            elif is_closing(lines[j], fence):
                break
            elif fence[0] == ":" and FENCE.match(lines[j]) and \
                    FENCE.match(lines[j])["fence"][0] != ":":
                inner = FENCE.match(lines[j])["fence"]
            j += 1
        if plain:
            blocks.append(("text", "\n".join(plain)))
            plain = []
        info = DIRECTIVE_INFO.match(opening["info"])
        if info:
            options, body = _read_options(lines[i + 1:j])
            blocks.append(("directive", Directive(
                info["name"], info["arg"], options, body)))
        else:
            blocks.append(("code", "\n".join(lines[i:j + 1])))
        i = j + 1
    if plain:
        blocks.append(("text", "\n".join(plain)))
    return blocks


def inline_pieces(text):
    """Cut inline text into ("text", s), ("code", s) and
    ("role", name, content) pieces; code spans are left as they are."""
    pieces, start, pos = [], 0, 0
    while True:
        run = BACKTICKS.search(text, pos)
        if not run:
            break
        close = re.compile(r"(?<!`)" + run.group() + r"(?!`)").search(
            text, run.end())
        if not close:  # a lone backtick run is literal text
            pos = run.end()
            continue
        role = ROLE_NAME.search(text, start, run.start())
        if role and role.end() == run.start():
            pieces.append(("text", text[start:role.start()]))
            pieces.append(("role", role["name"],
                           text[run.end():close.start()]))
        else:
            pieces.append(("text", text[start:run.start()]))
            pieces.append(("code", text[run.start():close.end()]))
        start = pos = close.end()
    pieces.append(("text", text[start:]))
    return pieces


def without_fenced_code(text):
    """``text`` with the lines of fenced code blocks blanked."""
    out, fence = [], None
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if fence:
            fence = None if is_closing(line, fence) else fence
            out.append("")
        elif opening and opening["fence"][0] != ":" and \
                not DIRECTIVE_INFO.match(opening["info"]):
            fence = opening["fence"]
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)
