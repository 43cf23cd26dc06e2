"""How long ``python -m lstmref explain`` takes on 200,000 windows.

Builds a random-weight Keras 3 model, Input (24, F) -> LSTM(50) ->
Dense(1), saves it as .keras in a temporary folder with 200,000 windows
(24, F) as a float32 .npy, runs the command in a new process with its
defaults (at most 1,000 windows explained, sampled with seed 0; every
method that applies) and prints its wall time and peak resident memory
(``os.wait4``'s ru_maxrss of that process), with its CPU time, which
the load of other processes changes less than the wall time. The model and windows are
built in another process, so that Keras's memory is never counted.

    python benchmarks/explain_scale.py [--windows N] [--features F]
        [-- extra explain options]

Goal (issue 14): <= 60 s and <= 1 GB on this machine (2 cores).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

T, UNITS = 24, 50


def build(folder, windows, features, seed=0):
    """Save model.keras and windows.npy (windows, T, features) in folder."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    rng = np.random.default_rng(seed)
    model = keras.Sequential([keras.Input((T, features)),
                              keras.layers.LSTM(UNITS),
                              keras.layers.Dense(1)])
    model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32")
                       for w in model.get_weights()])
    model.save(folder / "model.keras")
    # a daily-looking series (level 20, weekly cycle, noise), cut into
    # overlapping windows, written block by block
    rows = windows + T - 1
    days = np.arange(rows)[:, None]
    series = (20 + 5 * np.sin(2 * np.pi * days / 7 + np.arange(features))
              + rng.normal(0, 2, (rows, features))).astype("float32")
    out = np.lib.format.open_memmap(folder / "windows.npy", "w+",
                                    np.float32, (windows, T, features))
    for start in range(0, windows, 10_000):
        stop = min(windows, start + 10_000)
        out[start:stop] = np.lib.stride_tricks.sliding_window_view(
            series[start:stop + T - 1], T, axis=0).transpose(0, 2, 1)
    out.flush()
    del out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--build", metavar="FOLDER",
                        help="only build the files in FOLDER")
    parser.add_argument("extra", nargs="*",
                        help="more explain options, after --")
    args = parser.parse_args()
    if args.build:
        build(Path(args.build), args.windows, args.features)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run([sys.executable, __file__, "--build", tmp,
                        "--windows", str(args.windows), "--features",
                        str(args.features)], check=True,
                       stderr=subprocess.DEVNULL)
        size = (folder / "windows.npy").stat().st_size
        command = [sys.executable, "-m", "lstmref", "explain",
                   str(folder / "model.keras"), "--data",
                   str(folder / "windows.npy"), *args.extra]
        with open(folder / "out.txt", "w") as out, \
                open(folder / "err.txt", "w") as err:
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=out, stderr=err)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
        print((folder / "out.txt").read_text())
        print((folder / "err.txt").read_text(), file=sys.stderr)
    print(f"{args.windows:,} windows (T={T}, F={args.features}, "
          f"{size / 2**20:.0f} MB .npy), LSTM({UNITS}) -> Dense(1), "
          f"options {' '.join(args.extra) or '(defaults)'}")
    code = os.waitstatus_to_exitcode(status)
    print(f"exit status {code}; wall time {wall:.1f} s; CPU time "
          f"{usage.ru_utime + usage.ru_stime:.1f} s (user + system); peak "
          f"RSS {usage.ru_maxrss / 1024:.0f} MB; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    return code


if __name__ == "__main__":
    sys.exit(main())
