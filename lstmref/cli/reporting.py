"""What ``explain`` prints: the weights by gate and each lag's importance.

The numbers come from ``running``; this module only lays them out.
"""

from pathlib import Path

import numpy as np

from ..params import GATES
from .methods import TOLERANCE
from .reading import UsageError

__all__ = ["check_json_path", "check_plot_path", "gap_notes", "lag_table",
           "progress", "results", "save_plot", "weight_table"]

GATE_NAMES = {"i": "input gate", "f": "forget gate", "c": "candidate",
              "o": "output gate"}
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


def lag_table(columns, steps, gaps=None):
    """Text table: one row per lag t-1 ... t-T, one column per method;
    with ``gaps`` ({column: relative gap or None}), a last row "gap"
    ("-" for a method without a guarantee)."""
    widths = {name: max(12, len(name)) + 2 for name in columns}
    lines = ["  lag " + "".join(f"{name:>{w}}" for name, w in widths.items())]
    for lag in range(steps):
        cells = "".join(f"{columns[name][lag]:>{w}.6g}"
                        for name, w in widths.items())
        lines.append(f"  {f't-{lag + 1}':<4}{cells}")
    if gaps is not None:
        shown = {name: "-" if gap is None else f"{gap:.2g}"
                 for name, gap in gaps.items()}
        cells = "".join(f"{shown[name]:>{w}}" for name, w in widths.items())
        lines.append(f"  {'gap':<4}{cells}")
    return "\n".join(lines)


def gap_notes(methods, summaries):
    """What each column's gap measures, one line a method, and the
    warning line of each guarantee not met."""
    lines = ["gap: max |sum - target| over the windows / max |target|; "
             f"met if <= {TOLERANCE:.0%}"]
    warnings = []
    for method in methods:
        s = summaries[method.column]
        if s.gap is None:
            lines.append(f"  {method.column}: no guarantee (-)")
            continue
        steps = "" if s.steps is None else (
            f"; {s.steps[0]} Gauss-Legendre steps" if s.steps[0] ==
            s.steps[1] else f"; {s.steps[0]} to {s.steps[1]} "
            "Gauss-Legendre steps")
        lines.append(f"  {method.column}: {method.guarantee}{steps}")
        if not s.met:
            cap = (f", even at {s.steps[1]} steps (the cap)"
                   if s.steps else "")
            warnings.append(
                f"warning: {method.column}: {method.guarantee.split(':')[0]}"
                f" gap {s.gap:.2%} is over {TOLERANCE:.0%} on {s.unmet:,} "
                f"window(s){cap}")
    return lines, warnings


def save_plot(path, columns, output, errors=None):
    """Save a grouped bar chart of per-lag importance, one colour a method;
    ``errors`` ({column: half-widths}, for a sample) draws each mean's 95%
    interval as an error bar."""
    from matplotlib.figure import Figure  # saves by the path's suffix
    steps = len(next(iter(columns.values()), []))
    lags = np.arange(1, steps + 1)
    fig = Figure(figsize=(max(5.0, 0.4 * steps * max(1, len(columns))),
                          3.5), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(1, len(columns))
    for k, (name, values) in enumerate(columns.items()):
        shift = (k - (len(columns) - 1) / 2) * width
        ax.bar(lags + shift, values, width, label=name,
               yerr=None if errors is None else errors[name], capsize=2)
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


def results(prediction, summaries, about):
    """explain's machine-readable results (``--json``), every output.

    ``prediction`` (windows, outputs): lstmref's forecast of each window
    explained, in the file's order; ``summaries``: {column: [Summary of
    each output]}; ``about``: the rest (windows, baseline, ...), as is.
    importance and interval_half_width: column -> lags t-1 first ->
    outputs; gap: column -> outputs (None: no guarantee);
    ig_relative_gap: the largest of integrated gradients' gaps.
    """
    def by_lag(field):
        def listed(a):  # JSON has no NaN: an interval of 1 window is null
            return np.where(np.isnan(a), None, a.astype(object)).tolist()
        return {column: listed(np.stack(
                    [getattr(s, field) for s in per_output], axis=1))
                for column, per_output in summaries.items()}
    record = {"prediction": prediction.tolist(), **about,
              "importance": by_lag("mean"),
              "interval_half_width": by_lag("half_width"),
              "gap": {column: [s.gap for s in per_output]
                      for column, per_output in summaries.items()}}
    if "integrated_gradients" in summaries:
        ig = summaries["integrated_gradients"]
        record["ig_relative_gap"] = max(s.gap for s in ig)
        record["ig_steps"] = [list(s.steps) for s in ig]
    return record


def check_plot_path(path):
    """Fail early, before long work, on a plot path that cannot be saved."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"{path}: expected a plot file ending in one of "
                         f"{', '.join(PLOT_SUFFIXES)}")
    if not path.parent.is_dir():
        raise UsageError(f"{path}: no such directory {path.parent}")
