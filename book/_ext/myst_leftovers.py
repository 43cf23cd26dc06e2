"""Find what is left of MyST in Markdown, or in the text a page shows.

A generated notebook must read like the web page, so none of MyST's
syntax may reach it: no role, directive fence, option line, label,
definition-list marker, comment or equation label. ``raw_myst`` lists
each one it finds; tests/test_notebooks.py runs it on every generated
notebook and tests/test_jupyterlab.py on the text JupyterLab renders.
"""

import re

from myst_markdown import DIRECTIVES, ROLES
from myst_syntax import (FENCE, GATES, DIRECTIVE_INFO, LABEL, is_closing,
                         inline_pieces, without_fenced_code)

__all__ = ["raw_myst"]

# What is left of MyST: in Markdown source, and in rendered text (where
# roles have lost their backticks and code is not shown).
LEFTOVERS = [
    (re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})\s*\{"), "directive fence"),
    (re.compile(r"^ {0,3}:{3,}\s*$"), "colon fence"),
    (LABEL, "label"),
    (re.compile(r"^:[\w-]+:(\s|$)"), "directive option"),
    (re.compile(r"^:\s+\S"), "definition list"),
    (re.compile(r"^(%|\+\+\+)"), "MyST comment or cell break"),
    (re.compile(r"\$\$\s*\([^()\s]+\)\s*$"), "equation label"),
]
_NAMES = sorted({n.split(":")[0] for n in ROLES} | set(DIRECTIVES)
                | set(GATES) | {"code-cell", "glue:figure", "eval"},
                key=len, reverse=True)
RENDERED_LEFTOVERS = [
    (re.compile(r"\{(?:" + "|".join(map(re.escape, _NAMES)) +
                r")(?::[\w-]+)?\}"), "role or directive name"),
    (re.compile(r"(^|\s):{3,}"), "colon fence"),
    (re.compile(r"\([\w-]+\)="), "label"),
    (re.compile(r"(^|\s):(label|class|pyobject|tags|dedent|language|"
                r"header-rows|all|name):(\s|$)", re.M), "directive option"),
]


def raw_myst(text, rendered=False):
    """Every place in ``text`` where MyST syntax is left, as
    ``(line number, what, line)``; empty when there is none.

    Markdown source (the default): fenced code blocks and inline code are
    skipped. ``rendered=True`` reads text as a browser shows it (roles
    without their backticks); leave math and code out of that text.
    """
    found = []
    if rendered:
        for number, line in enumerate(text.split("\n"), 1):
            for pattern, what in RENDERED_LEFTOVERS:
                if pattern.search(line):
                    found.append((number, what, line))
        return found
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        opening = FENCE.match(line)
        if fence:
            fence = None if is_closing(line, fence) else fence
            continue
        if opening and opening["fence"][0] != ":" and \
                not DIRECTIVE_INFO.match(opening["info"]):
            fence = opening["fence"]
            continue
        for pattern, what in LEFTOVERS:
            if pattern.search(line):
                found.append((number, what, line))
        # Code spans may span lines: check roles on the whole text below.
    roles = [p for p in inline_pieces(without_fenced_code(text))
             if p[0] == "role"]
    found += [(0, "role", f"{{{name}}}`{content}`")
              for _, name, content in roles]
    return found
