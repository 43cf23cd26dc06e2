"""Every page of the built site works in Chromium with no network at all.

The browser is offline (``set_offline``), and every request it makes is
answered from the build folder by a route handler, as if the site were
served from ``http://lstmref.invalid/`` (a name that can never resolve).
A request for anything else is recorded and refused. Each page of the
session's build (the ``book`` fixture) is then opened and must:

* request nothing outside the site, and get every file it asks for;
* log no console error and raise no script error;
* show its mathematics typeset by the vendored MathJax (``mjx-container``
  elements, no ``mjx-merror``);
* render every saved widget view it holds, and hold none that would need
  a kernel (the book's explorers show their live version instead);
* have every live explorer respond: moving a slider redraws the plot.
"""

from urllib.parse import urlsplit

import pytest

SITE = "lstmref.invalid"

#: Chapters that must hold live explorers, and how many at least.
EXPLORERS = {"book/forget_gate": 1, "book/input_gate": 2,
             "book/cell_state": 1, "book/output_gate": 1,
             "book/trained_model": 1}


@pytest.fixture(scope="module")
def site(book, chromium):
    """An offline browser context serving the build folder."""
    html = book["html"].resolve()
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    outside, missing = [], []

    def serve(route):
        url = urlsplit(route.request.url)
        if url.scheme == "http" and url.hostname == SITE:
            path = (html / url.path.lstrip("/")).resolve()
            if path.is_file() and path.is_relative_to(html):
                return route.fulfill(path=str(path))
            missing.append(route.request.url)
            return route.fulfill(status=404, body="not in the site")
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", serve)
    context.set_offline(True)
    yield {"context": context, "html": html, "outside": outside,
           "missing": missing}
    context.close()


def site_pages(book):
    """Every page: each .html file but the theme's template fragments,
    which Sphinx copies into _static/ and no page links to."""
    names = (p.relative_to(book["html"]).as_posix()
             for p in book["html"].rglob("*.html"))
    return sorted(n for n in names if not n.startswith("_static/"))


def open_page(site, name):
    """Load one page; return it with the problems it reported."""
    page = site["context"].new_page()
    problems = []
    page.on("console", lambda m: m.type == "error"
            and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    page.on("requestfailed", lambda r: problems.append(
        f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(
        f"HTTP {r.status}: {r.url}"))
    site["outside"].clear()
    site["missing"].clear()
    url = f"http://{SITE}/{name}"
    source = (site["html"] / name).read_text().lower()
    page.goto(url, wait_until="load")
    if 'http-equiv="refresh"' in source:  # index.html: on to the first page
        page.wait_for_url(lambda now: now != url, wait_until="load")
    return page, problems


def wait_for_math(page):
    """Wait for MathJax's first typesetting, if the page has math."""
    has_math = page.evaluate(
        "document.querySelector('.math, div.math, span.math') !== null")
    if has_math:
        page.wait_for_function(
            "window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise.then(() => true)")
    return has_math


def check_explorers(page):
    """Move one slider of each live explorer; return how many responded."""
    count = page.locator(".lstm-explorer").count()
    for k in range(count):
        root = page.locator(".lstm-explorer").nth(k)
        assert "lstm-explorer--live" in root.get_attribute("class")
        before = root.evaluate(
            "e => [e.lstmExplorer.updates, "
            "e.querySelector('canvas').toDataURL()]")
        # to the slider's minimum: a change big enough to show on the plot
        root.locator("input[type=range]").first.focus()
        page.keyboard.press("Home")
        after = root.evaluate(
            "e => [e.lstmExplorer.updates, "
            "e.querySelector('canvas').toDataURL()]")
        assert after[0] == before[0] + 1
        assert after[1] != before[1], "the plot did not change"
    return count


def test_every_page_works_offline(book, site):
    assert book["returncode"] == 0, book["log"][-3000:]
    pages = site_pages(book)
    assert len(pages) >= len(book["pages"])
    report = {}
    explorers = {}
    for name in pages:
        page, problems = open_page(site, name)
        try:
            math = wait_for_math(page)
            if math:
                typeset = page.locator("mjx-container").count()
                if typeset == 0:
                    problems.append("math not typeset")
                if page.locator("mjx-merror").count():
                    problems.append("MathJax error in a formula")
            views = page.locator(
                'script[type="application/vnd.jupyter.widget-view+json"]')
            if views.count():
                problems.append(f"{views.count()} widget views that need "
                                "a kernel")
            explorers[name] = check_explorers(page)
            page.wait_for_timeout(100)  # late console errors
            problems += [f"outside the site: {u}" for u in site["outside"]]
            problems += [f"missing: {u}" for u in site["missing"]]
        finally:
            page.close()
        if problems:
            report[name] = problems
    assert report == {}, report
    for chapter, least in EXPLORERS.items():
        assert explorers.get(f"{chapter}.html", 0) >= least, chapter


def test_math_pages_are_typeset_by_the_vendored_mathjax(book, site):
    page, problems = open_page(site, "book/forget_gate.html")
    try:
        assert wait_for_math(page)
        assert page.locator("mjx-container").count() > 5
        sources = page.evaluate(
            "Array.from(document.scripts, s => s.src).filter(Boolean)")
        mathjax = [s.split("?")[0] for s in sources if "tex-chtml" in s]
        assert mathjax == [f"http://{SITE}/_static/mathjax/tex-chtml.js"]
    finally:
        page.close()
    assert problems == []
