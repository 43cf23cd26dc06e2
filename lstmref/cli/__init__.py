"""``python -m lstmref explain``: what a saved model learned, step by step.

::

    python -m lstmref explain MODEL.keras --data X.npy|X.csv [--output k]
        [--method {ig,occlusion,shapley,lrp,all} ...] [--plot out.png]
        [--json results.json] [--progress]

reads a Keras LSTM -> Dense (-> Activation("linear")) model file (.keras
or .h5, Keras 1 to 3) with ``lstmref.files`` and prints (a) which columns of ``kernel``,
``recurrent_kernel`` and ``bias`` belong to the gates i, f, c, o, with the
Frobenius norm of each block, and (b) how much forecast ``k`` owes to each
past step, t-1 (the last) ... t-T (the first), by every chosen method of
``lstmref.attribution`` (baseline: zeros).

The file is read as data (zip, JSON, HDF5), never as code: a Lambda or
custom layer is refused before any weight is read, and neither Keras nor
TensorFlow is imported. matplotlib is imported only for
``--plot``. A problem the user can fix (a path, a shape, a model of
another form) exits with status 2 and one line on stderr.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ..attribution import integrated_gradients
from .methods import IG_STEPS, METHODS
from .reading import (UsageError, check_file, load_windows, one_line,
                      read_model)
from .reporting import (check_json_path, check_plot_path, lag_table,
                        per_lag, results, save_plot, weight_table)

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print usage, then exit
        raise UsageError(message)


def build_parser():
    """The argument parser: one command, ``explain``."""
    parser = _Parser(prog="python -m lstmref",
                     description="Read a saved Keras LSTM forecaster.")
    commands = parser.add_subparsers(dest="command", required=True)
    explain = commands.add_parser(
        "explain", help="weights by gate and importance of each past step")
    explain.add_argument("model", help="a Keras .keras or .h5 model file")
    explain.add_argument(
        "--data", required=True,
        help=".npy of windows (batch, T, F) or one (T, F); or .csv of one "
             "window, T rows x F numbers (a header line is allowed)")
    explain.add_argument("--output", type=int, default=0, metavar="K",
                         help="index of the forecast to explain (default 0)")
    explain.add_argument(
        "--method", nargs="+", action="extend", metavar="METHOD",
        choices=[*METHODS, "all"],
        help="one or more of ig, occlusion, shapley, lrp, all (default)")
    explain.add_argument("--plot", help="save a bar chart (.png, .svg, .pdf)")
    explain.add_argument(
        "--json", metavar="PATH",
        help="also write the results, every output, to PATH (.json)")
    explain.add_argument("--progress", action="store_true",
                         help="draw progress bars even if stderr is no TTY")
    return parser


def explain(args):
    """The ``explain`` command: print the two tables, save the plot."""
    if args.plot:
        check_plot_path(args.plot)
    if args.json:
        check_json_path(args.json)
    check_file(Path(args.data), "data")  # before reading the model
    net, steps, name = read_model(args.model)
    if not 0 <= args.output < net.n_out:
        raise UsageError(f"--output {args.output}: expected an index from 0 "
                         f"to {net.n_out - 1} (the model has {net.n_out} "
                         "outputs)")
    x = load_windows(args.data, steps, net.params.input_dim)
    batch, T, _ = x.shape
    chosen = set(args.method or ["all"])
    methods = [m for m in METHODS if "all" in chosen or m in chosen]
    show = args.progress or sys.stderr.isatty()
    print(weight_table(net.params, name))
    print()
    print(f"Importance of each past step for output {args.output}: mean "
          f"over {batch} window(s)\nof |attribution| (summed over features"
          " for integrated_gradients and lrp);\nbaseline: zeros.")
    columns, notes = {}, []
    for method in (METHODS[name] for name in methods):
        reason = method.skip(net, T)
        if reason:
            notes.append(f"{method.column}: skipped ({reason})")
            continue
        columns[method.column] = per_lag(method, net, x, args.output,
                                         sys.stderr if show else None)
    print(lag_table(columns, T))
    for note in notes:
        print(note)
    if args.plot:
        save_plot(args.plot, columns, args.output)
        print(f"plot saved to {args.plot}")
    if args.json:
        ran = [METHODS[n] for n in methods if METHODS[n].column in columns]
        ig_total = None
        if "integrated_gradients" in columns:
            ig_total = np.stack([integrated_gradients(
                net, x, output=k, n_steps=IG_STEPS).sum(axis=(1, 2))
                for k in range(net.n_out)], axis=1)
        Path(args.json).write_text(json.dumps(
            results(net, x, ran, ig_total), indent=1))
        print(f"results saved to {args.json}")


def main(argv=None):
    """Run the command line; return the exit status (0, or 2 on an error
    the user can fix, printed as one line starting with "error:", or 130
    after Ctrl-C, printed as the one line "interrupted")."""
    try:
        args = build_parser().parse_args(argv)
        explain(args)
    except UsageError as error:
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: one line and the shell's status
        print("interrupted", file=sys.stderr)
        return 130
    return 0
