"""The command line's pieces the end-to-end tests leave out: the plot's
bars, ticks, labels and size, the progress bar frame by frame, when a
method is skipped and why, and reading odd but valid or broken files.

Written to kill mutants that survived ``make mutation`` (see
benchmarks/mutation_report.txt). Expected values are worked out by hand
from each function's documentation.
"""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmref.cli import data, methods, reading, reporting
from lstmref.network import Network
from helpers import random_params


@pytest.fixture
def saved_figures(monkeypatch):
    """The figures save_plot saves, kept for inspection (nothing written)."""
    figures = []
    monkeypatch.setattr(Figure, "savefig",
                        lambda self, path: figures.append(self))
    return figures


def test_plot_draws_each_methods_bars_side_by_side(saved_figures):
    columns = {"a": np.arange(1.0, 9.0), "b": np.arange(8.0, 0.0, -1)}
    reporting.save_plot("x.png", columns, 3)
    (fig,) = saved_figures
    # width 0.4 * 8 steps * 2 methods = 6.4 inches (at least 5), 3.5 high
    np.testing.assert_allclose(fig.get_size_inches(), [6.4, 3.5])
    assert type(fig.get_layout_engine()).__name__ == \
        "ConstrainedLayoutEngine"
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == 16
    # two bars of width 0.8 / 2 per lag, centred at lag -0.2 and +0.2
    for k, (name, values) in enumerate(columns.items()):
        for lag in range(8):
            bar = bars[8 * k + lag]
            np.testing.assert_allclose(bar.get_width(), 0.4)
            np.testing.assert_allclose(
                bar.get_x() + 0.2, lag + 1 + (-0.2 if k == 0 else 0.2))
            assert bar.get_height() == values[lag]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"t-{lag}" for lag in range(1, 9)]
    np.testing.assert_array_equal(ax.get_xticks(), np.arange(1, 9))
    assert ax.get_xlabel() == "lag (t-1 is the last step of the window)"
    assert ax.get_ylabel() == "mean |attribution| of output 3"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a",
                                                                   "b"]


def test_plot_of_one_long_column_grows_with_the_steps(saved_figures):
    reporting.save_plot("x.svg", {"only": np.ones(13)}, 0)
    (fig,) = saved_figures
    # 0.4 * 13 steps * 1 method = 5.2 inches
    np.testing.assert_allclose(fig.get_size_inches(), [5.2, 3.5])
    bars = fig.axes[0].patches
    np.testing.assert_allclose([b.get_width() for b in bars], 0.8)
    np.testing.assert_allclose([b.get_x() + 0.4 for b in bars],
                               np.arange(1, 14))


def test_plot_that_cannot_be_written_says_why(tmp_path):
    folder = tmp_path / "plot.png"
    folder.mkdir()  # a folder where the file should go
    with pytest.raises(reading.UsageError) as caught:
        reporting.save_plot(folder, {"a": np.ones(3)}, 0)
    assert str(caught.value) == (
        f"{folder}: cannot write the plot: Is a directory")


def test_progress_bar_frame_by_frame():
    stream = io.StringIO()
    assert list(reporting.progress(["x", "y"], "ig", stream)) == ["x", "y"]
    label = "ig" + " " * 19  # padded to 21
    assert stream.getvalue() == (
        f"\r{label} [{'.' * 24}] 0/2"
        f"\r{label} [{'#' * 12}{'.' * 12}] 1/2"
        f"\r{label} [{'#' * 24}] 2/2\n")


def net_with(activation):
    params = random_params(np.random.default_rng(81), 2, 3)
    return Network(params, np.ones((2, 1)), dense_activation=activation)


def test_methods_say_when_they_cannot_run():
    net = net_with("linear")
    shapley, lrp = methods.METHODS["shapley"], methods.METHODS["lrp"]
    assert shapley.skip(net, 14) is None  # T <= 14: 2^14 passes
    assert shapley.skip(net, 15) == (
        "exact Shapley values need 2^T passes per window; T=15 > 14")
    assert lrp.skip(net, 15) is None
    assert lrp.skip(net_with("tanh"), 5) == (
        "LRP needs a linear Dense activation, got 'tanh'")
    assert methods.METHODS["ig"].skip(net, 99) is None
    assert methods.METHODS["occlusion"].skip(net, 99) is None


def test_one_line_drops_colour_codes_and_line_breaks():
    text = "\x1b[31mred\x1b[0m  and\n\x1b[1;32mbold green\x1b[0m\tend"
    assert reading.one_line(text) == "red and bold green end"


def test_csv_with_a_byte_order_mark_keeps_its_first_row(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("1,2\n3,4\n".encode("utf-8-sig"))
    windows = data.read_windows(path, 2, 2)
    np.testing.assert_array_equal(windows.take(None),
                                  [[[1.0, 2.0], [3.0, 4.0]]])


@pytest.mark.parametrize("content, message", [
    (b"1,2\n\xff\xfe,3\n", "expected a text .csv file, got bytes that are "
                           "not UTF-8"),
    (b"\n  \n", "expected rows of numbers, got none"),
    (b"a,b\n", "expected rows of numbers, got none"),
    (b"a,b,c\n1,2\n", "line 2: expected 3 columns like the header, got 2"),
    (b"1,2\n3\n", "line 2: expected 2 columns like the first row, got 1"),
    (b"date,city\n2015-01-01,Jena\n",
     "expected a column of numbers, got none (column 'date' is not numeric "
     "(e.g. '2015-01-01'): left out; column 'city' is not numeric (e.g. "
     "'Jena'): left out)"),
])
def test_unreadable_csv_says_why(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(reading.UsageError) as caught:
        data.read_windows(path, None, 2)
    assert str(caught.value) == f"{path}: {message}"


def test_plot_of_a_sample_draws_each_interval(saved_figures):
    """Error bars from mean - half-width to mean + half-width."""
    reporting.save_plot("x.png", {"a": np.array([2.0, 1.0])}, 0,
                        {"a": np.array([0.5, 0.25])})
    (ax,) = saved_figures[0].axes
    from matplotlib.container import BarContainer
    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    segments = bars.errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[:, 1] for s in segments],
                               [[1.5, 2.5], [0.75, 1.25]])
    # each end capped (capsize 2 points: matplotlib draws a cap as a
    # marker 2 * capsize = 4 points wide); without caps, overlapping
    # intervals of neighbouring bars cannot be told apart
    lower, upper = bars.errorbar.lines[1]
    np.testing.assert_allclose(np.asarray(lower.get_ydata(), float),
                               [1.5, 0.75])
    np.testing.assert_allclose(np.asarray(upper.get_ydata(), float),
                               [2.5, 1.25])
    assert lower.get_markersize() == upper.get_markersize() == 4


def test_summary_counts_only_the_windows_over_the_tolerance():
    """Three windows with nothing to explain (f(x) = f(baseline)): an
    exact total on two of them, 0.5 off on the third. The guarantee's
    gap is then 0.5, not met, and one window, not three, is over."""
    from lstmref.cli import running
    fake = methods.Method(
        "fake", "fake", lambda net, x, base, output, limit:
        methods.Attribution(np.ones((len(x), 2)),
                            np.array([0.0, 0.5, 0.0])[:len(x)]),
        lambda T: 1, "sum = change", "change")
    x = np.zeros((3, 2, 1))
    rng = np.random.default_rng(0)
    net = Network(random_params(rng, 2, 1), rng.normal(size=(2, 1)))
    summary = running.summarize(fake, net, x, None, 0,
                                {"change": np.zeros(3)},
                                lambda chunks, label: chunks)
    assert summary.gap == 0.5 and not summary.met
    assert summary.unmet == 1
    # against targets 1, -2, 0.5 (limit 1% of 2): exact on windows 0 and
    # 2, 0.5 off on window 1; the gap is 0.5 / 2
    fake = methods.Method(
        "fake", "fake", lambda net, x, base, output, limit:
        methods.Attribution(np.ones((len(x), 2)),
                            np.array([1.0, -1.5, 0.5])), lambda T: 1,
        "sum = change", "change")
    summary = running.summarize(fake, net, x, None, 0,
                                {"change": np.array([1.0, -2.0, 0.5])},
                                lambda chunks, label: chunks)
    assert summary.gap == 0.25 and summary.unmet == 1


def test_a_baseline_csv_of_one_row_is_one_day(tmp_path):
    """A .csv baseline with one row (a header and one day) is the day
    (F,), as a .npy of shape (F,) is, whatever the window length."""
    path = tmp_path / "base.csv"
    path.write_text("rain,wind\n0.5,-1.25\n")
    windows = data.Windows(tmp_path / "x.npy", np.zeros((2, 4, 2)), [0, 1],
                           ["rain", "wind"])
    base = data.read_baseline(path, windows, 2)
    assert base.shape == (2,)
    np.testing.assert_array_equal(base, [0.5, -1.25])


def test_a_non_finite_window_of_a_sample_is_named_by_its_place_in_the_file(
        tmp_path):
    """The sample holds the file's windows 3, 7 and 9; a NaN in the
    second of them is reported as window 7, the number the user can
    find in the file."""
    x = np.zeros((3, 4, 2))
    x[1, 2, 0] = np.nan
    with pytest.raises(reading.UsageError,
                       match=r"at window, step, feature \(7, 2, 0\)"):
        data.check_finite(x, tmp_path / "x.npy", np.array([3, 7, 9]))


def test_a_baseline_with_the_models_columns_is_not_picked_again(tmp_path):
    """--columns 1,3 picks 2 of the data's 4 columns; a baseline file
    that already holds the model's 2 features is used as it is (picking
    columns 1 and 3 of it again would fail or take the wrong ones)."""
    path = tmp_path / "base.npy"
    np.save(path, np.array([0.25, -2.0]))
    windows = data.Windows(tmp_path / "x.npy", np.zeros((2, 4, 4)), [1, 3],
                           ["column 1", "column 3"])
    base = data.read_baseline(path, windows, 2, "1,3")
    np.testing.assert_array_equal(base, [0.25, -2.0])


def test_a_missing_baseline_file_is_named_as_the_baseline(tmp_path):
    windows = data.Windows(tmp_path / "x.npy", np.zeros((2, 4, 2)), [0, 1],
                           ["a", "b"])
    path = tmp_path / "base.npy"
    with pytest.raises(reading.UsageError) as caught:
        data.read_baseline(path, windows, 2)
    assert str(caught.value) == f"{path}: no such baseline file"


@pytest.mark.parametrize("dtype", ["int8", "float32", "longdouble"])
def test_a_baseline_file_is_read_as_float64_whatever_its_dtype(tmp_path,
                                                               dtype):
    """As the windows are: a longdouble kept as it is would not even go
    into the JSON (json cannot write NumPy's longdouble)."""
    path = tmp_path / "base.npy"
    np.save(path, np.array([3, -2], dtype))
    windows = data.Windows(tmp_path / "x.npy", np.zeros((2, 4, 2)), [0, 1],
                           ["a", "b"])
    base = data.read_baseline(path, windows, 2)
    assert base.dtype == np.float64
    assert base.tolist() == [3.0, -2.0]


def test_a_zero_dimensional_baseline_is_refused_by_its_shape(tmp_path):
    path = tmp_path / "base.npy"
    np.save(path, np.float64(1.5))
    windows = data.Windows(tmp_path / "x.npy", np.zeros((2, 4, 2)), [0, 1],
                           ["a", "b"])
    with pytest.raises(reading.UsageError) as caught:
        data.read_baseline(path, windows, 2)
    assert str(caught.value) == (
        f"{path}: expected a baseline of one window (4, 2) or one day (2,), "
        "got shape ()")


def test_a_wider_baseline_csv_is_picked_by_the_columns_names(tmp_path):
    """--columns rain,wind picks 2 of the data's columns; a baseline .csv
    with a date (left out) and a third number column gets the same two,
    found by name in its own header."""
    path = tmp_path / "base.csv"
    path.write_text("date,wind,snow,rain\n2015-01-01,-1.25,9,0.5\n")
    windows = data.Windows(tmp_path / "x.csv", np.zeros((1, 4, 3)), [2, 0],
                           ["rain", "wind"])
    base = data.read_baseline(path, windows, 2, "rain,wind")
    assert base.tolist() == [0.5, -1.25]


def test_the_mean_names_a_non_finite_window_by_its_place_in_the_file(
        tmp_path):
    """mean_of reads the file block by block (4,096 windows each); a NaN
    in window 4,100 is reported as window 4,100 of the file, not 4 of
    the second block."""
    source = np.zeros((4200, 3, 1))
    source[4100, 1, 0] = np.nan
    path = tmp_path / "x.npy"
    windows = data.Windows(path, source, [0], ["column 0"])
    with pytest.raises(reading.UsageError) as caught:
        data.mean_of(windows)
    assert str(caught.value) == (
        f"{path}: expected finite numbers, got nan at window, step, feature "
        "(4100, 1, 0)")


def test_cd_total_is_each_windows_split_farthest_from_the_forecast(
        monkeypatch):
    """_cd's total: of a window's T splits relevant + irrelevant, the one
    farthest from f(x) (the first of equals). Stand-ins for the model
    (f(x) = 1 and 2) and the decomposition return splits off f(x) by
    chosen gaps, all in binary fractions so every sum is exact: window 0
    by 0.125, -0.5, 0.25 (the farthest: -0.5), window 1 by 0.5, -0.5, 0
    (a tie: the first, +0.5)."""
    f_x = np.array([1.0, 2.0])
    gaps = np.array([[0.125, -0.5, 0.25], [0.5, -0.5, 0.0]])
    relevant = np.array([[0.5, -1.5, 2.5], [-0.25, 1.25, 3.0]])

    class Model:
        def _forward(self, x):
            return f_x[:, None]

    def split(net, x, steps, output):
        (t,) = steps
        rel = relevant[:, t]
        return rel, f_x + gaps[:, t] - rel

    monkeypatch.setattr(methods.attribution, "contextual_decomposition",
                        split)
    answer = methods._cd(Model(), np.zeros((2, 3, 1)), None, 0, None)
    np.testing.assert_array_equal(answer.total, [0.5, 2.5])
    np.testing.assert_array_equal(answer.importance, np.abs(relevant))


def test_a_json_path_that_is_a_directory_is_refused_by_name(tmp_path):
    path = tmp_path / "r.json"
    path.mkdir()
    with pytest.raises(reading.UsageError) as caught:
        reporting.check_json_path(path)
    assert str(caught.value) == f"{path}: expected a file, got a directory"


def test_an_interval_of_one_window_is_null_in_the_json():
    """JSON has no NaN: json.dumps would write the non-standard NaN that
    strict readers refuse; the interval of one window is null instead."""
    from lstmref.cli import running
    one = running.Summary(np.array([1.0, 2.0]), np.array([np.nan, np.nan]),
                          None)
    two = running.Summary(np.array([3.0, 4.0]), np.array([0.5, np.nan]),
                          None)
    record = reporting.results(np.zeros((1, 2)), {"m": [one, two]}, {})
    assert record["interval_half_width"] == {"m": [[None, 0.5],
                                                   [None, None]]}
    assert record["importance"] == {"m": [[1.0, 3.0], [2.0, 4.0]]}


def test_the_mean_counts_every_block_of_windows(tmp_path):
    """Over 4,096 windows mean_of reads two blocks: each feature's mean
    is over both (5,000 windows x 3 steps), as NumPy's mean of the whole
    array is."""
    source = 5 + np.random.default_rng(84).normal(size=(5000, 3, 2))
    windows = data.Windows(tmp_path / "x.npy", source, [1, 0], ["b", "a"])
    np.testing.assert_allclose(data.mean_of(windows),
                               source.mean(axis=(0, 1))[[1, 0]],
                               rtol=1e-12)  # block sums vs NumPy's
    # pairwise sum: round-off only (means near 5, no cancellation)


def test_ig_refines_no_window_whose_gap_is_within_the_limit():
    """Windows equal to the baseline: IG is exactly zero and so is
    f(x) - f(baseline); a gap of 0 meets a limit of 0 (met means gap <=
    limit), so the 32 steps are kept."""
    rng = np.random.default_rng(85)
    net = Network(random_params(rng, 3, 2), rng.normal(size=(3, 1)))
    base = rng.normal(size=(4, 2))
    x = np.broadcast_to(base, (2, 4, 2)).copy()
    answer = methods._ig(net, x, base, 0, 0.0)
    assert answer.steps.tolist() == [32, 32]
    assert answer.total.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("units, windows, calls", [
    # 2^19 cells / (T=64 x 8 units) = 1024 windows of 1 point a call:
    # 16 windows of 64 points, 8 of 128
    (8, 40, [(40, 32), (16, 64), (16, 64), (8, 64), *[(8, 128)] * 5]),
    # 2^19 / (64 x 256) = 32 windows of 1 point: fewer than one window of
    # 64 points, so one window a call
    (256, 3, [(3, 32), *[(1, 64)] * 3, *[(1, 128)] * 3]),
])
def test_ig_refines_in_calls_within_the_memory_budget(monkeypatch, units,
                                                      windows, calls):
    """A stand-in for one IG pass misses f(x) - f(baseline) by 1 below
    128 steps: every window is integrated again at 64, then 128 steps,
    against the baseline given, in calls of as many windows as
    methods.CELLS allows (at least one)."""
    rng = np.random.default_rng(86)
    net = Network(random_params(rng, units, 1), rng.normal(size=(units, 1)))
    x = rng.normal(size=(windows, 64, 1))
    base = rng.normal(size=(64, 1))
    seen = []

    def one_pass(net_, x_, base_, output, n):
        seen.append((len(x_), n))
        np.testing.assert_array_equal(base_, base)
        change = net._forward(x_)[:, 0] - net._forward(base[None])[0, 0]
        return np.ones(x_.shape[:2]), change + (1.0 if n < 128 else 0.0)

    monkeypatch.setattr(methods, "_ig_once", one_pass)
    answer = methods._ig(net, x, base, 0, 0.5)
    assert seen == calls
    assert answer.steps.tolist() == [128] * windows


def test_ig_stops_refining_a_window_whose_gap_reaches_the_limit(
        monkeypatch):
    """A window equal to the baseline (f(x) - f(baseline) = 0 exactly)
    and a stand-in pass off by 1 at 32 steps, by 0.5 at 64 and 0 at 128:
    with a limit of 0.5 the window is met at 64 steps and stops there."""
    rng = np.random.default_rng(87)
    net = Network(random_params(rng, 3, 2), rng.normal(size=(3, 1)))
    base = rng.normal(size=(4, 2))
    off = {32: 1.0, 64: 0.5, 128: 0.0}
    monkeypatch.setattr(methods, "_ig_once", lambda net_, x_, base_, output,
                        n: (np.ones(x_.shape[:2]), np.full(len(x_), off[n])))
    answer = methods._ig(net, base[None], base, 0, 0.5)
    assert answer.steps.tolist() == [64]
    assert answer.total.tolist() == [0.5]


def test_each_lstm_of_a_stack_is_listed_in_order():
    """An LSTM, then a Bidirectional: three weight tables, labelled by
    layer (the CLI's end-to-end tests run each kind alone on a real
    model)."""
    from types import SimpleNamespace as Layer
    from lstmref.cli import _lstms
    net = Layer(layers=[Layer(params="p0"), Layer(name="dropout"),
                        Layer(forward_layer=Layer(params="f2"),
                              backward_layer=Layer(params="b2"))])
    assert _lstms(net, "lstm") == [("p0", "layer 0"),
                                   ("f2", "layer 2, forward"),
                                   ("b2", "layer 2, backward")]


def test_the_data_line_names_six_features_then_dots(tmp_path):
    from lstmref.cli import _data_lines
    names = [f"f{k}" for k in range(7)]
    windows = data.Windows(tmp_path / "x.npy", np.zeros((3, 2, 7)),
                           list(range(7)), names)
    assert _data_lines(windows, None, "x.npy", 0)[0] == (
        "data: x.npy, 3 window(s) of 2 steps x 7 features (f0, f1, f2, f3, "
        "f4, f5, ...)")
    six = data.Windows(tmp_path / "x.npy", np.zeros((3, 2, 6)),
                       list(range(6)), names[:6])
    assert _data_lines(six, None, "x.npy", 0)[0] == (
        "data: x.npy, 3 window(s) of 2 steps x 6 features (f0, f1, f2, f3, "
        "f4, f5)")


@pytest.mark.parametrize("runs, windows, chunks", [
    # 2^19 cells / (T=64 x 8 units) = 1024 windows of one model run a
    # call; a method of 100 runs a window: 10 windows a call
    (100, 25, [10, 10, 5]),
    # over 1024 runs a window: one window a call
    (5000, 3, [1, 1, 1]),
])
def test_summarize_calls_a_method_in_chunks_within_the_memory_budget(
        runs, windows, chunks):
    """A method without a guarantee (no target): its gap is None and no
    window counts as unmet."""
    from lstmref.cli import running
    seen = []

    def attribute(net, x, base, output, limit):
        seen.append(len(x))
        return methods.Attribution(np.ones(x.shape[:2]), None)

    fake = methods.Method("fake", "fake", attribute, lambda T: runs)
    rng = np.random.default_rng(88)
    net = Network(random_params(rng, 8, 1), rng.normal(size=(8, 1)))
    summary = running.summarize(fake, net, np.zeros((windows, 64, 1)),
                                None, 0, {"change": np.zeros(windows)},
                                lambda chunks, label: chunks)
    assert seen == chunks
    assert summary.gap is None and summary.unmet == 0 and summary.met


def test_predict_runs_the_model_in_chunks_within_the_memory_budget(
        monkeypatch):
    """2^19 cells / (T=64 x 256 units) = 32 windows a call: 70 windows
    in calls of 32, 32 and 6, their forecasts in the windows' order (as
    one call over all of them gives)."""
    from lstmref.cli import running
    rng = np.random.default_rng(89)
    net = Network(random_params(rng, 256, 1), rng.normal(size=(256, 2)))
    x = rng.normal(size=(70, 64, 1))
    whole = net._forward(x)
    forward, seen = Network._forward, []

    def counted(self, x_):
        seen.append(len(x_))
        return forward(self, x_)

    monkeypatch.setattr(Network, "_forward", counted)
    np.testing.assert_allclose(running.predict(net, x), whole,
                               rtol=1e-12)  # BLAS may sum a batch of 32
    # in another order than one of 70: equal to round-off, not bits
    assert seen == [32, 32, 6]


def test_the_baseline_is_named_and_described_in_one_line(tmp_path):
    """zeros, the mean (its first six features by name, then dots) and a
    file (one day, picked by --columns, or one window), each with the
    name the JSON gives it. Means by hand: window w, step t, feature f
    of np.arange holds 7 (3w + t) + f, whose mean over w = 0, 1 and
    t = 0, 1, 2 is 17.5 + f; with 6 features, 6 (3w + t) + f: 15 + f."""
    from argparse import Namespace
    from lstmref.cli import _baseline

    def windows_of(features):
        source = np.arange(2 * 3 * features, dtype=float).reshape(
            2, 3, features)
        return data.Windows(tmp_path / "x.npy", source,
                            list(range(features)),
                            [f"f{k}" for k in range(features)])

    base, name, line = _baseline(Namespace(baseline="zeros", columns=None),
                                 windows_of(7), 7)
    assert base.tolist() == np.zeros((3, 7)).tolist() and name == "zeros"
    assert line == ("baseline: zeros (the average day only for "
                    "standardized inputs)")
    base, name, line = _baseline(Namespace(baseline="mean", columns=None),
                                 windows_of(7), 7)
    assert base.tolist() == [[17.5 + f for f in range(7)]] * 3
    assert name == "mean" and line == (
        "baseline: mean, each feature's mean over every step of the 2 "
        "windows (f0 = 17.5, f1 = 18.5, f2 = 19.5, f3 = 20.5, f4 = 21.5, "
        "f5 = 22.5, ...)")
    _, _, line = _baseline(Namespace(baseline="mean", columns=None),
                           windows_of(6), 6)
    assert line.endswith("(f0 = 15, f1 = 16, f2 = 17, f3 = 18, f4 = 19, "
                         "f5 = 20)")
    day, window = tmp_path / "day.npy", tmp_path / "window.npy"
    np.save(day, np.array([9.0, 0.5, 9.0, -1.25, 9.0]))
    np.save(window, np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    picked = data.Windows(tmp_path / "x.npy", np.zeros((2, 3, 5)), [1, 3],
                          ["column 1", "column 3"])
    base, name, line = _baseline(Namespace(baseline=str(day),
                                           columns="1,3"), picked, 2)
    assert base.tolist() == [[0.5, -1.25]] * 3
    assert name == str(day) and line == f"baseline: {day} (one day)"
    base, name, line = _baseline(Namespace(baseline=str(window),
                                           columns="1,3"), picked, 2)
    assert base.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert name == str(window) and line == f"baseline: {window} (one window)"


def test_a_large_npy_is_read_block_by_block_from_its_own_rows(tmp_path):
    """5,000 windows saved as float32: mean_of maps the file's rows block
    by block (4,096 windows, then 904 from byte 4,096 x 3 x 2 x 4 on);
    the mean is NumPy's over the whole array."""
    x = (5 + np.random.default_rng(90).normal(size=(5000, 3, 2))).astype(
        np.float32)  # means near 5: no cancellation in the sums
    np.save(tmp_path / "x.npy", x)
    windows = data.read_windows(tmp_path / "x.npy", 3, 2)
    assert isinstance(windows.source, np.memmap)
    np.testing.assert_allclose(data.mean_of(windows),
                               x.astype(np.float64).mean(axis=(0, 1)),
                               rtol=1e-12)  # block sums: round-off only


def test_a_fortran_order_npy_is_read_as_float64(tmp_path):
    """A column-major float32 file cannot be mapped row block by row
    block; its windows are read as they are, and as float64 too."""
    x = np.random.default_rng(91).normal(size=(4, 3, 2)).astype(np.float32)
    np.save(tmp_path / "x.npy", np.asfortranarray(x))
    windows = data.read_windows(tmp_path / "x.npy", 3, 2)
    block = windows.block(1, 3)
    assert block.dtype == np.float64
    np.testing.assert_array_equal(block, x[1:3].astype(np.float64))


@pytest.mark.parametrize("call, message", [
    (lambda p: data.read_windows(p / "none.npy", 3, 2),
     "{p}/none.npy: no such data file"),
    (lambda p: data.read_windows(p / "x.npy", None, 2),
     "{p}/x.npy: expected windows of shape (batch, T, 2) or one window "
     "(T, 2) for this model, got shape (4, 3, 5)"),
    (lambda p: data.read_windows(p / "x.npy", None, 5, window=0),
     "--window 0: expected a length >= 1"),
    (lambda p: data.read_windows(p / "x.npy", None, 5, columns="0,5"),
     "--columns 0,5: expected names or 0-based indices of the columns of "
     "{p}/x.npy (0 to 4), got '5'"),
])
def test_read_windows_mistakes_in_full(tmp_path, call, message):
    np.save(tmp_path / "x.npy", np.zeros((4, 3, 5)))
    with pytest.raises(reading.UsageError) as caught:
        call(tmp_path)
    assert str(caught.value) == message.format(p=tmp_path)


def test_a_window_of_one_step_cuts_every_row(tmp_path):
    series = np.arange(8.0).reshape(4, 2)
    np.save(tmp_path / "s.npy", series)
    windows = data.read_windows(tmp_path / "s.npy", None, 2, window=1)
    assert len(windows) == 4
    np.testing.assert_array_equal(windows.take(None), series[:, None])


def test_sample_counts_from_one_to_every_window():
    """One window is a sample (the generator's draw); all ten are every
    window (None); a count out of range or not a number says so."""
    from lstmref.cli import running
    assert running.choose(10, "1", 5).tolist() == np.sort(
        np.random.default_rng(5).choice(10, 1, replace=False)).tolist()
    assert running.choose(10, "10", 5) is None
    for sample, message in (
            ("0", "--sample 0: expected 1 to 10 (the windows in the data) "
                  "or 'all'"),
            ("11", "--sample 11: expected 1 to 10 (the windows in the data) "
                   "or 'all'"),
            ("some", "--sample some: expected a number of windows or 'all'")):
        with pytest.raises(reading.UsageError) as caught:
            running.choose(10, sample, 5)
        assert str(caught.value) == message


@pytest.mark.parametrize("call, message", [
    (lambda p: data.read_windows(p / "zero.npy", None, 5),
     "{p}/zero.npy: expected windows of shape (batch, T, 5) or one window "
     "(T, 5) for this model, got shape ()"),
    (lambda p: data.read_windows(p / "x.npy", None, 5, window=3),
     "{p}/x.npy: expected one series (rows, 5) to cut with --window, got "
     "shape (4, 3, 5)"),
    (lambda p: data.read_windows(p / "narrow.npy", None, 5, window=3),
     "{p}/narrow.npy: expected one series (rows, 5) to cut with --window, "
     "got shape (6, 3)"),
    (lambda p: data.read_windows(p / "empty.npy", None, 5, window=3),
     "{p}/empty.npy: expected one series (rows, 5) to cut with --window, "
     "got shape (0, 5)"),
    (lambda p: data.read_windows(p / "short.npy", None, 5, window=4),
     "--window 4: expected at least 4 rows in {p}/short.npy, got 3"),
    (lambda p: data.read_windows(p / "x", None, 5),
     "{p}/x: expected a .npy or .csv file, got no suffix"),
])
def test_read_windows_shapes_refused_in_full(tmp_path, call, message):
    np.save(tmp_path / "zero.npy", np.float64(1.0))
    np.save(tmp_path / "x.npy", np.zeros((4, 3, 5)))
    np.save(tmp_path / "narrow.npy", np.zeros((6, 3)))
    np.save(tmp_path / "empty.npy", np.zeros((0, 5)))
    np.save(tmp_path / "short.npy", np.zeros((3, 5)))
    (tmp_path / "x").write_text("1,2,3,4,5\n")
    with pytest.raises(reading.UsageError) as caught:
        call(tmp_path)
    assert str(caught.value) == message.format(p=tmp_path)


def test_a_series_of_exactly_one_window_and_one_feature(tmp_path):
    """A (4, 1) series cut with --window 4: one window, of the one
    feature; the Windows keep the file's path (their messages name it)."""
    series = np.array([[1.0], [2.0], [3.0], [4.0]])
    np.save(tmp_path / "s.npy", series)
    windows = data.read_windows(tmp_path / "s.npy", 4, 1, window=4)
    assert len(windows) == 1 and windows.path == tmp_path / "s.npy"
    np.testing.assert_array_equal(windows.take(None), series[None])


def test_units_and_windows_per_call_by_hand():
    """The widest LSTM (a Bidirectional's by its forward layer), 64 for
    a model with none; windows a call: 2^19 cells / (T x units), at
    least 1 and at most 8,192."""
    from types import SimpleNamespace as Layer

    def lstm(units):
        return Layer(params=Layer(units=units))

    wide = Layer(layers=[Layer(forward_layer=lstm(7), backward_layer=lstm(7)),
                         lstm(3), Layer(name="dense")])
    assert methods.units(wide) == 7
    assert methods.units(Layer(layers=[Layer(name="dense")])) == 64
    assert methods.windows_per_call(wide, 64) == 2 ** 19 // (64 * 7)
    one = Layer(layers=[lstm(1)])
    assert methods.windows_per_call(one, 1) == 8192
    huge = Layer(layers=[lstm(1024)])
    assert methods.windows_per_call(huge, 1024) == 1


def test_check_file_says_what_is_wrong_with_the_path(tmp_path, monkeypatch):
    """Not a file nor a folder (a device), or a file that cannot be read
    (os.access stands in: as root every file can be read)."""
    from pathlib import Path
    with pytest.raises(reading.UsageError) as caught:
        reading.check_file(Path("/dev/null"), "data")
    assert str(caught.value) == "/dev/null: expected a data file"
    path = tmp_path / "x.npy"
    path.write_bytes(b"")
    monkeypatch.setattr(reading.os, "access", lambda p, mode: False)
    with pytest.raises(reading.UsageError) as caught:
        reading.check_file(path, "data")
    assert str(caught.value) == (f"{path}: cannot read the data file "
                                 "(permission denied)")


def test_a_model_file_that_states_no_input_shape_takes_any_length(
        tmp_path, monkeypatch):
    """read_model's window length: the file's stated (batch, T, F) gives
    T; a file whose layers state no input shape (ModelFile.input_shape
    None: only a Keras 1 file giving input_dim alone, none of the files
    the tests read) gives None, any length. The reader is stood in for;
    its own tests read real files."""
    from types import SimpleNamespace
    import lstmref.files as files
    path = tmp_path / "m.h5"
    path.write_bytes(b"")
    described = SimpleNamespace(input_shape=None, layers=[
        SimpleNamespace(class_name="Dense", name="d"),
        SimpleNamespace(class_name="LSTM", name="rnn")])
    monkeypatch.setattr(files, "read_model_file", lambda p: described)
    monkeypatch.setattr(files, "network_from_file", lambda p: "net")
    assert reading.read_model(path) == ("net", None, "rnn")
    described.input_shape = (None, 9, 2)
    assert reading.read_model(path) == ("net", 9, "rnn")
