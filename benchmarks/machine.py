"""The machine a benchmark ran on, as a few markdown lines.

Printed once above the tables, so that numbers copied elsewhere keep the
platform, CPU, BLAS and library versions they were measured with.
"""

import os
import platform
import subprocess
import time

import numpy as np

__all__ = ["describe", "cpu_snapshot", "others_share"]


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, or platform's guess."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas():
    """NumPy's BLAS: threadpoolctl's view if installed, else the build's."""
    try:
        import threadpoolctl
    except ImportError:
        pass
    else:
        pools = [p for p in threadpoolctl.threadpool_info()
                 if p["user_api"] == "blas"]
        if pools:
            return ", ".join(
                f"{p['internal_api']} {p['version']} "
                f"({p.get('architecture', '?')}, {p['num_threads']} threads)"
                for p in pools)
    config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return (f"{config['name']} {config['version']} "
            "(from numpy.show_config; install threadpoolctl for threads)")


def lstmref_version():
    """lstmref's version and, in a git checkout, its commit (``+dirty``)."""
    import lstmref
    where = os.path.dirname(os.path.abspath(lstmref.__file__))
    text = f"lstmref {lstmref.__version__}"
    try:
        commit = subprocess.run(
            ["git", "-C", where, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", where, "status", "--porcelain", "--", "."],
            capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return text
    return text + f" at commit {commit}" + (
        " + uncommitted changes" if dirty else "")


def describe():
    """Markdown bullet lines: platform, CPU, NumPy + BLAS, Keras, TF.

    The load average is there because other processes on the same cores
    (a test run, say) slow every timing, BLAS's threads most of all.
    """
    lines = [
        f"- platform: {platform.platform()}, Python "
        f"{platform.python_version()}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores, load "
        f"average {os.getloadavg()[0]:.2f} (1 min) before the run",
        f"- NumPy {np.__version__}, BLAS: {blas()}",
        f"- {lstmref_version()}",
    ]
    try:
        import keras
        import tensorflow as tf
    except ImportError:
        lines.append("- Keras / TensorFlow: not installed")
    else:
        lines.append(f"- Keras {keras.__version__} (backend "
                     f"{keras.backend.backend()}), TensorFlow "
                     f"{tf.__version__}")
    return "\n".join(lines)


def cpu_snapshot():
    """(wall seconds, CPU seconds of every process, of this process).

    "This process" includes the children it has run to the end (a book
    build and its kernels, Chromium), which are not "other processes".
    Pass it to ``others_share`` later. The machine-wide figure comes from
    /proc/stat (Linux); elsewhere it is None.
    """
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf(
            "SC_CLK_TCK")  # all but idle and iowait
    except (OSError, ValueError, IndexError):
        busy = None
    own = os.times()
    return time.perf_counter(), busy, (own.user + own.system
                                       + own.children_user
                                       + own.children_system)


def others_share(since):
    """Share of the machine's CPU other processes used since ``since``.

    0 means the timings had the cores to themselves; 0.5 on two cores
    means another process kept one core busy, and the numbers are suspect.
    None where /proc/stat is missing.
    """
    wall0, busy0, own0 = since
    wall, busy, own = cpu_snapshot()
    if busy is None or busy0 is None or wall <= wall0:
        return None
    others = (busy - busy0) - (own - own0)
    return max(0.0, others / ((wall - wall0) * os.cpu_count()))
