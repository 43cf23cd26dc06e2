"""The book builds clean: no warning, no failing cell, nothing from a CDN.

One build serves every test here: the session fixture ``book`` in
conftest.py, shared with the browser and reproducibility tests.
"""

import json
import re
import shutil
from html import unescape as html_unescape
from urllib.parse import unquote
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, toc_files

# ipykernel >= 7.4 logs this at every kernel start when the client does not
# provision CurveZMQ keys, which nbclient (and so MyST-NB) cannot be told to
# do. It goes to the kernel's stderr, is no Sphinx warning and fails nothing.
KERNEL_TCP_NOTICE = "[IPKernelApp] WARNING | Kernel is running over TCP"

# TensorFlow's C++ core prints this to the kernel's stderr when imported,
# before any logging setting can apply (TF_CPP_MIN_LOG_LEVEL does not stop
# it). The pages never show it (stderr_output: remove); only the build log
# does.
ABSL_NOTICE = "WARNING: All log messages before absl::InitializeLog()"
ALLOWED = (KERNEL_TCP_NOTICE, ABSL_NOTICE)

REMOTE_ASSET = re.compile(r'(src|href)="https?://[^"]+\.(js|css)[^"]*"')


def test_build_succeeds_without_warnings(book):
    assert book["returncode"] == 0, book["log"][-5000:]
    warnings = [line for line in book["log"].splitlines()
                if "WARNING" in line
                and not any(notice in line for notice in ALLOWED)]
    assert warnings == []


def test_every_toc_page_is_built(book):
    assert len(book["pages"]) >= 2
    missing = [str(p) for p in book["pages"] if not p.is_file()]
    assert missing == []


def test_no_page_shows_an_error(book):
    for page in book["pages"]:
        text = page.read_text()
        assert "Traceback" not in text, page
        # MyST-NB's classes for an error output and for stderr
        assert "output traceback" not in text, page
        assert "output error" not in text, page
        assert "output stderr" not in text, page


# What log noise and warnings look like when they reach an output.
NOISE = re.compile(r"Warning\b|WARNING|oneDNN|absl::|cuda|I0000|E0000|"
                   r"tensorflow/core")


def test_no_output_shows_a_warning_or_log_noise(book):
    """Every output the pages show (the executed notebooks' text, which
    the pages render) is free of warnings and TensorFlow's log lines."""
    executed = book["html"].parent / "jupyter_execute"
    notebooks = sorted(executed.rglob("*.ipynb"))
    assert len(notebooks) >= 10
    found = []
    for path in notebooks:
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                texts = [output.get("text", "")]
                texts += [output.get("data", {}).get(kind, "")
                          for kind in ("text/plain", "text/html",
                                       "text/markdown")]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else text
                    if NOISE.search(text):
                        found.append((path.name, NOISE.search(text)[0]))
    assert found == []


def test_no_page_loads_javascript_or_css_from_another_site(book):
    found = {}
    for page in book["html"].rglob("*.html"):
        hits = [m.group(0) for m in REMOTE_ASSET.finditer(page.read_text())]
        if hits:
            found[str(page.relative_to(book["html"]))] = hits
    assert found == {}


def test_math_and_widget_scripts_are_served_by_the_site(book):
    """The vendored files are in the site, and a page with math uses them."""
    static = book["html"] / "_static"
    for name in ("mathjax/tex-chtml.js", "require.js",
                 "html-manager/embed-amd.js",
                 "html-manager/widgets-setup.js"):
        assert (static / name).is_file(), name
    root_page = book["pages"][0].read_text()
    assert 'src="../_static/mathjax/tex-chtml.js' in root_page


# The chapters that compare gates, whole layers and a trained model: each
# has a visible cell that asserts lstmref equals Keras and then prints
# this line. (The methods chapter calls no Keras: it links to the verdict
# chapter's check; the cell state and output gate chapters link to the
# forget gate chapter's day-by-day check of every h_t and c_t of 2015.)
KERAS_CHECKED = ["forget_gate", "input_gate", "whole_layer",
                 "trained_model", "what_it_learned"]
CHECK_LINE = re.compile(r"Checked against Keras: max abs error "
                        r"(\d\.\de[-+]\d\d) &lt;= (\de-\d\d)")


@pytest.mark.parametrize("chapter", KERAS_CHECKED)
def test_chapter_shows_its_keras_assertion_ran(book, chapter):
    page = book["html"] / "book" / f"{chapter}.html"
    assert page in book["pages"], f"{chapter} is not in _toc.yml"
    found = CHECK_LINE.findall(page.read_text())
    assert found, f"no executed Keras check on {page.name}"
    for error, tolerance in found:
        assert float(error) <= float(tolerance)


# Chapters that plot s.run's states without importing Keras: their "Checked
# against Keras" section links to the forget gate chapter's check, whose
# target sits right before the cell that prints the check line.
READS_CHECKED_RUN = ["cell_state", "output_gate"]


@pytest.mark.parametrize("chapter", READS_CHECKED_RUN)
def test_chapter_links_to_the_day_by_day_keras_check(book, chapter):
    page = (book["html"] / "book" / f"{chapter}.html").read_text()
    assert 'href="forget_gate.html#sec-forget-keras"' in page
    assert not CHECK_LINE.findall(page), "checks Keras itself: list it above"
    target = (book["html"] / "book" / "forget_gate.html").read_text()
    after = target[target.index('id="sec-forget-keras"'):]
    error, tolerance = CHECK_LINE.findall(after)[0]
    assert float(error) <= float(tolerance) == 1e-12


# The gradient every gradient-based method starts from, checked on the
# page against an independent reference: TensorFlow's GradientTape in the
# verdict chapter, central differences in the methods chapter.
GRADIENT_CHECKED = {
    "what_it_learned": r"Gradient checked against GradientTape",
    "attribution_methods": r"BPTT \(teaching and fast\) vs central "
                           r"differences"}


@pytest.mark.parametrize("chapter, line", GRADIENT_CHECKED.items())
def test_chapter_shows_its_gradient_check_ran(book, chapter, line):
    text = (book["html"] / "book" / f"{chapter}.html").read_text()
    found = re.findall(line + r": max abs error (\d\.\de[-+]\d\d) &lt;= "
                       r"(\de-\d\d)", text)
    assert found, f"no executed gradient check on {chapter}.html"
    for error, tolerance in found:
        assert float(error) <= float(tolerance)


# Every chapter after the preface (references aside) holds at least three
# exercises, each with a solution hidden in a dropdown.
WITH_EXERCISES = ["question", "packed_weights", "forget_gate", "input_gate",
                  "cell_state", "output_gate", "whole_layer",
                  "trained_model", "what_it_learned", "attribution_methods",
                  "teachers"]


@pytest.mark.parametrize("chapter", WITH_EXERCISES)
def test_chapter_has_three_exercises_with_hidden_solutions(book, chapter):
    text = (book["html"] / "book" / f"{chapter}.html").read_text()
    exercises = text.count('class="exercise admonition"')
    hidden = text.count('class="solution dropdown admonition"')
    assert exercises >= 3, f"{chapter}: {exercises} exercises"
    assert hidden >= exercises, f"{chapter}: {hidden} hidden solutions"


def test_every_chapter_is_in_the_toc():
    """No chapter file lies outside the book (only_build_toc_files)."""
    listed = set(toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text())))
    on_disk = {f"book/{p.stem}" for p in (ROOT / "book").glob("*.md")}
    assert on_disk == listed


def site_pages(html):
    """Every page of the built site (not the theme's templates in _static)."""
    return [p for p in html.rglob("*.html") if "_static" not in p.parts]


def test_every_image_has_alt_text(book):
    missing = []
    for page in site_pages(book["html"]):
        for tag in re.findall(r"<img\b[^>]*>", page.read_text()):
            alt = re.search(r'\salt="([^"]*)"', tag)
            if not alt or not alt.group(1).strip():
                missing.append(f"{page.name}: {tag[:100]}")
    assert missing == []


def test_every_internal_link_and_anchor_resolves(book):
    """A crawler over the built HTML: each href/src inside the site names
    a file that exists and, with a #fragment, an id on that page."""
    pages = site_pages(book["html"])
    ids = {p.resolve(): set(re.findall(r'\sid="([^"]+)"', p.read_text()))
           for p in pages}
    broken = []
    for page in pages:
        for link in re.findall(r'\s(?:href|src)="([^"]+)"', page.read_text()):
            link = html_unescape(link)
            if re.match(r"^[a-z][a-z0-9+.-]*:", link) or link.startswith("//"):
                continue  # another site (launch buttons) or mailto:
            path, _, fragment = link.partition("#")
            path = unquote(path.split("?")[0])
            target = (page.parent / path).resolve() if path else \
                page.resolve()
            if not target.exists():
                broken.append(f"{page.name}: {link}")
            elif fragment and target.suffix == ".html" and unquote(
                    fragment) not in ids.get(target, set()):
                broken.append(f"{page.name}: {link}")
    assert broken == []
