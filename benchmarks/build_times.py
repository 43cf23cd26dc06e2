"""How long the book takes to build: ``python benchmarks/build_times.py``.

Two builds with the README's command (``jupyter-book build . -W -n
--keep-going``) and the normal execution cache, into a new temporary
folder: a clean build, which executes every chapter, then the same
command again with nothing changed, which takes every output from the
cache. Each chapter's own execution time comes from the table the build
writes (book/_ext/exec_times.py, ``_build/exec_times.txt``).

Other processes on the machine (a test run building the book, say) slow
both builds; the CPU share they took is printed with the times.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import report  # its TensorFlow settings reach the kernels
from machine import cpu_snapshot, others_share

ROOT = Path(__file__).resolve().parents[1]

TITLE = "Building the book"


def build(out):
    """Build the book into ``out``; return the wall-clock seconds."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    started = time.perf_counter()
    run = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going",
         "--path-output", str(out)],
        cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError("the build failed:\n" + run.stdout[-3000:]
                           + run.stderr[-3000:])
    return seconds


def read_table(path):
    """exec_times.txt as rows {"chapter", "seconds", "how"}; a time the
    build did not record is None. The total line is left out."""
    rows = []
    for line in path.read_text().splitlines()[2:]:
        chapter, seconds, *how = line.split(None, 2)
        if chapter == "total":
            break
        rows.append({"chapter": chapter,
                     "seconds": None if seconds == "-" else float(seconds),
                     "how": how[0] if how else ""})
    return rows


def build_times():
    """Clean-build and no-change-rebuild seconds, and the chapters' times.

    Returns {"clean": s, "clean_others": share, "rebuild": s,
    "rebuild_others": share, "chapters": rows from the clean build}.
    ``*_others`` is the share of the CPU other processes took meanwhile
    (None where /proc/stat is missing).
    """
    subprocess.run(["make", "-s", "vendor"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="lstmref-build-") as out:
        start = cpu_snapshot()
        clean = build(out)
        clean_others = others_share(start)
        chapters = read_table(Path(out) / "_build" / "exec_times.txt")
        start = cpu_snapshot()
        rebuild = build(out)
        rebuild_others = others_share(start)
    return {"clean": clean, "clean_others": clean_others,
            "rebuild": rebuild, "rebuild_others": rebuild_others,
            "chapters": chapters}


def table(times):
    """The chapters' times and the two builds as markdown."""
    lines = ["| chapter | execution (s) |", "| --- | ---: |"]
    for row in times["chapters"]:
        seconds = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        lines.append(f"| {row['chapter']} | {seconds} |")
    executed = sum(row["seconds"] or 0 for row in times["chapters"])
    lines.append(f"| all chapters | {executed:.1f} |")

    def share(value):
        return "?" if value is None else f"{value:.0%}"

    lines += ["",
              f"- clean build (every chapter executed): "
              f"{times['clean']:.1f} s; other processes used "
              f"{share(times['clean_others'])} of the CPU",
              f"- the same command again, nothing changed: "
              f"{times['rebuild']:.1f} s; other processes used "
              f"{share(times['rebuild_others'])} of the CPU"]
    return "\n".join(lines)


def run():
    """For run.py: the same as ``build_times()``."""
    return build_times()


if __name__ == "__main__":
    report([sys.modules[__name__]])  # this section alone, as run.py does
