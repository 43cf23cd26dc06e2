"""Saving a chapter in JupyterLab changes nothing unless the reader did.

JupyterLab opens a chapter (MyST Markdown) as a notebook through Jupytext:
it GETs ``/api/contents/book/<chapter>.md?type=notebook``, and its save
button PUTs the notebook model back; Jupytext's contents manager writes
it as text again. These tests do exactly that against a real
``jupyter server`` from this environment, on a copy of the chapters (a
save that is not the identity must not rewrite the real files), and
compare bytes.

Once its kernel starts, JupyterLab also replaces the notebook's
``kernelspec`` (name, display_name, language, in that order) and
``language_info`` with the kernel's own; the second test saves the model
as it is then. This is why the chapters' headers spell the kernelspec in
that order, and carry ``notebook_metadata_filter`` to keep Jupytext from
writing its version. The filter sits in each header rather than in a
jupytext.toml: a configured filter takes precedence over a file's own
and would give references.md, a plain page, a Jupytext header on save.
"""

import difflib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import toc_files

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = list(toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text())))
# Where Jupytext looks for a configuration next to a notebook or above it.
JUPYTEXT_CONFIGS = ["jupytext.toml", ".jupytext.toml", "jupytext.yml",
                    ".jupytext.yml", "jupytext.yaml", ".jupytext.yaml",
                    "jupytext.json", ".jupytext.json", "jupytext.py",
                    ".jupytext.py", ".jupytext", "pyproject.toml"]
# What ipykernel reports as language_info, which JupyterLab copies into
# the notebook once the kernel is up.
LANGUAGE_INFO = {
    "name": "python", "version": platform.python_version(),
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "pygments_lexer": "ipython3", "nbconvert_exporter": "python",
    "file_extension": ".py"}
TIMEOUT = 60  # seconds, for the server to start and for each request


class Server:
    """A ``jupyter server`` on loopback, serving a copy of the chapters."""

    def __init__(self, root, url, token):
        self.root, self.url, self.token = root, url, token

    def call(self, method, path, body=None, **query):
        """One REST call; returns the decoded JSON answer."""
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(
            url, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read() or b"null")

    def open(self, chapter):
        """The notebook model JupyterLab's Jupytext Notebook viewer gets."""
        return self.call("GET", f"api/contents/{chapter}.md",
                         type="notebook", content=1)

    def save(self, chapter, notebook):
        """What JupyterLab's save button sends."""
        return self.call("PUT", f"api/contents/{chapter}.md",
                         {"type": "notebook", "format": "json",
                          "content": notebook})

    def save_and_read(self, chapter, notebook):
        """Save; return the file's bytes before and after, and the
        answer. The copy gets the repository's version back."""
        path = self.root / f"{chapter}.md"
        before = path.read_bytes()
        try:
            model = self.save(chapter, notebook)
            return before, path.read_bytes(), model
        finally:
            shutil.copyfile(ROOT / f"{chapter}.md", path)


def rewritten_lines(chapter, before, after):
    """The unified diff of a save, with line numbers ("" if none)."""
    return "".join(difflib.unified_diff(
        before.decode().splitlines(keepends=True),
        after.decode().splitlines(keepends=True),
        f"{chapter}.md", f"{chapter}.md, saved"))


def wait_for_info_file(runtime, process, log):
    """The server's jpserver-<pid>.json, written once it listens."""
    info = runtime / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            return json.loads(info.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            pass  # not written yet, or half written
        assert process.poll() is None, (
            f"jupyter server exited:\n{log.read_text()}")
        assert time.monotonic() < deadline, (
            f"jupyter server not up after {TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Start the server on a free loopback port; stop it afterwards."""
    tmp = tmp_path_factory.mktemp("saving")
    root, runtime, config = tmp / "repo", tmp / "runtime", tmp / "config"
    for chapter in CHAPTERS:
        (root / chapter).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / f"{chapter}.md", root / f"{chapter}.md")
    # The same Jupytext configuration as in the repository, if any.
    for folder in {Path(chapter).parent for chapter in CHAPTERS} | {Path()}:
        for name in JUPYTEXT_CONFIGS:
            if (ROOT / folder / name).is_file():
                shutil.copyfile(ROOT / folder / name, root / folder / name)

    token = os.urandom(16).hex()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "JUPYTEXT"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(config),  # no user settings of this machine
        JUPYTER_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(config),  # nor a user-wide Jupytext config
        JUPYTEXT_CEILING_DIRECTORIES=str(tmp))
    command = [sys.executable, "-m", "jupyter_server", "--no-browser",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0",
               "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp / "server.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, env=env, cwd=tmp,
                                   stdout=log_file, stderr=log_file)
    try:
        info = wait_for_info_file(runtime, process, log)
        url = f"http://127.0.0.1:{info['port']}/"
        running = Server(root, url, token)
        assert running.call("GET", "api/status")["started"]
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_saving_an_unchanged_chapter_leaves_it_byte_identical(server,
                                                              chapter):
    notebook = server.open(chapter)["content"]
    before, after, _ = server.save_and_read(chapter, notebook)
    assert after == before, rewritten_lines(chapter, before, after)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_saving_after_the_kernel_starts_leaves_it_byte_identical(server,
                                                                 chapter):
    """As JupyterLab's save once the kernel named in the chapter is up."""
    notebook = server.open(chapter)["content"]
    specs = server.call("GET", "api/kernelspecs")["kernelspecs"]
    name = notebook["metadata"].get("kernelspec", {}).get("name",
                                                           "python3")
    assert name in specs, f"{chapter} asks for a kernel not here: {name}"
    spec = specs[name]["spec"]
    notebook["metadata"]["kernelspec"] = {
        "name": name, "display_name": spec["display_name"],
        "language": spec["language"]}
    notebook["metadata"]["language_info"] = LANGUAGE_INFO
    before, after, _ = server.save_and_read(chapter, notebook)
    assert after == before, rewritten_lines(chapter, before, after)


def test_an_edit_is_saved_into_the_markdown_file(server):
    """Control: the save above really writes the chapter's text, so an
    unchanged file means the round trip is the identity."""
    chapter = CHAPTERS[0]
    notebook = server.open(chapter)["content"]
    markdown = next(cell for cell in notebook["cells"]
                    if cell["cell_type"] == "markdown")
    markdown["source"] += "\n\nA sentence a reader added."
    before, after, model = server.save_and_read(chapter, notebook)
    assert model["path"] == f"{chapter}.md"
    assert after != before
    assert after.startswith(b"---\n")  # still MyST text, not JSON
    assert b"\nA sentence a reader added.\n" in after


def test_checkpoints_are_ignored_by_git(server):
    """JupyterLab asks for a checkpoint when it opens a file; git must
    not offer the copy it writes (.ipynb_checkpoints/) for a commit."""
    chapter = CHAPTERS[0]
    before = {p for p in server.root.rglob("*") if p.is_file()}
    server.call("POST", f"api/contents/{chapter}.md/checkpoints")
    written = [p.relative_to(server.root).as_posix()
               for p in server.root.rglob("*")
               if p.is_file() and p not in before]
    assert any(".ipynb_checkpoints/" in p for p in written), written
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT,
        input="\n".join(written), capture_output=True, text=True,
        timeout=TIMEOUT).stdout.split()
    assert sorted(ignored) == sorted(written)
