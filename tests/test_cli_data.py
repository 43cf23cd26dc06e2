"""``explain`` on the data people have: CSV headers and dates, --columns,
--window over one long series, --sample with its seed and 95% intervals,
--baseline zeros|mean|FILE, and integrated gradients refined until their
completeness gap is within 1%.

Expected numbers come from outside the command: forecasts and occlusion
through the Keras model, integrated gradients by tf.GradientTape, the
sample by np.random.default_rng drawn here, means and intervals by NumPy
or by hand.
"""

import json
import re

import numpy as np
import pytest
import tensorflow as tf

from lstmref.cli import methods, running
from test_cli import (F, N_OUT, PRINTED, T, assert_one_error_line,
                      forecaster, ig_tape, keras_f, lag_table,
                      occlusion_by_keras, run, save_model)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """(path of a saved LSTM(3) -> Dense(2) with T=5, F=4, Keras model)."""
    folder = tmp_path_factory.mktemp("data")
    keras_model = save_model(folder / "m.keras", forecaster(),
                             np.random.default_rng(21))
    return folder / "m.keras", keras_model


def write_csv(path, header, rows):
    lines = ([",".join(header)] if header else []) + [
        ",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def occlusion_column(keras_model, x, base, output=0):
    return np.abs(occlusion_by_keras(keras_model, x, output, base)).mean(
        axis=0)[::-1]


def test_csv_header_and_date_column_are_named_and_the_date_left_out(
        model, tmp_path, capsys):
    path, keras_model = model
    window = np.random.default_rng(22).normal(size=(T, F)).round(6)
    dates = [f"2015-01-0{k + 1}" for k in range(T)]
    write_csv(tmp_path / "w.csv", ["date", "a", "b", "c", "d"],
              [[d, *row] for d, row in zip(dates, window)])
    status, out, _ = run(capsys, "explain", path, "--data",
                         tmp_path / "w.csv", "--method", "occlusion",
                         "--baseline", "zeros")
    assert status == 0
    assert "column 'date' is not numeric (e.g. '2015-01-01'): left out" \
        in out
    assert "1 window(s) of 5 steps x 4 features (a, b, c, d)" in out
    np.testing.assert_allclose(
        lag_table(out)[0]["occlusion"],
        occlusion_column(keras_model, window[None], np.zeros(F)), **PRINTED)


def test_columns_pick_features_by_name_or_index_in_the_given_order(
        model, tmp_path, capsys):
    path, keras_model = model
    table = np.random.default_rng(23).normal(size=(T, 6)).round(6)
    write_csv(tmp_path / "named.csv", list("uvwxyz"), table)
    write_csv(tmp_path / "bare.csv", None, table)
    window = table[:, [4, 1, 0, 2]][None]  # y, v, u, w
    expected = occlusion_column(keras_model, window, np.zeros(F))
    for data, spec in (("named.csv", "y,v,u,w"), ("bare.csv", "4,1,0,2")):
        status, out, _ = run(capsys, "explain", path, "--data",
                             tmp_path / data, "--columns", spec,
                             "--method", "occlusion", "--baseline", "zeros")
        assert status == 0
        np.testing.assert_allclose(lag_table(out)[0]["occlusion"],
                                   expected, **PRINTED)


COLUMN_MISTAKES = {
    "too many columns": ([], "named.csv: expected 4 feature columns for "
                         "this model (its input_dim), got 6 (u, v, w, x, y, "
                         "z); pick them with --columns"),
    "too few picked": (["--columns", "u,v"], "--columns u,v: expected 4 "
                       "columns (the model's input_dim), got 2"),
    "unknown name": (["--columns", "u,v,w,q"], "--columns u,v,w,q: expected "
                     "names or 0-based indices of the columns of "),
    "twice": (["--columns", "u,u,v,w"], "--columns u,u,v,w: expected each "
              "column once"),
}


@pytest.mark.parametrize("mistake", COLUMN_MISTAKES)
def test_column_mistakes_say_what_was_expected(model, tmp_path, capsys,
                                               mistake):
    path, _ = model
    write_csv(tmp_path / "named.csv", list("uvwxyz"), np.ones((T, 6)))
    options, message = COLUMN_MISTAKES[mistake]
    status, out, err = run(capsys, "explain", path, "--data",
                           tmp_path / "named.csv", *options)
    assert_one_error_line(status, out, err, message)


def test_window_cuts_one_series_into_overlapping_windows(model, tmp_path,
                                                         capsys):
    """--window 5 over 12 daily rows: windows rows k ... k+4, k = 0 ... 7,
    cut here by a loop; the mean baseline is NumPy's over those windows."""
    path, keras_model = model
    series = np.random.default_rng(24).normal(size=(12, F)).round(6)
    write_csv(tmp_path / "daily.csv", ["day", "a", "b", "c", "d"],
              [[f"d{k}", *row] for k, row in enumerate(series)])
    target = tmp_path / "r.json"
    status, out, _ = run(capsys, "explain", path, "--data",
                         tmp_path / "daily.csv", "--window", T,
                         "--method", "occlusion", "--json", target)
    assert status == 0
    x = np.stack([series[k:k + T] for k in range(12 - T + 1)])
    record = json.loads(target.read_text())
    np.testing.assert_allclose(record["prediction"], np.asarray(
        keras_model(x)), rtol=0, atol=1e-12)
    base = x.mean(axis=(0, 1))
    np.testing.assert_allclose(record["baseline_values"], base, rtol=1e-13)
    np.testing.assert_allclose(lag_table(out)[0]["occlusion"],
                               occlusion_column(keras_model, x, base),
                               **PRINTED)
    assert "8 window(s) of 5 steps x 4 features (a, b, c, d), cut from " \
        "12 rows with --window 5" in out
    assert "baseline: mean, each feature's mean over every step of the 8 " \
        "windows (" + ", ".join(f"{n} = {v:.4g}" for n, v in zip(
            "abcd", base)) + ")" in out


@pytest.mark.parametrize("rows, window, message", [
    (3, T, "--window 5: expected at least 5 rows in "),
    (9, T + 1, "--window 6: expected the model's window length 5 (its "
               "input shape fixes it)"),
])
def test_window_mistakes(model, tmp_path, capsys, rows, window, message):
    path, _ = model
    write_csv(tmp_path / "s.csv", None, np.ones((rows, F)))
    assert_one_error_line(*run(capsys, "explain", path, "--data",
                               tmp_path / "s.csv", "--window", window),
                          message)


def test_a_long_csv_without_window_is_told_about_it(model, tmp_path, capsys):
    path, _ = model
    write_csv(tmp_path / "s.csv", None, np.ones((9, F)))
    assert_one_error_line(*run(capsys, "explain", path, "--data",
                               tmp_path / "s.csv"),
                          "got 9 rows x 4 columns (a long series? cut it "
                          "with --window 5)")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """30 windows saved as float32, the way Keras pipelines keep them."""
    folder = tmp_path_factory.mktemp("many")
    x = np.random.default_rng(25).normal(size=(30, T, F)).astype("float32")
    np.save(folder / "x.npy", x)
    return folder / "x.npy", x.astype(np.float64)


def test_sample_draws_seeded_windows_and_states_it(model, many, tmp_path,
                                                   capsys):
    path, keras_model = model
    data, x = many
    target = tmp_path / "r.json"
    status, out, _ = run(capsys, "explain", path, "--data", data,
                         "--sample", 7, "--seed", 3, "--method", "occlusion",
                         "--json", target)
    assert status == 0
    assert "explained 7 of 30 windows, sampled with seed 3" in out
    chosen = np.sort(np.random.default_rng(3).choice(30, 7, replace=False))
    record = json.loads(target.read_text())
    assert record["windows"] == chosen.tolist()
    assert record["sample_seed"] == 3 and record["windows_total"] == 30
    np.testing.assert_allclose(record["prediction"],
                               np.asarray(keras_model(x[chosen])),
                               rtol=0, atol=1e-12)
    base = x.mean(axis=(0, 1))  # over all 30 windows, not the sample
    for k in range(N_OUT):
        occ = np.abs(occlusion_by_keras(keras_model, x[chosen], k, base))
        np.testing.assert_allclose(
            np.array(record["importance"]["occlusion"])[:, k],
            occ.mean(axis=0)[::-1], rtol=1e-10, atol=1e-12)
        # normal 95% interval: 1.959964 s / sqrt(7), s with ddof=1
        np.testing.assert_allclose(
            np.array(record["interval_half_width"]["occlusion"])[:, k],
            1.959964 * occ.std(axis=0, ddof=1)[::-1] / np.sqrt(7),
            rtol=1e-6)
    assert "95% intervals of the means above (normal: mean +- 1.96 " \
           "s/sqrt(n), n = 7): half-widths" in out


def test_more_windows_than_the_default_are_sampled_unless_all(
        model, many, capsys, monkeypatch):
    path, _ = model
    data, _ = many
    monkeypatch.setattr(running, "DEFAULT_SAMPLE", 10)
    status, out, _ = run(capsys, "explain", path, "--data", data,
                         "--method", "occlusion")
    assert status == 0 and "explained 10 of 30 windows, sampled with seed " \
        "0" in out
    status, out, _ = run(capsys, "explain", path, "--data", data,
                         "--method", "occlusion", "--sample", "all")
    assert status == 0 and "explained all 30 window(s)" in out
    assert "95% intervals" not in out


@pytest.mark.parametrize("sample", ["31", "0", "many"])
def test_sample_mistakes(model, many, capsys, sample):
    path, _ = model
    status, out, err = run(capsys, "explain", path, "--data", many[0],
                           "--sample", sample)
    assert_one_error_line(status, out, err, f"--sample {sample}: expected")


def test_interval_half_width_by_hand():
    """1, 2, 3, 4: s = sqrt(5/3) = 1.2909944, n = 4, so the half-width is
    1.959964 * 1.2909944 / 2 = 2.5303017 / 2 = 1.2651509."""
    values = np.array([[1.0], [2.0], [3.0], [4.0]])
    np.testing.assert_allclose(running.interval_half_width(values),
                               [1.2651509], rtol=1e-6)  # 7 digits
    assert np.isnan(running.interval_half_width(values[:1])).all()
    # 1, 3: s = sqrt(2), n = 2, half-width 1.959964 * sqrt(2) / sqrt(2)
    np.testing.assert_allclose(running.interval_half_width(
        np.array([[1.0], [3.0]])), [1.959964], rtol=1e-6)  # 7 digits


def test_a_non_finite_number_is_named_by_its_window_in_the_file(
        model, tmp_path, capsys):
    path, _ = model
    x = np.zeros((30, T, F))
    x[17, 2, 1] = np.inf
    np.save(tmp_path / "x.npy", x)
    assert_one_error_line(*run(capsys, "explain", path, "--data",
                               tmp_path / "x.npy", "--sample", "all"),
                          "expected finite numbers, got inf at window, "
                          "step, feature (17, 2, 1)")


@pytest.mark.parametrize("form", ["day.npy", "window.csv"])
def test_baseline_file_of_one_day_or_one_window(model, many, tmp_path,
                                                capsys, form):
    path, keras_model = model
    data, x = many
    rng = np.random.default_rng(26)
    if form == "day.npy":
        base = rng.normal(size=F)
        np.save(tmp_path / form, base)
    else:
        base = rng.normal(size=(T, F)).round(6)
        write_csv(tmp_path / form, list("abcd"), base)
    status, out, _ = run(capsys, "explain", path, "--data", data,
                         "--baseline", tmp_path / form, "--method",
                         "occlusion")
    assert status == 0 and f"baseline: {tmp_path / form}" in out
    np.testing.assert_allclose(lag_table(out)[0]["occlusion"],
                               occlusion_column(keras_model, x, base),
                               **PRINTED)


@pytest.mark.parametrize("name, content, message", [
    ("b.txt", None, "--baseline {p}: expected mean, zeros or a .npy or "
                    ".csv file"),
    ("b.npy", np.ones((3, F)), "{p}: expected a baseline of one window "
                               "(5, 4) or one day (4,), got shape (3, 4)"),
    ("c.npy", np.ones(3), "{p}: expected 4 feature columns for this model"),
    ("n.npy", np.full(F, np.nan), "{p}: expected finite numbers, got nan"),
])
def test_baseline_mistakes(model, many, tmp_path, capsys, name, content,
                           message):
    path, _ = model
    p = tmp_path / name
    if content is not None:
        np.save(p, content)
    assert_one_error_line(*run(capsys, "explain", path, "--data", many[0],
                               "--baseline", p), message.format(p=p))


@pytest.fixture(scope="module")
def raw(tmp_path_factory, model):
    """One window on a raw scale (values in the hundreds), where 32
    Gauss-Legendre steps miss more than 1% of f(x) - f(0) (checked here
    by GradientTape, a control on the case itself)."""
    _, keras_model = model
    x = 300 + 300 * np.random.default_rng(27).normal(size=(1, T, F))
    base = np.zeros_like(x)
    change = keras_f(keras_model, x, 0) - keras_f(keras_model, base, 0)
    gap = {n: abs(ig_tape(keras_model, x, base, n).sum() - change[0])
           / abs(change[0]) for n in (32, 64, 128, 256)}
    assert gap[32] > 0.01 and gap[256] < 0.01, gap
    folder = tmp_path_factory.mktemp("raw")
    np.save(folder / "raw.npy", x)
    return folder / "raw.npy", x, gap


def test_ig_refines_its_steps_until_the_gap_is_within_one_percent(
        model, raw, tmp_path, capsys):
    """The command stops at the first doubling of 32 whose gap (by
    GradientTape) is within 1%, and its column is IG at that many steps."""
    path, keras_model = model
    data, x, gap = raw
    target = tmp_path / "r.json"
    status, out, err = run(capsys, "explain", path, "--data", data,
                           "--baseline", "zeros", "--method", "ig",
                           "--json", target)
    assert status == 0 and err == ""
    n = min(k for k in gap if gap[k] <= 0.01)
    record = json.loads(target.read_text())
    assert record["ig_steps"][0] == [n, n]
    np.testing.assert_allclose(record["gap"]["integrated_gradients"][0],
                               gap[n], rtol=1e-3, atol=1e-11)
    # rtol 1e-3: a gap is sum(IG) - change, a difference of two close
    # numbers, so its own relative round-off is 1e-16 |change| / gap
    expected = np.abs(ig_tape(keras_model, x, 0 * x, n)).sum(axis=2)[0]
    np.testing.assert_allclose(
        np.array(record["importance"]["integrated_gradients"])[:, 0],
        expected[::-1], rtol=1e-7)
    assert f"integrated_gradients: completeness: sum = f(x) - f(baseline);" \
           f" {n} Gauss-Legendre steps" in out


def test_ig_over_the_cap_warns_in_one_line(model, raw, capsys, monkeypatch):
    path, _ = model
    data, _, gap = raw
    monkeypatch.setattr(methods, "IG_MAX_STEPS", 32)
    status, out, err = run(capsys, "explain", path, "--data", data,
                           "--baseline", "zeros", "--method", "ig")
    assert status == 0
    assert err == (f"warning: integrated_gradients: completeness gap "
                   f"{gap[32]:.2%} is over 1% on 1 window(s), even at 32 "
                   "steps (the cap)\n")
    row = next(line for line in out.splitlines() if line.startswith(
        "  gap"))
    np.testing.assert_allclose(float(row.split()[1]), gap[32], rtol=0.05)


def test_gap_row_shows_each_guarantee(model, many, capsys):
    """Shapley's efficiency and LRP's conservation hold to round-off;
    occlusion has none ("-")."""
    path, _ = model
    status, out, _ = run(capsys, "explain", path, "--data", many[0])
    assert status == 0
    header = next(line for line in out.splitlines()
                  if line.startswith("  lag")).split()[1:]
    row = next(line for line in out.splitlines()
               if line.startswith("  gap")).split()[1:]
    gaps = dict(zip(header, row))
    assert gaps["occlusion"] == "-"
    for name in ("integrated_gradients", "shapley", "lrp"):
        assert float(gaps[name]) < 1e-8, gaps
    assert "  occlusion: no guarantee (-)" in out
    assert "  lrp: conservation: sum + initial state's share = f(x)" in out


def test_window_over_a_npy_series_with_a_seeded_sample(model, tmp_path,
                                                      capsys):
    """A 2-D .npy (rows, F) with --window: the windows drawn by
    default_rng(1) here, cut by a loop, predicted by Keras."""
    path, keras_model = model
    series = np.random.default_rng(28).normal(size=(40, F))
    np.save(tmp_path / "series.npy", series)
    target = tmp_path / "r.json"
    status, out, _ = run(capsys, "explain", path, "--data",
                         tmp_path / "series.npy", "--window", T, "--sample",
                         4, "--seed", 1, "--method", "occlusion", "--json",
                         target)
    assert status == 0
    n = 40 - T + 1
    chosen = np.sort(np.random.default_rng(1).choice(n, 4, replace=False))
    x = np.stack([series[k:k + T] for k in chosen])
    record = json.loads(target.read_text())
    assert record["windows"] == chosen.tolist()
    np.testing.assert_allclose(record["prediction"], np.asarray(
        keras_model(x)), rtol=0, atol=1e-12)
    every = np.stack([series[k:k + T] for k in range(n)])
    np.testing.assert_allclose(record["baseline_values"],
                               every.mean(axis=(0, 1)), rtol=1e-13)
    assert f"explained 4 of {n} windows, sampled with seed 1" in out


def test_help_names_the_options_and_their_defaults(capsys):
    from lstmref import cli
    with pytest.raises(SystemExit) as done:
        cli.main(["explain", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0
    for needle in ("--baseline mean|zeros|FILE", "mean (default: each "
                   "feature's mean over every step of every window",
                   "--columns A,B,C", "--window T", "--sample N|all",
                   "else 1,000", "mean +- 1.96 s/sqrt(n)",
                   "seed of the sample's generator (default 0)",
                   "warned of over 1% of the largest |target| over the "
                   "windows; IG doubles its Gauss-Legendre steps from 32 up "
                   "to 1024"):
        assert needle in out, needle


@pytest.mark.parametrize("shape", ["stacked", "bidirectional"])
def test_a_stacked_model_is_explained_as_keras_computes_it(tmp_path,
                                                          capsys, shape):
    """LSTM -> LSTM -> Dense and Bidirectional(LSTM) -> Dense: occlusion
    against the mean baseline equals the one worked out through Keras;
    IG, Shapley and LRP meet their guarantees; each LSTM's weight table
    is printed."""
    import keras
    rng = np.random.default_rng(29)
    first = keras.layers.LSTM(3, return_sequences=True, dtype="float64")
    layers = {"stacked": [first, keras.layers.LSTM(2, dtype="float64")],
              "bidirectional": [keras.layers.Bidirectional(
                  keras.layers.LSTM(2, dtype="float64"), dtype="float64")]}
    keras_model = save_model(tmp_path / "stacked.keras", [
        *layers[shape], keras.layers.Dense(N_OUT, dtype="float64")], rng)
    x = rng.normal(size=(6, T, F))
    np.save(tmp_path / "x.npy", x)
    status, out, err = run(capsys, "explain", tmp_path / "stacked.keras",
                           "--data", tmp_path / "x.npy", "--output", 1)
    assert status == 0 and err == ""
    np.testing.assert_allclose(
        lag_table(out)[0]["occlusion"],
        occlusion_column(keras_model, x, x.mean(axis=(0, 1)), 1), **PRINTED)
    row = next(line for line in out.splitlines() if line.startswith(
        "  gap")).split()[1:]
    assert row[1] == "-" and all(float(g) < 1e-8 for g in row[::2] + row[3:])
    assert out.count("Weights by gate") == 2
    if shape == "stacked":  # one table right after the other
        assert re.search(r"\n  bias\[9:12\] +o  output gate +norm \S+\n"
                         r"LSTM layer 'layer 1': units 2,", out), out


def test_plot_of_a_sample_is_saved(model, many, tmp_path, capsys):
    path, _ = model
    plot = tmp_path / "lags.png"
    status, out, _ = run(capsys, "explain", path, "--data", many[0],
                         "--sample", 5, "--method", "occlusion", "--plot",
                         plot)
    assert status == 0 and f"plot saved to {plot}" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_a_non_finite_sampled_window_is_named_by_its_number_in_the_file(
        model, many, tmp_path, capsys):
    """A sample of 29 of 30 windows that leaves out one before window
    17 (the seed is found here): an inf in window 17 is reported as
    window 17, not as its place in the sample."""
    path, _ = model
    _, x = many
    def left_out(seed):
        return np.setdiff1d(np.arange(30), np.random.default_rng(
            seed).choice(30, 29, replace=False))[0]

    seed = next(s for s in range(100) if left_out(s) < 17)
    x = x.copy()
    x[17, 2, 1] = np.inf
    np.save(tmp_path / "x.npy", x)
    assert_one_error_line(*run(capsys, "explain", path, "--data",
                               tmp_path / "x.npy", "--sample", 29, "--seed",
                               seed, "--baseline", "zeros"),
                          "expected finite numbers, got inf at window, "
                          "step, feature (17, 2, 1)")


@pytest.mark.parametrize("count", [1, 2])
def test_intervals_are_printed_for_a_sample_of_two_or_more(
        model, many, tmp_path, capsys, count):
    """Their half-widths, lag by lag, are the JSON's to 6 digits; one
    window has no interval and no table of them."""
    path, _ = model
    target = tmp_path / "r.json"
    status, out, _ = run(capsys, "explain", path, "--data", many[0],
                         "--sample", count, "--method", "occlusion",
                         "--json", target)
    assert status == 0
    heading = ("95% intervals of the means above (normal: mean +- 1.96 "
               f"s/sqrt(n), n = {count}): half-widths")
    if count == 1:
        assert heading not in out
        return
    lines = out.splitlines()
    start = lines.index(heading)
    assert lines[start + 1].split() == ["lag", "occlusion"]
    printed = [float(line.split()[1]) for line in lines[start + 2:
                                                        start + 2 + T]]
    assert [line.split()[0] for line in lines[start + 2:start + 2 + T]] == [
        f"t-{k}" for k in range(1, T + 1)]
    record = json.loads(target.read_text())
    np.testing.assert_allclose(
        printed, np.array(record["interval_half_width"]["occlusion"])[:, 0],
        rtol=1e-5)  # the table prints 6 significant digits


@pytest.mark.parametrize("sample", [None, 1, 2])
def test_the_plot_draws_intervals_for_a_sample_of_two_or_more(
        model, many, tmp_path, capsys, monkeypatch, sample):
    """The saved figure (kept here, not written) has error bars of the
    JSON's half-widths for a sample of 2, none for one window or for all
    of them (no sample: no interval)."""
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure
    figures = []
    monkeypatch.setattr(Figure, "savefig",
                        lambda self, path: figures.append(self))
    path, _ = model
    target = tmp_path / "r.json"
    options = [] if sample is None else ["--sample", sample]
    status, out, _ = run(capsys, "explain", path, "--data", many[0],
                         *options, "--method", "occlusion", "--json",
                         target, "--plot", tmp_path / "p.png")
    assert status == 0
    (bars,) = [c for c in figures[0].axes[0].containers
               if isinstance(c, BarContainer)]
    assert figures[0].axes[0].get_ylabel() == \
        "mean |attribution| of output 0"
    if sample != 2:
        assert bars.errorbar is None
        return
    half = np.array(json.loads(target.read_text())[
        "interval_half_width"]["occlusion"])[:, 0]
    segments = bars.errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments],
                               2 * half, rtol=1e-12)  # (m + h) - (m - h)
    # in floating point: round-off only


def test_a_window_baseline_is_written_whole_to_the_json(model, many,
                                                        tmp_path, capsys):
    """A baseline whose days differ is written as its T rows; one whose
    days are all the same as that one day."""
    path, _ = model
    base = np.arange(T * F, dtype=float).reshape(T, F)
    np.save(tmp_path / "b.npy", base)
    target = tmp_path / "r.json"
    status, _, _ = run(capsys, "explain", path, "--data", many[0],
                       "--baseline", tmp_path / "b.npy", "--method",
                       "occlusion", "--json", target)
    assert status == 0
    assert json.loads(target.read_text())["baseline_values"] == \
        base.tolist()
    status, _, _ = run(capsys, "explain", path, "--data", many[0],
                       "--baseline", "zeros", "--method", "occlusion",
                       "--json", target)
    assert status == 0
    assert json.loads(target.read_text())["baseline_values"] == [0.0] * F


def test_a_model_of_one_step_windows_writes_its_baseline(tmp_path, capsys):
    """T = 1: the mean baseline is one day, written as that day."""
    rng = np.random.default_rng(30)
    save_model(tmp_path / "one.keras", forecaster(), rng, steps=1)
    x = rng.normal(size=(4, 1, F))
    np.save(tmp_path / "x.npy", x)
    target = tmp_path / "r.json"
    status, _, _ = run(capsys, "explain", tmp_path / "one.keras", "--data",
                       tmp_path / "x.npy", "--method", "occlusion", "--json",
                       target)
    assert status == 0
    np.testing.assert_allclose(
        json.loads(target.read_text())["baseline_values"],
        x.mean(axis=(0, 1)), rtol=1e-14)  # sums of 4 numbers: round-off
