"""How long the book takes to build: ``python benchmarks/build_times.py``.

Two builds with the README's command (``jupyter-book build . -W -n
--keep-going``) and the normal execution cache, into a new temporary
folder: a clean build, which executes every chapter, then the same
command again with nothing changed, which takes every output from the
cache. Each chapter's own execution time comes from the table the build
writes (book/_ext/exec_times.py, ``_build/exec_times.txt``).

Other processes on the machine (a test run building the book, say) slow
both builds; the CPU share they took is printed with the times.

``python benchmarks/build_times.py --compare f459e18 HEAD --rounds 2``
compares two git revisions on the same machine under the same load: each
is checked out as a git worktree in a temporary folder and built
``--rounds`` times, the builds interleaved (A B, then B A, ...), each
executing every chapter (``execute_notebooks: force``, as the tests'
``book`` fixture does) into its own ``--path-output`` and training into
an empty model cache of its own (``$LSTMREF_CACHE``), so each build
trains the models it needs once. The kernels import the worktree's
lstmref (``PYTHONPATH``) with this checkout's installed packages: a
revision that needs other packages must have them installed, and
``--hide-before rfc3987`` keeps the first revision's builds from
importing a package the second one added (as if it were not installed).
Printed: each chapter's mean time per revision, every build's total and
the change of the mean total.

``--warm-cache`` measures the other case, a machine that has trained
the models once already (a second ``make book-fresh``, say): each
revision that has ``lstmref/model_cache.py`` first builds once, untimed,
into a model cache that its timed builds then share, so that no chapter
trains but the one that trains in front of the reader.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import report  # its TensorFlow settings reach the kernels
from machine import cpu_snapshot, describe, others_share

ROOT = Path(__file__).resolve().parents[1]

TITLE = "Building the book"
#: The table book/_ext/exec_times.py writes next to the html folder.
REPORT_NAME = "exec_times.txt"


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
        chapters = read_table(Path(out) / "_build" / REPORT_NAME)
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


# ---------------------------------------------------------------------
# Two revisions compared: python benchmarks/build_times.py --compare A B


def worktree(rev, where):
    """A detached git worktree of ``rev`` in ``where``, with this
    checkout's vendored JavaScript (``_vendor/`` is not in git)."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach",
                    "--quiet", str(where), rev], check=True)
    vendor = ROOT / "_vendor"
    if vendor.is_dir():
        (Path(where) / "_vendor").symlink_to(vendor)
    return Path(where)


def forced_config(tree, out):
    """A copy of ``tree``'s _config.yml that executes every chapter
    (``execute_notebooks: force``, as tests/conftest.py's ``book`` does),
    with its local extensions' paths made absolute; returns its path."""
    import yaml
    config = yaml.safe_load((tree / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "force"
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in extensions.items():
        extensions[name] = str(tree / path)
    path = Path(out) / "_config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def hidden_modules(names, where):
    """A folder that, put first on PYTHONPATH, makes each of ``names``
    (top-level modules) fail to import, as if its package were missing:
    for a revision that did not install a package the other one does."""
    where = Path(where)
    where.mkdir(parents=True)
    for name in names:
        (where / f"{name}.py").write_text(
            f"raise ImportError('{name} is hidden from this build')\n")
    return where


def timed_build(tree, out, hide=(), cache=None):
    """Build ``tree`` into ``out`` executing every chapter, its kernels
    importing ``tree``'s lstmref (PYTHONPATH) and training into an empty
    model cache of their own (or the folder ``cache``, which may hold
    trained models already), the modules ``hide`` not importable;
    returns {"wall", "others", "returncode", "chapters": rows of its
    exec_times.txt, "total"}.

    No ``-W``: a warning in one revision must not cost the other its
    timing; a build whose table is missing (a chapter failed) raises.
    """
    out = Path(out)
    out.mkdir(parents=True)
    config = forced_config(tree, out)
    path = [str(tree)]
    if hide:
        path.insert(0, str(hidden_modules(hide, out / "hidden")))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path),
               LSTMREF_CACHE=str(cache or out / "model-cache"))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    start = cpu_snapshot()
    run = subprocess.run(
        [str(jupyter_book), "build", str(tree), "-n", "--keep-going",
         "--config", str(config), "--path-output", str(out)],
        cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start[0]
    others = others_share(start)
    table_path = out / "_build" / REPORT_NAME
    if not table_path.exists():
        raise RuntimeError(f"the build of {tree} wrote no {REPORT_NAME}:\n"
                           + run.stdout[-3000:] + run.stderr[-3000:])
    rows = read_table(table_path)
    return {"wall": wall, "others": others, "returncode": run.returncode,
            "chapters": rows,
            "total": sum(r["seconds"] or 0 for r in rows)}


def compare(revisions, rounds=2, keep=False, hide_before=(), warm=False):
    """Build each revision ``rounds`` times, interleaved A B, B A, A B,
    ... so that a change in the machine's load falls on both alike. The
    first revision's builds cannot import the modules ``hide_before``.
    With ``warm``, a revision with a model cache builds once, untimed,
    before the rounds, and its timed builds read the models it trained.

    Returns {"revisions": [(name, commit)], "builds": {name: [build]}}.
    """
    commits = [subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        capture_output=True, text=True, check=True).stdout.strip()
        for rev in revisions]
    base = Path(tempfile.mkdtemp(prefix="lstmref-compare-"))
    subprocess.run(["make", "-s", "vendor"], cwd=ROOT, check=True)
    trees = [worktree(commit, base / f"tree-{k}")
             for k, commit in enumerate(commits)]
    builds = {rev: [] for rev in revisions}
    caches = [None] * len(revisions)
    try:
        for k, tree in enumerate(trees):
            if warm and (tree / "lstmref" / "model_cache.py").exists():
                caches[k] = base / f"model-cache-{k}"
                timed_build(tree, base / f"warm-up-{k}",
                            hide_before if k == 0 else (), caches[k])
                print(f"{_label(revisions[k], commits[k])}: models "
                      "trained into the shared cache (untimed build)",
                      file=sys.stderr, flush=True)
        for round_ in range(rounds):
            order = range(len(revisions))
            if round_ % 2:
                order = reversed(order)
            for k in order:
                rev = revisions[k]
                result = timed_build(trees[k], base / f"build-{k}-{round_}",
                                     hide_before if k == 0 else (),
                                     caches[k])
                builds[rev].append(result)
                print(f"round {round_ + 1}, {_label(rev, commits[k])}: "
                      f"chapters {result['total']:.1f} s, build "
                      f"{result['wall']:.1f} s, others used "
                      f"{_share(result['others'])} of the CPU",
                      file=sys.stderr, flush=True)
    finally:
        if not keep:
            for tree in trees:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove",
                                "--force", str(tree)], check=False)
            shutil.rmtree(base, ignore_errors=True)
    return {"revisions": list(zip(revisions, commits)), "builds": builds,
            "hidden": list(hide_before),
            "warm": [name for name, cache in zip(revisions, caches)
                     if cache]}


def _label(rev, commit):
    """``rev (commit)``, or the short commit alone if rev is its hash."""
    return commit if rev.startswith(commit) else f"{rev} ({commit})"


def _share(value):
    return "?" if value is None else f"{value:.0%}"


def compare_table(result):
    """Each chapter's mean execution time per revision, the totals of
    every build, and the change of the mean total, as markdown."""
    names = [name for name, _ in result["revisions"]]
    builds = result["builds"]
    chapters = []  # in the last revision's order, then any others
    for name in reversed(names):
        for build in builds[name]:
            for row in build["chapters"]:
                if row["chapter"] not in chapters:
                    chapters.append(row["chapter"])

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    def cell(value):
        return "-" if value is None else f"{value:.1f}"

    heads = [_label(name, commit) for name, commit in result["revisions"]]
    lines = ["| chapter | " + " | ".join(heads) + " |",
             "| --- |" + " ---: |" * len(names)]
    for chapter in chapters:
        cells = []
        for name in names:
            times = [row["seconds"] for build in builds[name]
                     for row in build["chapters"]
                     if row["chapter"] == chapter]
            cells.append(cell(mean(times)) if times else "(none)")
        lines.append(f"| {chapter} | " + " | ".join(cells) + " |")
    totals = [mean([b["total"] for b in builds[name]]) for name in names]
    lines.append("| all chapters, mean | "
                 + " | ".join(cell(t) for t in totals) + " |")
    lines.append("")
    for name, commit in result["revisions"]:
        each = ", ".join(
            f"{b['total']:.1f} s (others {_share(b['others'])}"
            + ("" if b["returncode"] == 0 else ", build exit "
               f"{b['returncode']}") + ")" for b in builds[name])
        lines.append(f"- {_label(name, commit)}: chapters' total per build: "
                     f"{each}")
    if result.get("hidden"):
        lines.append(f"- {_label(*result['revisions'][0])}'s builds could "
                     "not import "
                     + ", ".join(result["hidden"])
                     + " (not installed at that revision)")
    for name in result.get("warm", []):
        lines.append(f"- {name}'s timed builds read the models an untimed "
                     "build had trained (a warm model cache)")
    if len(names) == 2 and totals[0]:
        change = (totals[1] - totals[0]) / totals[0]
        lines.append(f"- {_label(*result['revisions'][1])} vs "
                     f"{_label(*result['revisions'][0])}: {change:+.1%} "
                     "(mean chapters' total)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare", nargs=2, metavar=("BEFORE", "AFTER"),
        help="two git revisions: build each --rounds times, interleaved, "
             "executing every chapter, and compare the chapters' times")
    parser.add_argument("--rounds", type=int, default=2,
                        help="builds of each revision (default 2)")
    parser.add_argument(
        "--hide-before", nargs="+", default=[], metavar="MODULE",
        help="modules the BEFORE builds cannot import: packages the AFTER "
             "revision added to the requirements (e.g. rfc3987)")
    parser.add_argument(
        "--warm-cache", action="store_true",
        help="time builds whose models are trained already: each revision "
             "with a model cache first builds once, untimed, into the "
             "cache its timed builds share")
    parser.add_argument("--keep", action="store_true",
                        help="keep the worktrees and builds (printed "
                             "folder under the temporary directory)")
    args = parser.parse_args(argv)
    if not args.compare:
        report([sys.modules[__name__]])  # this section alone, as run.py
        return
    print(describe())
    result = compare(args.compare, args.rounds, args.keep,
                     args.hide_before, args.warm_cache)
    print()
    print(f"## The chapters' execution time, {args.compare[0]} vs "
          f"{args.compare[1]}")
    print()
    print(compare_table(result))


if __name__ == "__main__":
    main()
