"""What ``explain`` prints: the weights by gate and each lag's importance.

The methods come from ``lstmref.attribution``; windows go to them in
chunks, so that memory stays bounded and progress can be drawn.
"""

from pathlib import Path

import numpy as np

from ..params import GATES
from .reading import UsageError

__all__ = ["check_plot_path", "lag_table", "per_lag", "progress",
           "save_plot", "weight_table"]

GATE_NAMES = {"i": "input gate", "f": "forget gate", "c": "candidate",
              "o": "output gate"}
#: Windows per call to the model, after a method's expansion (IG runs
#: n_steps windows per window, occlusion T + 1, Shapley 2^T): bounds memory.
BUDGET = 8192
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


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
    # wide enough for the longest label, "recurrent_kernel[:, 3u:4u]"
    width = max(26, len(f"recurrent_kernel[:, {3 * u}:{4 * u}]") + 2)
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
            lines.append(f"  {where:<{width}}{gate}  {GATE_NAMES[gate]:<13}"
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


def per_lag(method, net, x, output, stream=None):
    """Mean over windows of ``method.importance`` (a ``methods.Method``),
    (T,) in lag order.

    Entry 0 is t-1 (the last step), entry T-1 is t-T (the first). Windows
    go in chunks, so that memory stays bounded and progress can be shown.
    """
    batch, T, _ = x.shape
    size = max(1, BUDGET // method.runs(T))
    chunks = [x[k:k + size] for k in range(0, batch, size)]
    total = sum(method.importance(net, chunk, output).sum(axis=0)
                for chunk in progress(chunks, method.column, stream))
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


def check_json_path(path):
    """Fail early, before long work, on a JSON path that cannot be written."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        raise UsageError(f"{path}: expected a results file ending in .json")
    if not path.parent.is_dir():
        raise UsageError(f"{path}: no such directory {path.parent}")
    if path.is_dir():
        raise UsageError(f"{path}: expected a file, got a directory")


def results(net, x, methods, ig_total):
    """explain's machine-readable results (``--json``), all outputs.

    prediction (windows, outputs): lstmref's forecast of each window in the
    order given; importance: method column -> lags t-1 first -> outputs,
    each the mean over windows of |attribution| as in the table;
    ig_relative_gap: max over windows and outputs of |sum(IG) - (f(x) -
    f(0))| over the max of |f(x) - f(0)| (``ig_total`` (windows, outputs)
    holds sum(IG), or is None without integrated gradients).
    """
    prediction = net.predict(x)
    change = prediction - net.predict(np.zeros_like(x))
    record = {"prediction": prediction.tolist(), "baseline": "zeros",
              "importance": {
                  method.column: np.stack(
                      [per_lag(method, net, x, k) for k in range(net.n_out)],
                      axis=1).tolist()
                  for method in methods}}
    if ig_total is not None:
        top = float(np.max(np.abs(change)))
        gap = float(np.max(np.abs(ig_total - change)))
        record["ig_relative_gap"] = gap / top if top > 0 else gap
    return record


def check_plot_path(path):
    """Fail early, before long work, on a plot path that cannot be saved."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"{path}: expected a plot file ending in one of "
                         f"{', '.join(PLOT_SUFFIXES)}")
    if not path.parent.is_dir():
        raise UsageError(f"{path}: no such directory {path.parent}")
