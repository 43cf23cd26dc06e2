"""Binder's environment: what binder/ installs and how binder/start sets
thread counts.

Binder builds the image with repo2docker, which reads only binder/ when
that folder exists: binder/requirements.txt, binder/runtime.txt and
binder/start, the script it runs before the Jupyter server.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
START = BINDER / "start"
COUNTS = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
          "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"]
PRINT_ENV = "import json, os; print(json.dumps(dict(os.environ)))"
TENSORFLOWS = {"tensorflow", "tensorflow-cpu", "tensorflow-intel",
               "tensorflow-macos"}


def fake_cgroup(root, files):
    """Write cgroup files ({relative path: text}) under root."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def start(cgroup, command, **env):
    """Run command through binder/start with a fake cgroup root, no
    thread count set beforehand except those given in env."""
    clean = {k: v for k, v in os.environ.items() if k not in COUNTS}
    clean.update(LSTMREF_CGROUP_ROOT=str(cgroup), **env)
    run = subprocess.run([str(START), *command], env=clean, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("files,threads", [
    ({"cpu.max": "150000 100000\n"}, "2"),  # v2: 1.5 CPUs, rounded up
    ({"cpu.max": "50000 100000\n"}, "1"),  # half a CPU: at least 1
    ({"cpu.max": "400000 100000\n"}, "4"),
    ({"cpu.max": "max 100000\n"}, None),  # v2, no quota
    ({"cpu,cpuacct/cpu.cfs_quota_us": "250000\n",  # v1
      "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, "3"),
    ({"cpu/cpu.cfs_quota_us": "200000\n",
      "cpu/cpu.cfs_period_us": "100000\n"}, "2"),
    ({"cpu/cpu.cfs_quota_us": "-1\n",  # v1, no quota
      "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),  # no cgroup files at all
], ids=["v2-1.5", "v2-0.5", "v2-4", "v2-max", "v1-cpuacct-2.5", "v1-2",
        "v1-none", "none"])
def test_start_exports_the_quota_rounded_up(tmp_path, files, threads):
    cgroup = fake_cgroup(tmp_path, files)
    env = json.loads(start(cgroup, [sys.executable, "-c", PRINT_ENV]))
    assert {name: env.get(name) for name in COUNTS} == dict.fromkeys(
        COUNTS, threads)


def test_start_keeps_a_count_already_set(tmp_path):
    cgroup = fake_cgroup(tmp_path, {"cpu.max": "200000 100000\n"})
    env = json.loads(start(cgroup, [sys.executable, "-c", PRINT_ENV],
                           OMP_NUM_THREADS="7"))
    assert env["OMP_NUM_THREADS"] == "7"
    assert env["OPENBLAS_NUM_THREADS"] == "2"


def test_start_execs_the_command_with_its_arguments(tmp_path):
    """`exec "$@"`: the server replaces the script (same process, so
    signals reach it) and gets its arguments unchanged."""
    process = subprocess.Popen(
        [str(START), "sh", "-c", 'echo "$$|$1"', "sh", "two words"],
        env=dict(os.environ, LSTMREF_CGROUP_ROOT=str(tmp_path)),
        stdout=subprocess.PIPE, text=True)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert out.strip() == f"{process.pid}|two words"
    assert os.access(START, os.X_OK)


# A kernel's view: how many threads OpenBLAS runs (threadpoolctl), and how
# many TensorFlow starts once it has run an op. TensorFlow names its
# inter-op threads tf_Compute; its intra-op threads (Eigen's pool) carry no
# name of their own, so they are counted as the unnamed threads that
# appear once TensorFlow runs (an unnamed thread shows the process's name).
PROBE = """
import collections, json, os
import numpy as np
import threadpoolctl

def threads():
    return collections.Counter(
        open(f"/proc/self/task/{t}/comm").read().strip()
        for t in os.listdir("/proc/self/task"))

unnamed = open("/proc/self/comm").read().strip()
np.ones((64, 64)) @ np.ones((64, 64))  # OpenBLAS starts its threads
before = threads()
import tensorflow as tf
x = tf.random.normal((64, 64))
tf.linalg.matmul(x, x)
tf.function(lambda x: tf.reduce_sum(x @ x))(x)
after = threads()
print(json.dumps({
    "openblas": [pool["num_threads"]
                 for pool in threadpoolctl.threadpool_info()
                 if pool["internal_api"] == "openblas"],
    "tf_intra_op": after[unnamed] - before[unnamed],
    "tf_inter_op": after["tf_Compute"],
}))
"""


def kernel_threads(cgroup):
    """Thread counts of a Python started through binder/start."""
    out = start(cgroup, [sys.executable, "-c", PROBE],
                TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    return json.loads(out.strip().splitlines()[-1])


def test_a_python_started_through_start_runs_one_thread_per_quota_cpu(
        tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert cores >= 2, "one core: the quota case could not differ"
    # Control: with no quota every library starts one thread per core.
    no_quota = fake_cgroup(tmp_path / "max", {"cpu.max": "max 100000\n"})
    assert kernel_threads(no_quota) == {
        "openblas": [cores], "tf_intra_op": cores, "tf_inter_op": cores}
    one_cpu = fake_cgroup(tmp_path / "one",
                          {"cpu.max": "100000 100000\n"})
    assert kernel_threads(one_cpu) == {
        "openblas": [1], "tf_intra_op": 1, "tf_inter_op": 1}


def resolve(report, requirements, *options, env=None):
    """pip's --dry-run --report for a requirements file, run from the
    repository's root as repo2docker does; the packages it would
    install, by name."""
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", *options, "--dry-run",
         "--ignore-installed", "--quiet", "--report", str(report),
         "-r", str(requirements)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    installs = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"].lower().replace("_", "-"): item
            for item in installs}


def assert_cpu_only_with_one_tensorflow(packages):
    gpu = [name for name in packages
           if any(word in name for word in ("nvidia", "triton", "cuda"))]
    assert gpu == []
    assert len(TENSORFLOWS & set(packages)) == 1, sorted(
        TENSORFLOWS & set(packages))


def test_binder_requirements_resolve_from_pypi_alone_without_cuda(
        tmp_path):
    """What Binder would install: PyPI only, none of this machine's pip
    settings (/etc/xdg/pip caps torch, ~/.config/pip adds a local wheel
    folder and indexes): PIP_CONFIG_FILE=/dev/null skips every config
    file and --isolated every PIP_* variable."""
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == "python-%d.%d" % sys.version_info[:2], (
        "resolve with the Python Binder uses")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    packages = resolve(tmp_path / "report.json",
                       BINDER / "requirements.txt", "--isolated",
                       "--index-url", "https://pypi.org/simple", env=env)
    assert_cpu_only_with_one_tensorflow(packages)
    assert "torch" not in packages  # PyPI's Linux torch is a CUDA build
    sources = {name: item["download_info"]["url"]
               for name, item in packages.items()}
    # `-e .` is this repository's package, since pip runs from its root.
    assert sources.pop("lstmref") == ROOT.as_uri()
    assert packages["lstmref"]["download_info"]["dir_info"]["editable"]
    elsewhere = {name: url for name, url in sources.items()
                 if not url.startswith("https://files.pythonhosted.org/")}
    assert elsewhere == {}


def test_project_requirements_install_cpu_torch_and_one_tensorflow(
        tmp_path):
    """make book / make test: this machine's pip settings, where
    torch==2.13.0 is the CPU build from the local wheel folder."""
    packages = resolve(tmp_path / "report.json", ROOT / "requirements.txt")
    assert_cpu_only_with_one_tensorflow(packages)
    assert packages["torch"]["metadata"]["version"].startswith("2.13.0")


def test_nbformat_imports_without_building_the_rfc3987_syntax_grammar():
    """Each chapter's first glue imports nbformat and so jsonschema,
    which checks IRIs with rfc3987 when it is installed and otherwise
    builds rfc3987-syntax's grammar at import (1-3 s in every kernel).
    binder/requirements.txt installs rfc3987 for that."""
    run = subprocess.run(
        [sys.executable, "-c",
         "import sys, nbformat\n"
         "from myst_nb import glue\n"
         "glue('x', 1.0, display=False)\n"
         "print(sorted(m for m in ('rfc3987', 'rfc3987_syntax')"
         " if m in sys.modules))"],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['rfc3987']"
