"""``python -m lstmref explain``: what a saved model learned, step by step.

::

    python -m lstmref explain MODEL.keras --data X.npy|X.csv [--output k]
        [--method {ig,occlusion,shapley,lrp,all} ...] [--plot out.png]
        [--progress]

reads a Keras ``Sequential`` LSTM -> Dense (-> Activation("linear")) with
``from_keras_model`` and prints (a) which columns of ``kernel``,
``recurrent_kernel`` and ``bias`` belong to the gates i, f, c, o, with the
Frobenius norm of each block, and (b) how much forecast ``k`` owes to each
past step, t-1 (the last) ... t-T (the first), by every chosen method of
``lstmref.attribution`` (baseline: zeros).

Keras is imported only to load the model, with safe mode on: a Lambda
layer's code is refused, never run. matplotlib is imported only for
``--plot``. A problem the user can fix (a path, a shape, a model of
another form) exits with status 2 and one line on stderr.
"""

import argparse
import contextlib
import os
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

from . import attribution
from .network import from_keras_model
from .params import GATES

__all__ = ["main"]

#: --method choices and the name of each method's column.
METHODS = {"ig": "integrated_gradients", "occlusion": "occlusion",
           "shapley": "shapley", "lrp": "lrp"}
GATE_NAMES = {"i": "input gate", "f": "forget gate", "c": "candidate",
              "o": "output gate"}
#: Windows per call to the model, after a method's expansion (IG runs
#: n_steps windows per window, occlusion T + 1, Shapley 2^T): bounds memory.
BUDGET = 8192
IG_STEPS = 32
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


class UsageError(Exception):
    """A problem the user can fix: one line on stderr, exit status 2."""


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
    explain.add_argument("model", help="a Keras 3 .keras file")
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
    explain.add_argument("--progress", action="store_true",
                         help="draw progress bars even if stderr is no TTY")
    return parser


def _one_line(text):
    """Collapse whitespace and terminal colour codes into one line."""
    return " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())


def _check_file(path, what):
    """Raise a UsageError unless ``path`` is a readable file."""
    if not path.exists():
        raise UsageError(f"{path}: no such {what} file")
    if not path.is_file():
        raise UsageError(f"{path}: expected a {what} file, got a directory"
                         if path.is_dir() else
                         f"{path}: expected a {what} file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{path}: cannot read the {what} file "
                         "(permission denied)")


@contextlib.contextmanager
def _quiet_fd2():
    """Send file descriptor 2 to /dev/null for a while.

    Importing TensorFlow writes C++ log lines (CUDA probes, absl notices)
    straight to fd 2, past any Python setting; an error must stay one line.
    Python exceptions still propagate and are reported after this.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 at all: nothing to hide
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_model(path):
    """Load a .keras file with Keras's safe mode on; no Lambda code runs."""
    path = Path(path)
    _check_file(path, "model")
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise UsageError(f"{path}: expected a Keras 3 .keras file (a zip "
                         "archive), got something else")
    with _quiet_fd2():
        import keras
        try:
            # compile=False: the loss and optimizer are not needed
            return keras.saving.load_model(path, compile=False,
                                           safe_mode=True)
        except ValueError as error:
            message = _one_line(str(error))
            if "safe_mode" not in message:
                raise UsageError(
                    f"{path}: cannot load the model: {message}") from None
            first = message.split(". ")[0] + "."
            if "Lambda" in message:
                raise UsageError(
                    f"{path} holds a Lambda layer; refusing to load it "
                    f"(safe mode): {first}") from None
            raise UsageError(f"{path} holds code Keras will not run in "
                             f"safe mode; refusing to load it: {first}")
        except (TypeError, KeyError, OSError, zipfile.BadZipFile) as error:
            # a damaged or foreign archive: Keras fails in many ways
            raise UsageError(f"{path}: cannot load the model: "
                             f"{type(error).__name__}: {error}") from None


def read_network(model, path):
    """``(net, T)``: the model as a Network and its window length (or None)."""
    try:
        net = from_keras_model(model)
    except (ValueError, TypeError) as error:
        raise UsageError(f"{path}: {error}") from None
    try:
        steps = model.input_shape[1]
    except (AttributeError, ValueError, IndexError, TypeError):
        steps = None  # an input of any length
    return net, steps


def _read_npy(path):
    """A .npy array of real numbers (no pickles: they could run code)."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise UsageError(f"{path}: cannot read it as .npy: {error}") from None
    if not isinstance(array, np.ndarray):  # np.load also opens .npz
        raise UsageError(f"{path}: expected one array (.npy), got an "
                         ".npz archive of several")
    if array.dtype.kind not in "biuf":
        raise UsageError(f"{path}: expected real numbers, got dtype "
                         f"{array.dtype}")
    return array.astype(np.float64)


def _read_csv(path):
    """A .csv table of numbers (rows, columns); a first non-number line
    is a header and skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected a text .csv file, got bytes "
                         "that are not UTF-8") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip()]
    rows = []
    for k, (n, line) in enumerate(lines):
        try:
            rows.append([float(field) for field in line.split(",")])
        except ValueError:
            if k == 0:
                continue  # the header
            raise UsageError(f"{path}: line {n}: expected numbers "
                             f"separated by commas, got {line!r}") from None
        if len(rows[-1]) != len(rows[0]):
            raise UsageError(f"{path}: line {n}: expected {len(rows[0])} "
                             f"columns like the first row, got "
                             f"{len(rows[-1])}")
    if not rows:
        raise UsageError(f"{path}: expected rows of numbers, got none")
    return np.array(rows)  # (T, F)


def load_windows(path, steps, features):
    """Windows x (batch, T, F) from a .npy or .csv, checked for the model.

    ``steps`` is the model's T (None: any), ``features`` its F.
    """
    path = Path(path)
    _check_file(path, "data")
    T = "T" if steps is None else steps
    if path.suffix.lower() == ".npy":
        x = _read_npy(path)
        fits = x.ndim in (2, 3) and x.shape[-1] == features and (
            steps is None or x.shape[-2] == steps) and 0 not in x.shape
        if not fits:
            raise UsageError(
                f"{path}: expected windows of shape (batch, {T}, "
                f"{features}) or one window ({T}, {features}) for this "
                f"model, got shape {x.shape}")
        x = x if x.ndim == 3 else x[None]
    elif path.suffix.lower() == ".csv":
        x = _read_csv(path)
        if x.shape[1] != features or steps not in (None, x.shape[0]):
            raise UsageError(
                f"{path}: expected one window of {T} rows x {features} "
                f"columns for this model, got {x.shape[0]} rows x "
                f"{x.shape[1]} columns")
        x = x[None]
    else:
        raise UsageError(f"{path}: expected a .npy or .csv file, got "
                         f"{path.suffix or 'no suffix'}")
    bad = np.argwhere(~np.isfinite(x))
    if bad.size:
        raise UsageError(f"{path}: expected finite numbers, got "
                         f"{x[tuple(bad[0])]} at window, step, feature "
                         f"{tuple(int(k) for k in bad[0])}")
    return x


def weight_table(params, name="lstm"):
    """Which columns of each weight array belong to which gate, with norms.

    Keras packs the gates i, f, c, o as blocks of ``units`` columns: gate
    k owns columns k*u:(k+1)*u of kernel W (F, 4u), recurrent_kernel U
    (u, 4u) and bias b (4u,). norm = sqrt(sum of squares) of the block.
    """
    u = params.units
    lines = [f"LSTM layer {name!r}: units {u}, input_dim "
             f"{params.input_dim}, activation {params.activation}, "
             f"recurrent_activation {params.recurrent_activation}",
             "Weights by gate (columns of each array, Keras order i, f, c,"
             " o; norm: Frobenius)"]
    for label, array in (("kernel", params.kernel),
                         ("recurrent_kernel", params.recurrent_kernel),
                         ("bias", params.bias)):
        if array is None:
            lines.append("  bias: none (use_bias=False)")
            continue
        for k, gate in enumerate(GATES):
            cols = f"{k * u}:{(k + 1) * u}"
            where = f"{label}[:, {cols}]" if array.ndim == 2 else \
                f"{label}[{cols}]"
            norm = np.linalg.norm(array[..., k * u:(k + 1) * u])
            lines.append(f"  {where:<26}{gate}  {GATE_NAMES[gate]:<13}"
                         f"norm {norm:.6g}")
    return "\n".join(lines)


def _bar(label, done, total, width=24):
    """One frame of a progress bar: '\\rlabel [######......] 2/8'."""
    filled = width * done // total
    return (f"\r{label:<21} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{total}")


def progress(items, label, stream):
    """Yield ``items``, drawing a progress bar on ``stream`` (None: quiet)."""
    items = list(items)
    if stream is None:
        yield from items
        return
    for k, item in enumerate(items):
        stream.write(_bar(label, k, len(items)))
        stream.flush()
        yield item
    stream.write(_bar(label, len(items), len(items)) + "\n")
    stream.flush()


def skip_reason(method, net, steps):
    """Why ``method`` cannot run on this model and data; None if it can."""
    if method == "shapley" and steps > attribution.MAX_SHAPLEY_STEPS:
        return (f"exact Shapley values need 2^T passes per window; "
                f"T={steps} > {attribution.MAX_SHAPLEY_STEPS}")
    if method == "lrp" and net.dense_activation != "linear":
        return ("LRP needs a linear Dense activation, got "
                f"{net.dense_activation!r}")
    return None


def step_importance(method, net, x, output):
    """|attribution| of each step of each window, (batch, T).

    Summed over the features for ``ig`` and ``lrp`` (whose results are
    (batch, T, F)); occlusion and Shapley values are per step already.
    """
    if method == "ig":
        r = attribution.integrated_gradients(net, x, output=output,
                                             n_steps=IG_STEPS)
        return np.abs(r).sum(axis=2)
    if method == "occlusion":
        return np.abs(attribution.occlusion(net, x, output=output))
    if method == "shapley":
        return np.abs(attribution.shapley_steps(net, x, output=output))
    return np.abs(attribution.lrp(net, x, output=output)).sum(axis=2)


def per_lag(method, net, x, output, stream=None):
    """Mean over windows of ``step_importance``, (T,) in lag order.

    Entry 0 is t-1 (the last step), entry T-1 is t-T (the first). Windows
    go in chunks, so that memory stays bounded and progress can be shown.
    """
    batch, T, _ = x.shape
    runs = {"ig": IG_STEPS, "occlusion": T + 1, "shapley": 2 ** T, "lrp": 1}
    size = max(1, BUDGET // runs[method])
    chunks = [x[k:k + size] for k in range(0, batch, size)]
    total = sum(step_importance(method, net, chunk, output).sum(axis=0)
                for chunk in progress(chunks, METHODS[method], stream))
    return (total / batch)[::-1]


def lag_table(columns, steps):
    """Text table: one row per lag t-1 ... t-T, one column per method."""
    widths = {name: max(12, len(name)) + 2 for name in columns}
    lines = ["  lag " + "".join(f"{name:>{w}}" for name, w in widths.items())]
    for lag in range(steps):
        cells = "".join(f"{columns[name][lag]:>{w}.6g}"
                        for name, w in widths.items())
        lines.append(f"  {f't-{lag + 1}':<4}{cells}")
    return "\n".join(lines)


def save_plot(path, columns, output):
    """Save a grouped bar chart of per-lag importance, one colour a method."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    steps = len(next(iter(columns.values()), []))
    lags = np.arange(1, steps + 1)
    fig = Figure(figsize=(max(5.0, 0.4 * steps * max(1, len(columns))),
                          3.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    width = 0.8 / max(1, len(columns))
    for k, (name, values) in enumerate(columns.items()):
        shift = (k - (len(columns) - 1) / 2) * width
        ax.bar(lags + shift, values, width, label=name)
    ax.set_xticks(lags, [f"t-{lag}" for lag in lags])
    ax.set_xlabel("lag (t-1 is the last step of the window)")
    ax.set_ylabel(f"mean |attribution| of output {output}")
    if columns:
        ax.legend()
    try:
        fig.savefig(path)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the plot: "
                         f"{error.strerror or error}") from None


def _check_plot_path(path):
    """Fail early, before long work, on a plot path that cannot be saved."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"{path}: expected a plot file ending in one of "
                         f"{', '.join(PLOT_SUFFIXES)}")
    if not path.parent.is_dir():
        raise UsageError(f"{path}: no such directory {path.parent}")


def explain(args):
    """The ``explain`` command: print the two tables, save the plot."""
    if args.plot:
        _check_plot_path(args.plot)
    _check_file(Path(args.data), "data")  # before the slow Keras import
    model = load_model(args.model)
    net, steps = read_network(model, args.model)
    if not 0 <= args.output < net.n_out:
        raise UsageError(f"--output {args.output}: expected an index from 0 "
                         f"to {net.n_out - 1} (the model has {net.n_out} "
                         "outputs)")
    x = load_windows(args.data, steps, net.params.input_dim)
    batch, T, _ = x.shape
    chosen = set(args.method or ["all"])
    methods = [m for m in METHODS if "all" in chosen or m in chosen]
    show = args.progress or sys.stderr.isatty()
    print(weight_table(net.params, model.layers[0].name))
    print()
    print(f"Importance of each past step for output {args.output}: mean "
          f"over {batch} window(s)\nof |attribution| (summed over features"
          " for integrated_gradients and lrp);\nbaseline: zeros.")
    columns, notes = {}, []
    for method in methods:
        reason = skip_reason(method, net, T)
        if reason:
            notes.append(f"{METHODS[method]}: skipped ({reason})")
            continue
        columns[METHODS[method]] = per_lag(method, net, x, args.output,
                                           sys.stderr if show else None)
    print(lag_table(columns, T))
    for note in notes:
        print(note)
    if args.plot:
        save_plot(args.plot, columns, args.output)
        print(f"plot saved to {args.plot}")


def main(argv=None):
    """Run the command line; return the exit status (0, or 2 on an error
    the user can fix, printed as one line starting with "error:")."""
    try:
        args = build_parser().parse_args(argv)
        explain(args)
    except UsageError as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    return 0
