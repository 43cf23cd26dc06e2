"""Trial of ``lstmref.files`` and ``explain`` on Keras model files that
other people's public projects saved (issue 14, item 3).

For every ``.h5``, ``.hdf5`` and ``.keras`` file in the full history of
each repository snapshot under the mirror folder (bare git directories,
``<owner>+<name>/repo``; identical blobs tried once), and for the model
files of ``tests/data/real_models/``:

(a) ``lstmref.files.read_model_file``: read, or refused (why);
(b) ``lstmref.files.stack_from_file``: accepted, or its one-line refusal;
(c) Keras 3 (``keras.saving.load_model(path, compile=False,
    safe_mode=True)``) and tf_keras (``tf_keras.models.load_model(path,
    compile=False)``) each try to load it: only files that (a) read, so
    never a file refused for code;
(d) where (b) accepted it and a library loads it, both predict 4 random
    float32 windows (uniform in [0, 1), the scale of min-max scaled
    inputs; T = 10 where the model leaves it free): the largest absolute
    difference over the largest |y|;
(e) ``python -m lstmref explain FILE --data windows.npy`` runs in a new
    process on those windows: its exit status, and its first stderr line
    when it fails.

Every step runs in a child process with a time limit, so that a library
that crashes or hangs costs one cell of the table, not the run.
Repositories named by ``--summarize`` (Deeplearning4j's 765 test files by
default) are counted by Keras version instead of listed, and the
libraries and ``explain`` are tried on their accepted files only.

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \\
        .venv/bin/python benchmarks/real_models.py [--mirror /work/.mirror]

prints the Markdown tables and totals (the rows also go, one JSON object
a line, to ``--rows``).
"""

import argparse
import hashlib
import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real_models"
EXTENSIONS = (".h5", ".hdf5", ".keras")
MARK = "@@result "
WINDOWS, FREE_T = 4, 10
AGREE = 1e-4  # float32 weights and float32 Keras arithmetic: ~1e-6 of |y|
ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow",
       "CUDA_VISIBLE_DEVICES": "-1", "TF_NUM_INTRAOP_THREADS": "1",
       "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}


# ---------------------------------------------------------------- git side

def git(git_dir, *args):
    """Output of ``git --git-dir=git_dir args`` (bytes)."""
    return subprocess.run(["git", f"--git-dir={git_dir}", *args],
                          capture_output=True, check=True).stdout


def model_blobs(git_dir):
    """{blob sha: (size or None if absent, [paths])} of every model file
    in every commit of every ref, oldest commit first."""
    blobs = {}
    commits = git(git_dir, "rev-list", "--all", "--reverse").split()
    for commit in commits:
        listing = git(git_dir, "ls-tree", "-r", "-l", "-z", commit.decode())
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, path = entry.decode(errors="replace").split("\t", 1)
            _, kind, sha, size = meta.split()
            if kind != "blob" or not path.lower().endswith(EXTENSIONS):
                continue
            size = int(size) if size.isdigit() else None
            paths = blobs.setdefault(sha, (size, []))[1]
            if path not in paths:
                paths.append(path)
    return blobs


def licence(git_dir):
    """The licence the repository's LICENSE file (at HEAD) states."""
    try:
        names = git(git_dir, "ls-tree", "--name-only", "HEAD").decode()
    except subprocess.CalledProcessError:
        return "not checked"
    found = [n for n in names.split("\n")
             if re.match(r"(licen[cs]e|copying)", n, re.I)]
    if not found:
        return "none stated (no LICENSE file)"
    text = git(git_dir, "show", f"HEAD:{found[0]}").decode(errors="replace")
    for pattern, name in [("GNU AFFERO", "AGPL-3.0"),
                          ("GNU LESSER", "LGPL"),
                          ("GNU GENERAL PUBLIC", "GPL"),
                          ("Apache License", "Apache-2.0"),
                          ("Permission is hereby granted", "MIT"),
                          ("Redistribution and use", "BSD"),
                          ("Mozilla Public", "MPL-2.0"),
                          ("unlicense", "Unlicense")]:
        if re.search(pattern, text, re.I):
            return name
    return f"other ({found[0]})"


# ------------------------------------------------------------ child side

def _one_line(error):
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= 300 else text[:297] + "..."


def _layers(model):
    """'InputLayer > LSTM (seq) > Dense', and whether an LSTM is in it."""
    names, lstm = [], False
    for layer in model.layers:
        inner = layer.config.get("layer") or layer.config.get("cell")
        name = layer.class_name
        if isinstance(inner, dict) and "class_name" in inner:
            name += f"({inner['class_name']})"
            lstm |= inner["class_name"] in ("LSTM", "LSTMCell", "CuDNNLSTM")
        lstm |= layer.class_name in ("LSTM", "CuDNNLSTM")
        seq = layer.config.get("return_sequences") or (
            isinstance(inner, dict)
            and inner.get("config", {}).get("return_sequences"))
        names.append(name + (" (seq)" if seq else ""))
    return " > ".join(names), lstm


def job_lstmref(job):
    """(a) and (b); where accepted, the windows and lstmref's y."""
    from lstmref.files import read_model_file, stack_from_file
    out = {}
    try:
        model = read_model_file(job["path"])
    except Exception as error:  # noqa: BLE001 - recorded, not hidden
        out["read"] = _one_line(error).replace(job["path"], "FILE")
        out["shape"] = [FREE_T, 1]
        return out
    out["read"] = "read"
    out["keras"] = model.keras_version or "(none stated)"
    out["format"] = model.format
    out["layers"], out["lstm"] = _layers(model)
    shape = model.input_shape
    T = shape[1] if shape is not None and len(shape) == 3 else None
    F = shape[-1] if shape is not None and len(shape) == 3 else 1
    try:
        stack = stack_from_file(job["path"])
    except Exception as error:  # noqa: BLE001 - any failure is this file's row
        out["stack"] = _one_line(error).replace(job["path"], "FILE")
        out["shape"] = [T or FREE_T, F or 1]
        return out
    out["stack"] = "accepted"
    out["stack_repr"] = repr(stack)
    T = T or stack.steps or FREE_T
    out["shape"] = [T, stack.input_dim]
    rng = np.random.default_rng(int(job["seed"]))
    x = rng.random((WINDOWS, T, stack.input_dim)).astype(np.float32)
    np.save(job["windows"], x)
    y = stack.predict(x)
    np.save(job["windows"] + ".lstmref.npy", y)
    if job.get("reference"):
        out["recorded"] = recorded_diff(stack, job["reference"])
    return out


def recorded_diff(stack, reference):
    """Largest |lstmref - recorded| / max |recorded| on the inputs and
    predictions Keras itself saved beside a model."""
    import h5py
    with h5py.File(reference, "r") as store:
        x = next(iter(store["inputs"].values()))[()]
        y = next(iter(store["predictions"].values()))[()]
    ours = stack.predict(x.astype(np.float64))
    return float(np.abs(ours - y).max() / np.abs(y).max())


def job_library(job):
    """(c) and (d) with one library."""
    if job["library"] == "keras3":
        import keras
        def load(path):
            return keras.saving.load_model(path, compile=False,
                                           safe_mode=True)
        clear = keras.backend.clear_session
    else:
        import tf_keras
        def load(path):
            return tf_keras.models.load_model(path, compile=False)
        clear = tf_keras.backend.clear_session
    clear()
    try:
        model = load(job["path"])
    except Exception as error:  # noqa: BLE001 - any failure is this file's row
        return {"load": _one_line(error).replace(job["path"], "FILE")}
    out = {"load": "loads"}
    if job.get("windows"):
        x = np.load(job["windows"])
        try:
            y = model(x, training=False)
            if isinstance(y, (list, tuple)):
                y = y[0]
            y = np.asarray(y, dtype=np.float64)
            if y.ndim == 3:  # a sequence: lstmref explains the last step
                y = y[:, -1]
            ours = np.load(job["windows"] + ".lstmref.npy")
            y = y.reshape(len(x), -1)
            if y.shape != ours.shape:
                out["predict"] = f"shapes differ: {y.shape} {ours.shape}"
            else:
                out["diff"] = float(np.abs(ours - y).max()
                                    / max(np.abs(y).max(), 1e-30))
                out["y"] = float(np.abs(y).max())
        except Exception as error:  # noqa: BLE001 - any failure is this file's row
            out["predict"] = _one_line(error)
    return out


def child():
    """Answer jobs, one JSON line in, one marked JSON line out."""
    for line in sys.stdin:
        job = json.loads(line)
        run = job_lstmref if job["kind"] == "lstmref" else job_library
        try:
            answer = run(job)
        except Exception as error:  # noqa: BLE001 - any failure is this file's row
            answer = {"error": _one_line(error)}
        print(MARK + json.dumps(answer), flush=True)


# ----------------------------------------------------------- parent side

class Child:
    """A worker process, restarted after a crash, a hang or 40 jobs."""

    def __init__(self, timeout):
        self.timeout, self.process, self.jobs = timeout, None, 0

    def ask(self, job):
        if self.process is None or self.jobs >= 40:
            self.close()
            self.process = subprocess.Popen(
                [sys.executable, __file__, "--child"], text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env={**os.environ, **ENV},
                cwd=ROOT)
            self.jobs = 0
        self.jobs += 1
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            if not selector.select(end - time.monotonic()):
                break
            line = self.process.stdout.readline()
            if not line:  # the child died
                code = self.process.wait()
                self.process = None
                return {"error": f"child process died (exit {code})"}
            if line.startswith(MARK):
                return json.loads(line[len(MARK):])
        self.close()
        return {"error": f"no answer in {self.timeout} s"}

    def close(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def explain(path, windows, timeout):
    """(e): ``python -m lstmref explain path --data windows``."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lstmref", "explain", str(path),
             "--data", str(windows)], capture_output=True, text=True,
            timeout=timeout, cwd=ROOT, env={**os.environ, **ENV})
    except subprocess.TimeoutExpired:
        return {"exit": None, "stderr": f"no answer in {timeout} s"}
    lines = [s for s in done.stderr.splitlines() if s.strip()]
    last = lines[-1] if done.returncode and lines and (
        lines[0].startswith("Traceback")) else ""
    first = lines[0] if lines else ""
    text = (first + (f" ... {last}" if last else "")).replace(
        str(path), "FILE")
    return {"exit": done.returncode, "stderr": text[:300]}


def trial(worker, path, seed, *, libraries=True, timeout=600,
          reference=None):
    """Every step on one file; returns the row's dict."""
    windows = str(path) + ".windows.npy"
    row = worker.ask({"kind": "lstmref", "path": str(path), "seed": seed,
                      "windows": windows, "reference": reference})
    accepted = row.get("stack") == "accepted"
    if row.get("read") == "read" and (libraries or accepted):
        for library in ("keras3", "tf_keras"):
            row[library] = worker.ask({
                "kind": "library", "library": library, "path": str(path),
                "windows": windows if accepted else None})
    if libraries or accepted:
        if not accepted:  # windows of the shape the file states
            T, F = row.get("shape", [FREE_T, 1])
            rng = np.random.default_rng(seed)
            np.save(windows, rng.random((WINDOWS, T, F)).astype(np.float32))
        row["explain"] = explain(path, windows, timeout)
    return row


def absent_or_pointer(data):
    if data is None:
        return "absent from the snapshot"
    if data.startswith(b"version https://git-lfs"):
        return "Git LFS pointer (file not in the snapshot)"
    return None


def repositories(mirror):
    for folder in sorted(Path(mirror).iterdir(), key=lambda p: p.name):
        git_dir = folder / "repo"
        if (git_dir / "HEAD").exists():
            yield folder.name.replace("+", "/", 1), git_dir


def run_repository(worker, name, git_dir, scratch, summarize, timeout):
    """Rows of every model blob in one repository's history."""
    rows, stated = [], licence(git_dir)
    blobs = model_blobs(git_dir)
    print(f"{name}: {len(blobs)} model files", file=sys.stderr, flush=True)
    for sha, (size, paths) in blobs.items():
        row = {"repository": name, "path": paths[-1], "paths": paths,
               "blob": sha, "licence": stated}
        data = None
        if size is not None:
            try:
                data = git(git_dir, "cat-file", "blob", sha)
            except subprocess.CalledProcessError:
                data = None
        missing = absent_or_pointer(data)
        if missing:
            row["read"] = missing
        else:
            path = scratch / f"{sha}{Path(paths[-1]).suffix}"
            path.write_bytes(data)
            row.update(trial(worker, path, int(sha[:8], 16),
                             libraries=not summarize, timeout=timeout))
            path.unlink()
        rows.append(row)
        print(f"  {paths[-1]}: {row.get('read')} / {row.get('stack', '-')}",
              file=sys.stderr, flush=True)
    return rows


def run_committed(worker, timeout):
    """Rows of the model files committed under tests/data/real_models."""
    rows = []
    for path in sorted(REAL.glob("*.h5")):
        if path.name.endswith("_inputs_and_outputs.h5"):
            continue
        reference = REAL / path.name.replace(
            "_model.h5", "_inputs_and_outputs.h5")
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / path.name
            copy.write_bytes(path.read_bytes())
            seed = int(hashlib.sha1(path.read_bytes()).hexdigest()[:8], 16)
            row = trial(worker, copy, seed, timeout=timeout,
                        reference=str(reference) if reference.exists()
                        and reference != path else None)
        row.update(repository="tests/data/real_models", path=path.name,
                   licence="Apache-2.0")
        rows.append(row)
        print(f"  {path.name}: {row.get('read')} / {row.get('stack', '-')}",
              file=sys.stderr, flush=True)
    return rows


# ---------------------------------------------------------------- report

def short(text, n=110):
    text = str(text).replace("|", "\\|")
    return text if len(text) <= n else text[:n - 3] + "..."


def library_cell(result):
    if result is None:
        return "-"
    if "error" in result:
        return short(result["error"])
    if result["load"] != "loads":
        return "cannot load (" + short(result["load"], 70) + ")"
    if "diff" in result:
        return f"loads; predict diff {result['diff']:.1e} (y up to " \
               f"{result['y']:.1e})"
    return "loads" + (f"; predict: {short(result['predict'])}"
                      if "predict" in result else "")


def explain_cell(result):
    if result is None:
        return "-"
    if result["exit"] == 0:
        return "exit 0" + (f" ({short(result['stderr'])})"
                           if result["stderr"] else "")
    return f"exit {result['exit']}: {short(result['stderr'])}"


def stack_cell(row):
    stack = row.get("stack")
    if stack is None:
        return "-"
    if stack == "accepted":
        return "**accepted**" + (f"; recorded predictions: "
                                 f"{row['recorded']:.1e}"
                                 if "recorded" in row else "")
    stack = re.sub(r"^FILE: ", "", stack.replace("ModelFileError: ", ""))
    return "refused: " + short(re.sub(r"; lstmref reads .*$", "", stack))


def table(rows):
    out = ["| repository | path | Keras in the file | format | layers | "
           "read_model_file | stack_from_file | Keras 3 | tf_keras | "
           "explain | licence |", "|" + " --- |" * 11]
    for row in sorted(rows, key=lambda r: (r["repository"].lower(),
                                           r["path"])):
        read = row.get("read")
        read = "read" if read == "read" else "refused: " + short(
            str(read).replace("ModelFileError: FILE: ", ""))
        more = len(row.get("paths", [])) - 1
        path = f"`{row['path']}`" + (f" (+{more} more paths)" if more > 0
                                     else "")
        out.append("| " + " | ".join([
            row["repository"], path, row.get("keras", "-"),
            row.get("format", "-"), row.get("layers", "-"), read,
            stack_cell(row), library_cell(row.get("keras3")),
            library_cell(row.get("tf_keras")),
            explain_cell(row.get("explain")), row["licence"]]) + " |")
    return "\n".join(out)


def totals(rows):
    """The counts, as a dict (printed as a list)."""
    read = [r for r in rows if r.get("read") == "read"]
    diffs = [r[lib]["diff"] for r in rows for lib in ("keras3", "tf_keras")
             if isinstance(r.get(lib), dict) and "diff" in r[lib]]
    compared = [r for r in rows if any(
        isinstance(r.get(lib), dict) and "diff" in r[lib]
        for lib in ("keras3", "tf_keras"))]
    ran = [r for r in rows if r.get("explain")]
    return {
        "files tried": len(rows),
        "present in the snapshot": sum(
            1 for r in rows if not str(r.get("read", "")).startswith(
                ("absent", "Git LFS"))),
        "read by read_model_file": len(read),
        "with an LSTM": sum(1 for r in read if r.get("lstm")),
        "accepted by stack_from_file": sum(1 for r in rows
                                           if r.get("stack") == "accepted"),
        "Keras 3 loads": sum(1 for r in rows if isinstance(
            r.get("keras3"), dict) and r["keras3"].get("load") == "loads"),
        "tf_keras loads": sum(1 for r in rows if isinstance(
            r.get("tf_keras"), dict) and r["tf_keras"].get("load")
            == "loads"),
        "accepted and compared with a library": len(compared),
        f"of those, within {AGREE:g} of |y| of a library": sum(
            1 for r in compared if any(
                r[lib]["diff"] <= AGREE for lib in ("keras3", "tf_keras")
                if isinstance(r.get(lib), dict) and "diff" in r[lib])),
        f"of those, within {AGREE:g} of |y| of every library loading it":
            sum(1 for r in compared if all(
                r[lib]["diff"] <= AGREE for lib in ("keras3", "tf_keras")
                if isinstance(r.get(lib), dict) and "diff" in r[lib])),
        "largest predict diff / |y|": (f"{max(diffs):.1e}" if diffs
                                       else "-"),
        "explain run": len(ran),
        "explain exit 0": sum(1 for r in ran if r["explain"]["exit"] == 0),
        "explain exit 0 with a warning on stderr": sum(
            1 for r in ran if r["explain"]["exit"] == 0
            and r["explain"]["stderr"]),
        "explain exit 0 on accepted files": sum(
            1 for r in ran if r["explain"]["exit"] == 0
            and r.get("stack") == "accepted"),
    }


def summary(rows):
    """Counts by the Keras version the files state."""
    groups = defaultdict(list)
    for row in rows:
        version = row.get("keras", "-")
        major = ".".join(version.split(".")[:2]) if version[0].isdigit() \
            else version
        groups[major + ("-tf" if "tf" in version else "")].append(row)
    out = ["| Keras in the file | files | read | with an LSTM | accepted | "
           "compared with a library (max diff / \\|y\\|) | explain exit 0 "
           "(of accepted) |", "|" + " --- |" * 7]
    for version in sorted(groups, key=lambda v: [
            int(p) if p.isdigit() else 0 for p in re.split(r"[.-]", v)]):
        t = totals(groups[version])
        out.append(f"| {version} | {t['files tried']} | "
                   f"{t['read by read_model_file']} | {t['with an LSTM']} | "
                   f"{t['accepted by stack_from_file']} | "
                   f"{t['accepted and compared with a library']} "
                   f"({t['largest predict diff / |y|']}) | "
                   f"{t['explain exit 0 on accepted files']} |")
    return "\n".join(out)


def refusals(rows):
    """How many files each kind of refusal stopped."""
    kinds = Counter()
    for row in rows:
        text = row.get("stack") if row.get("read") == "read" else row.get(
            "read")
        if text and text != "accepted":
            text = re.sub(r"layer '[^']*'", "layer", str(text))
            text = re.sub(r"position \d+ from 0", "position k", text)
            text = re.sub(r"; lstmref reads .*$", "", text)
            kinds[short(text.replace("ModelFileError: FILE: ", ""), 150)] \
                += 1
    return "\n".join(f"| {n} | {k} |" for k, n in kinds.most_common())


def versions():
    code = ("import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'\n"
            "import keras, tf_keras; print(keras.__version__, "
            "tf_keras.__version__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, env={**os.environ, **ENV})
    return done.stdout.split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mirror", default="/work/.mirror")
    parser.add_argument("--summarize", nargs="*",
                        default=["KonduitAI/dl4j-test-resources"])
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--rows", default=None,
                        help="also write every row as JSON lines here")
    parser.add_argument("--child", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    keras_version, tf_keras_version = versions()
    worker = Child(args.timeout)
    listed, summarized, empty = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        for name, git_dir in repositories(args.mirror):
            rows = run_repository(worker, name, git_dir, Path(scratch),
                                  name in args.summarize, args.timeout)
            if not rows:
                empty.append(name)
            (summarized if name in args.summarize else listed).extend(rows)
        committed = run_committed(worker, args.timeout)
    worker.close()
    if args.rows:
        with open(args.rows, "w") as stream:
            for row in listed + summarized + committed:
                stream.write(json.dumps(row) + "\n")
    print(f"lstmref commit {commit}, Keras {keras_version}, tf_keras "
          f"{tf_keras_version}, {time.strftime('%Y-%m-%d')}\n")
    for title, rows in [("Public repositories", listed),
                        ("tests/data/real_models", committed)]:
        print(f"## {title}\n\n{table(rows)}\n")
        for key, value in totals(rows).items():
            print(f"- {key}: {value}")
        print(f"\n| files | refused because |\n| --- | --- |\n"
              f"{refusals(rows)}\n")
    for name in args.summarize:
        rows = [r for r in summarized if r["repository"] == name]
        print(f"## {name}, by Keras version\n\n{summary(rows)}\n")
        for key, value in totals(rows).items():
            print(f"- {key}: {value}")
        print(f"\n| files | refused because |\n| --- | --- |\n"
              f"{refusals(rows)}\n")
    print("Repositories with no model file in their history: "
          + (", ".join(empty) or "none"))


if __name__ == "__main__":
    main()
