"""Quiet TensorFlow before any test imports it, make helpers importable,
and build the book once for every test that reads it (``book``).

The ``book`` fixture runs the README's command, ``jupyter-book build . -W
-n --keep-going``, with two changes:

* ``--config`` points at a copy of ``_config.yml`` whose only difference
  is ``execute_notebooks: force``. The execution cache does not notice
  changes in ``lstmref`` (only in the chapters), so a cached build could
  show outputs that the current package no longer produces. There is no
  command-line switch or environment variable for the execution mode in
  Jupyter Book 1; a config file is its documented way in.
* ``--path-output`` writes into a temporary folder, so a test run neither
  reads nor spoils the reader's ``_build/``.

The vendored JavaScript (``_vendor/``) comes from ``make vendor``, a no-op
once it is up to date; it needs Node.js and npm like ``make book`` does.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
sys.path.insert(0, os.path.dirname(__file__))
# The book's own extensions (book/_ext), importable by plain name.
sys.path.insert(0, str(ROOT / "book" / "_ext"))
# E402: importable only after the line above; re-exported to the tests
from notebooks import toc_files  # noqa: E402

# CI runs each example set the same way every time (derandomize), so that a
# submission's result does not depend on which examples were drawn.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def book(tmp_path_factory):
    """Build the book once, executing every chapter; return the result."""
    make = shutil.which("make")
    assert make, "make is needed to fetch the vendored JavaScript"
    subprocess.run([make, "-s", "vendor"], cwd=ROOT, check=True)

    out = tmp_path_factory.mktemp("book")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "force"
    # Jupyter Book reads local_extensions' paths from the config file's
    # folder, and this copy is not in ROOT.
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in extensions.items():
        extensions[name] = str(ROOT / path)
    config_path = out / "_config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))

    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    assert jupyter_book.exists(), f"not installed: {jupyter_book}"
    run = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going",
         "--config", str(config_path), "--path-output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200)
    html = out / "_build" / "html"
    pages = [html / f"{name}.html" for name in
             toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))]
    return {"returncode": run.returncode, "log": run.stdout + run.stderr,
            "html": html, "pages": pages}


# Debian's chromium, driven by playwright (which never downloads a browser
# of its own here). The flags keep Chromium from calling Google's services
# at start, which this machine's closed network would refuse.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-quic"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the browser tests."""
    from playwright.sync_api import sync_playwright
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_collection_finish(session):
    """Collecting must not start TensorFlow's runtime.

    mutmut's workers fork from a process that has collected the tests; if
    collection made a Keras layer or ran an op, the fork inherits a
    runtime whose threads are gone, and its first ``tf.function`` (``fit``,
    ``predict``) waits for them forever. Build models inside the tests.
    """
    if "tensorflow" not in sys.modules:
        return
    from tensorflow.python.eager import context
    if context.context()._context_handle is not None:
        raise pytest.UsageError(
            "collecting the tests started TensorFlow's runtime (a Keras "
            "layer or op made at import or in a parametrize list): build "
            "it inside the test, or forked runs (mutmut) hang")


def pytest_collection_modifyitems(items):
    """Under mutmut, run each mutant's tests fastest first.

    mutmut runs the tests that reach a mutant with ``-x`` in the order it
    lists them, so a mutant that a 5 ms NumPy test kills may wait behind a
    Keras build of 6 s. Sorting by the durations mutmut measured (its
    ``mutmut-stats.json``, in the current folder) lets most mutants die
    in the first tests run; a survivor still runs them all. Test files
    stay together, cheapest first by their median test, so module-scoped
    fixtures are built once. Nothing changes outside a mutant's run.
    """
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    stats = Path("mutmut-stats.json")
    if not stats.exists():
        return
    import json
    import statistics
    duration = json.loads(stats.read_text())["duration_by_test"]
    slow = 60.0  # a test mutmut has not timed goes last
    by_file = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(
            duration.get(item.nodeid, slow))
    median = {name: statistics.median(times)
              for name, times in by_file.items()}
    items.sort(key=lambda item: (median[item.nodeid.split("::")[0]],
                                 duration.get(item.nodeid, slow)))
