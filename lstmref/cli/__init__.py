"""``python -m lstmref explain``: what a saved model learned, step by step.

::

    python -m lstmref explain MODEL.keras --data X.npy|X.csv [--output k]
        [--baseline mean|zeros|FILE] [--columns a,b,c] [--window T]
        [--sample N|all] [--seed S]
        [--method {ig,occlusion,shapley,lrp,cd,all} ...] [--plot out.png]
        [--json results.json] [--progress]

reads a Keras model file (.keras or .h5, Keras 1 to 3) of LSTM layers
(stacked, bidirectional) and their head with ``lstmref.files`` and prints (a) which columns
of ``kernel``, ``recurrent_kernel`` and ``bias`` belong to the gates i, f,
c, o, with the Frobenius norm of each block, and (b) how much forecast
``k`` owes to each past step, t-1 (the last) ... t-T (the first), by
every chosen method of ``lstmref.attribution``, against a baseline (by
default each feature's mean over the windows), with each method's gap:
how far its sum is from what its guarantee says it equals.

The file is read as data (zip, JSON, HDF5), never as code: a Lambda or
custom layer is refused before any weight is read, and neither Keras nor
TensorFlow is imported. matplotlib is imported only for
``--plot``. A problem the user can fix (a path, a shape, a model of
another form) exits with status 2 and one line on stderr.
"""

import argparse
import json
import sys
import textwrap
from pathlib import Path

import numpy as np

from .data import check_finite, mean_of, read_baseline, read_windows
from .methods import METHODS, TOLERANCE, input_dim
from .reading import UsageError, check_file, one_line, read_model
from .reporting import (check_json_path, check_plot_path, gap_notes,
                        lag_table, progress, results, save_plot,
                        weight_table)
from .running import DEFAULT_SAMPLE, choose, predict, summarize

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
        help=".npy of windows (n, T, F) or one (T, F); or .csv of one "
             "window, T rows x F columns (a header line names them; "
             "non-numeric columns such as dates are left out and named); "
             "with --window, one long series (.csv or 2-D .npy)")
    explain.add_argument(
        "--baseline", default="mean", metavar="mean|zeros|FILE",
        help="what 'no information' is: mean (default: each feature's "
             "mean over every step of every window in --data, right for "
             "raw and standardized inputs alike), zeros (the average day "
             "only for standardized inputs), or a .npy/.csv of one "
             "window (T, F) or one day (F,)")
    explain.add_argument(
        "--columns", metavar="A,B,C",
        help="the features, by header name or 0-based index, in the "
             "model's input order (default: every numeric column)")
    explain.add_argument(
        "--window", type=int, metavar="T",
        help="cut one long series (one row per time step) into the "
             "overlapping windows rows k ... k+T-1; T must be the "
             "model's window length if it fixes one")
    explain.add_argument(
        "--sample", metavar="N|all",
        help=f"explain N windows drawn without replacement (default: all "
             f"if there are at most {DEFAULT_SAMPLE:,}, else "
             f"{DEFAULT_SAMPLE:,}); each lag's mean then gets a normal "
             "95%% interval, mean +- 1.96 s/sqrt(n)")
    explain.add_argument("--seed", type=int, default=0,
                         help="seed of the sample's generator (default 0)")
    explain.add_argument("--output", type=int, default=0, metavar="K",
                         help="index of the forecast to explain (default 0)")
    explain.add_argument(
        "--method", nargs="+", action="extend", metavar="METHOD",
        choices=[*METHODS, "all"],
        help="one or more of ig, occlusion, shapley, lrp, cd (contextual "
             "decomposition: each step alone as the relevant part), all "
             "(default); a method that cannot run on the model is skipped "
             "with the reason; each method's gap (IG completeness, Shapley "
             "efficiency, LRP conservation, CD's relevant + irrelevant = "
             "f(x)) is shown and warned of over "
             f"{TOLERANCE:.0%}% of the largest |target| over the windows; "
             "IG doubles its Gauss-Legendre steps from 32 up to 1024 until "
             "each window is within it")
    explain.add_argument("--plot", help="save a bar chart (.png, .svg, .pdf)")
    explain.add_argument(
        "--json", metavar="PATH",
        help="also write the results, every output, to PATH (.json)")
    explain.add_argument("--progress", action="store_true",
                         help="draw progress bars even if stderr is no TTY")
    return parser


def _lstms(net, name):
    """(params, label) of each LSTM of the model, in order."""
    if hasattr(net, "params"):
        return [(net.params, name)]
    found = []
    for k, layer in enumerate(net.layers):
        if hasattr(layer, "params"):
            found.append((layer.params, f"layer {k}"))
        if hasattr(layer, "forward_layer"):  # Bidirectional
            found += [(layer.forward_layer.params, f"layer {k}, forward"),
                      (layer.backward_layer.params, f"layer {k}, backward")]
    return found


def _baseline(args, windows, features):
    """(baseline (T, F), its name for the JSON, the line that says it)."""
    T = windows.steps
    if args.baseline == "zeros":
        return (np.zeros((T, features)), "zeros", "baseline: zeros (the "
                "average day only for standardized inputs)")
    if args.baseline == "mean":
        mean = mean_of(windows)  # (F,)
        shown = ", ".join(f"{n} = {v:.4g}" for n, v in
                          zip(windows.names[:6], mean))
        more = ", ..." if features > 6 else ""
        return (np.broadcast_to(mean, (T, features)).copy(), "mean",
                "baseline: mean, each feature's mean over every step of "
                f"the {len(windows):,} windows ({shown}{more})")
    path = Path(args.baseline)
    b = read_baseline(path, windows, features, args.columns)
    return (np.broadcast_to(b, (T, features)).copy(), str(path),
            f"baseline: {path} ({'one window' if b.ndim == 2 else 'one day'}"
            ")")


def _data_lines(windows, index, path, seed):
    """What was read and which windows are explained, in words."""
    n, T, F = len(windows), windows.steps, len(windows.columns)
    names = ", ".join(windows.names[:6]) + (", ..." if F > 6 else "")
    cut = (f", cut from {windows.source.shape[0]:,} rows with --window "
           f"{T}" if windows.window else "")
    lines = [f"data: {path}, {n:,} window(s) of {T} steps x {F} features "
             f"({names}){cut}", *windows.notes]
    lines.append(f"explained all {n:,} window(s)" if index is None else
                 f"explained {len(index):,} of {n:,} windows, sampled "
                 f"with seed {seed}")
    return lines


def explain(args):
    """The ``explain`` command: print the tables, save the plot and JSON."""
    if args.plot:
        check_plot_path(args.plot)
    if args.json:
        check_json_path(args.json)
    data = Path(args.data)
    check_file(data, "data")  # before reading the model
    net, steps, name = read_model(args.model)
    if not 0 <= args.output < net.n_out:
        raise UsageError(f"--output {args.output}: expected an index from 0 "
                         f"to {net.n_out - 1} (the model has {net.n_out} "
                         "outputs)")
    F = input_dim(net)
    windows = read_windows(data, steps, F, args.columns, args.window)
    index = choose(len(windows), args.sample, args.seed)
    x = windows.take(index)  # (n, T, F)
    check_finite(x, data, index)
    base, base_name, base_line = _baseline(args, windows, F)
    batch, T, _ = x.shape
    chosen = set(args.method or ["all"])
    methods = [METHODS[m] for m in METHODS if "all" in chosen or m in chosen]
    stream = sys.stderr if args.progress or sys.stderr.isatty() else None
    print("\n".join(weight_table(p, n) for p, n in _lstms(net, name)))
    print()
    print("\n".join([*_data_lines(windows, index, data, args.seed),
                     base_line]))
    print()
    print(f"Importance of each past step for output {args.output}: mean "
          f"over {batch:,} window(s)\nof |attribution| (summed over "
          "features for integrated_gradients and lrp;\ncd: the relevant "
          "part of each step alone), and each method's gap\n(last row).")
    f_x = predict(net, x)  # (n, n_out)
    f_base = net._forward(base[None])[0]  # (n_out,)
    outputs = range(net.n_out) if args.json else [args.output]
    summaries, notes = {}, []
    for method in methods:
        reason = method.skip(net, T)
        if reason:
            notes.append(f"{method.column}: skipped ({reason})")
            continue
        summaries[method.column] = {k: summarize(
            method, net, x, base, k,
            {"change": f_x[:, k] - f_base[k], "forecast": f_x[:, k]},
            lambda chunks, label: progress(chunks, label, stream))
            for k in outputs}
    shown = {c: s[args.output] for c, s in summaries.items()}
    ran = [m for m in methods if m.column in summaries]
    print(lag_table({c: s.mean for c, s in shown.items()}, T,
                    {c: s.gap for c, s in shown.items()}))
    lines, warnings = gap_notes(ran, shown)
    print("\n".join(lines))
    if index is not None and batch > 1:
        print(f"95% intervals of the means above (normal: mean +- 1.96 "
              f"s/sqrt(n), n = {batch:,}): half-widths")
        print(lag_table({c: s.half_width for c, s in shown.items()}, T))
    for note in notes:  # a skipped method and why, in lines of <= 79
        print(textwrap.fill(note, 79, subsequent_indent="  "))
    if args.plot:
        save_plot(args.plot, {c: s.mean for c, s in shown.items()},
                  args.output, None if index is None or batch < 2 else
                  {c: s.half_width for c, s in shown.items()})
        print(f"plot saved to {args.plot}")
    if args.json:
        about = {
            "windows": (np.arange(batch) if index is None else
                        index).tolist(),
            "windows_total": len(windows),
            "sample_seed": None if index is None else args.seed,
            "features": windows.names,
            "baseline": base_name,
            "baseline_values": (base[0] if np.all(base == base[0])
                                else base).tolist(),
            "interval": "normal 95%: mean +- 1.96 s/sqrt(n), s over the "
                        "windows (ddof=1)",
            "tolerance": TOLERANCE}
        Path(args.json).write_text(json.dumps(results(
            f_x, {c: [s[k] for k in outputs] for c, s in summaries.items()},
            about), indent=1))
        print(f"results saved to {args.json}")
    for warning in warnings:
        print(warning, file=sys.stderr)


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
