"""``python -m lstmref explain``: its tables equal each method's numbers
worked out here through the Keras model itself (occlusion from its
predictions, Shapley values by their formula over every coalition,
integrated gradients from tf.GradientTape), and every mistake a user can
make ends in one line and exit status 2."""

import dataclasses
import math
import json
import re
import subprocess
import sys
from itertools import combinations

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstmref import attribution as A
from lstmref import cli, weather
from lstmref.network import from_keras_model

T, F, UNITS, N_OUT = 5, 4, 3, 2
#: Tables print 6 significant digits.
PRINTED = dict(rtol=1e-5, atol=1e-12)


def save_model(path, layers, rng, steps=T):
    """A float64 Sequential with random weights (biases too), saved."""
    model = keras.Sequential([keras.Input((steps, F), dtype="float64"),
                              *layers])
    model.set_weights([rng.normal(0, 0.6, w.shape)
                       for w in model.get_weights()])
    model.save(path)
    return model


def forecaster():
    """LSTM(3) -> Dense(2) -> Activation("linear") in float64."""
    return [keras.layers.LSTM(UNITS, dtype="float64"),
            keras.layers.Dense(N_OUT, dtype="float64"),
            keras.layers.Activation("linear", dtype="float64")]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(model path, Network, windows x (10, T, F) saved as x.npy, the
    Keras model)."""
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(5)
    model = save_model(folder / "small.keras", forecaster(), rng)
    x = rng.normal(size=(10, T, F))
    np.save(folder / "x.npy", x)
    return folder / "small.keras", from_keras_model(model), x, model


def run(capsys, *argv):
    """main(argv) in this process: (exit status, stdout, stderr)."""
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_error_line(status, out, err, *needles):
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert out == ""
    for needle in needles:
        assert needle in err, (needle, err)


def weight_rows(out):
    """{(array, gate): (first column, end column, norm)} from the table."""
    pattern = (r"^  (kernel|recurrent_kernel|bias)\[(?::, )?(\d+):(\d+)\]"
               r"\s+([ifco])\s.*norm (\S+)$")
    return {(m[1], m[4]): (int(m[2]), int(m[3]), float(m[5]))
            for m in re.finditer(pattern, out, re.M)}


def lag_table(out):
    """{column name: values in lag order}, and the lag labels."""
    lines = out.splitlines()
    start = next(k for k, line in enumerate(lines)
                 if line.startswith("  lag"))
    names = lines[start].split()[1:]
    rows = []
    for line in lines[start + 1:]:
        if not line.startswith("  t-"):
            break  # the table's end
        rows.append(line.split())
    values = np.array([[float(v) for v in row[1:]] for row in rows])
    return ({name: values[:, k] for k, name in enumerate(names)},
            [row[0] for row in rows])


def keras_f(model, x, output):
    """Forecast ``output`` of windows x (batch, T, F) by the Keras model."""
    return np.asarray(model(x))[:, output]


def occlusion_by_keras(model, x, output, baseline=0.0):
    """f(x) - f(x with step t set to the baseline (zeros by default)),
    (batch, T). The T versions of each window with one step cut, and the
    window itself, go through Keras as one batch (a window's forecast
    depends on that window alone)."""
    batch, T = x.shape[:2]
    base = np.broadcast_to(baseline, x.shape[1:])
    cut = np.repeat(x[None], T + 1, axis=0)  # (T + 1, batch, T, F)
    for t in range(T):
        cut[t, :, t] = base[t]  # cut[T] stays x
    f = keras_f(model, cut.reshape(-1, *x.shape[1:]), output).reshape(
        T + 1, batch)
    return (f[T] - f[:T]).T


def shapley_by_formula(model, x, output, baseline=0.0):
    """phi_t = sum over coalitions S of the other steps of
    |S|! (T - |S| - 1)! / T! (v(S + t) - v(S)), where v(S) is the Keras
    forecast with the steps outside S at the baseline (zeros by default),
    the 2^T coalitions of every window in one batch. (batch, T)."""
    T = x.shape[1]
    coalitions = [frozenset(S) for size in range(T + 1)
                  for S in combinations(range(T), size)]
    windows = np.empty((len(coalitions), *x.shape))
    for k, S in enumerate(coalitions):
        windows[k] = np.broadcast_to(baseline, x.shape)
        windows[k][:, sorted(S)] = x[:, sorted(S)]
    values = keras_f(model, windows.reshape(-1, *x.shape[1:]),
                     output).reshape(len(coalitions), len(x))
    v = dict(zip(coalitions, values))
    phi = np.zeros(x.shape[:2])
    for t in range(T):
        others = [s for s in range(T) if s != t]
        for size in range(T):
            weight = (math.factorial(size) * math.factorial(T - size - 1)
                      / math.factorial(T))
            for S in map(frozenset, combinations(others, size)):
                phi[:, t] += weight * (v[S | {t}] - v[S])
    return phi


def ig_tape(model, x, base, n, output=0):
    """(x - x') * integral_0^1 df/dx(x' + a (x - x')) da by
    tf.GradientTape on the Keras model, the integral by n-point
    Gauss-Legendre (NumPy's nodes mapped to [0, 1]); x' = base. Every
    node's windows go through one tape: a window's forecast depends on
    that window alone, so the gradient of the batch's sum is each
    window's own gradient. (batch, T, F)."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    base = np.broadcast_to(base, x.shape)
    alphas = (nodes + 1) / 2
    points = tf.constant((base + alphas[:, None, None, None] * (x - base))
                         .reshape(-1, *x.shape[1:]))
    with tf.GradientTape() as tape:
        tape.watch(points)
        y = tf.reduce_sum(model(points)[:, output])
    grads = np.asarray(tape.gradient(y, points)).reshape(n, *x.shape)
    return (x - base) * np.tensordot(weights / 2, grads, axes=1)


def ig_by_tape(model, x, output, n=32, baseline=0.0):
    """ig_tape with n = 32 nodes, the rule the command starts with, the
    baseline zeros by default, checked for completeness on the way."""
    ig = ig_tape(model, x, baseline, n, output)
    # control on the reference itself: completeness, f(x) - f(x')
    np.testing.assert_allclose(
        ig.sum(axis=(1, 2)), keras_f(model, x, output)
        - keras_f(model, np.broadcast_to(baseline, x.shape), output),
        rtol=0, atol=1e-9)
    return ig


def expected_per_lag(model, net, x, output, baseline=0.0):
    """Mean over windows of |attribution|, rows t-1 ... t-T, each worked
    out through the Keras model, except LRP's (see below)."""
    per_step = {
        "integrated_gradients": np.abs(ig_by_tape(
            model, x, output, baseline=baseline)).sum(axis=2),
        "occlusion": np.abs(occlusion_by_keras(model, x, output, baseline)),
        "shapley": np.abs(shapley_by_formula(model, x, output, baseline)),
        # Plumbing only: LRP has no reference outside its own rules, which
        # tests/test_exact_rules.py works in Fractions and
        # tests/test_attribution.py checks for conservation; here the
        # column must be lstmref's numbers, averaged and ordered by lag.
        "lrp": np.abs(A.lrp(net, x, output=output)).sum(axis=2),
        # Plumbing too: CD's values are checked against Murdoch et al.'s
        # rules in fractions (test_exact_rules, and the cd column itself in
        # test_cd_column_is_murdoch_et_als_rule_worked_in_fractions).
        "cd": np.abs(np.stack([A.contextual_decomposition(
            net, x, [t], output=output)[0] for t in range(x.shape[1])],
            axis=1))}
    return {name: v.mean(axis=0)[::-1] for name, v in per_step.items()}


def test_weight_table_gives_each_gates_columns_and_block_norms(small,
                                                               capsys):
    path, net, _, _ = small
    status, out, _ = run(capsys, "explain", path, "--data",
                         path.parent / "x.npy", "--method", "occlusion")
    assert status == 0
    rows = weight_rows(out)
    p = net.params
    assert len(rows) == 12
    for name, array in (("kernel", p.kernel),
                        ("recurrent_kernel", p.recurrent_kernel),
                        ("bias", p.bias)):
        for k, gate in enumerate("ifco"):
            first, end, norm = rows[name, gate]
            assert (first, end) == (k * UNITS, (k + 1) * UNITS)
            block = array[..., first:end]
            np.testing.assert_allclose(norm, np.linalg.norm(block),
                                       **PRINTED)


@pytest.mark.parametrize("output,baseline", [(0, "mean"), (1, "mean"),
                                             (0, "zeros")])
def test_per_lag_table_equals_each_method_worked_through_keras(
        small, capsys, output, baseline):
    """The default baseline is each feature's mean over every step of
    every window, computed here by NumPy; "zeros" is zeros."""
    path, net, x, model = small
    options = [] if baseline == "mean" else ["--baseline", baseline]
    status, out, _ = run(capsys, "explain", path, "--data",
                         path.parent / "x.npy", "--output", output, *options)
    assert status == 0
    table, lags = lag_table(out)
    assert lags == [f"t-{k}" for k in range(1, T + 1)]
    base = x.mean(axis=(0, 1)) if baseline == "mean" else np.zeros(F)
    expected = expected_per_lag(model, net, x, output, base)
    assert list(table) == list(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(table[name], values, **PRINTED)


@pytest.mark.parametrize("methods,columns", [
    (["ig"], ["integrated_gradients"]),
    (["lrp", "occlusion"], ["occlusion", "lrp"]),
    (["shapley", "--method", "ig"], ["integrated_gradients", "shapley"]),
    (["all"], ["integrated_gradients", "occlusion", "shapley", "lrp",
               "cd"]),
    (["cd", "ig"], ["integrated_gradients", "cd"]),
])
def test_method_option_picks_the_columns(small, capsys, methods, columns):
    path, _, _, _ = small
    status, out, _ = run(capsys, "explain", path, "--data",
                         path.parent / "x.npy", "--method", *methods)
    assert status == 0
    assert list(lag_table(out)[0]) == columns


def test_shapley_is_skipped_with_its_reason_for_long_windows(tmp_path,
                                                             capsys):
    rng = np.random.default_rng(6)
    steps = A.MAX_SHAPLEY_STEPS + 1
    save_model(tmp_path / "long.keras", forecaster(), rng, steps)
    x = rng.normal(size=(2, steps, F))
    np.save(tmp_path / "x.npy", x)
    status, out, _ = run(capsys, "explain", tmp_path / "long.keras",
                         "--data", tmp_path / "x.npy", "--method",
                         "shapley", "occlusion", "lrp")
    assert status == 0
    table, lags = lag_table(out)  # the methods after shapley still run
    assert list(table) == ["occlusion", "lrp"] and len(lags) == steps
    assert f"shapley: skipped (exact Shapley values need 2^T passes per " \
           f"window; T={steps} > {A.MAX_SHAPLEY_STEPS})" in " ".join(
               out.split("\n  "))  # the line wrapped at 79 characters
    assert out.splitlines()[-1] == (  # 77 characters: one line
        f"shapley: skipped (exact Shapley values need 2^T passes per "
        f"window; T={steps} > {A.MAX_SHAPLEY_STEPS})")


@pytest.mark.parametrize("form", ["npy 3-D", "npy 2-D", "csv with header",
                                  "csv without header"])
def test_data_formats_give_the_same_numbers(small, tmp_path, capsys, form):
    path, net, x, model = small
    window = x[3]  # (T, F)
    if form == "npy 3-D":
        data, x = tmp_path / "w.npy", x[2:5]
        np.save(data, x)
    elif form == "npy 2-D":
        data, x = tmp_path / "w.npy", window[None]
        np.save(data, window)
    else:
        data, x = tmp_path / "w.csv", window[None]
        header = "a,b,c,d\n" if form == "csv with header" else ""
        rows = "\n".join(",".join(map(repr, row.tolist())) for row in window)
        data.write_text(header + rows + "\n")
    status, out, _ = run(capsys, "explain", path, "--data", data,
                         "--method", "ig", "shapley", "--baseline", "zeros")
    assert status == 0
    table, _ = lag_table(out)
    expected = {
        "integrated_gradients": np.abs(ig_by_tape(model, x, 0)).sum(
            axis=2).mean(axis=0)[::-1],
        "shapley": np.abs(shapley_by_formula(model, x, 0)).mean(
            axis=0)[::-1]}
    for name in ("integrated_gradients", "shapley"):
        np.testing.assert_allclose(table[name], expected[name], **PRINTED)


def test_plot_option_writes_a_png(small, tmp_path, capsys):
    path, _, _, _ = small
    plot = tmp_path / "lags.png"
    status, out, _ = run(capsys, "explain", path, "--data",
                         path.parent / "x.npy", "--plot", plot)
    assert status == 0 and f"plot saved to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_bars_only_when_asked_or_on_a_tty(small, capsys):
    path, _, _, _ = small
    argv = ["explain", path, "--data", path.parent / "x.npy", "--method",
            "ig", "lrp"]
    assert run(capsys, *argv)[2] == ""  # capsys's stderr is no TTY
    status, _, err = run(capsys, *argv, "--progress")
    assert status == 0
    for name in ("integrated_gradients", "lrp"):
        assert f"\r{name:<21} [{'#' * 24}] 1/1" in err


def test_lambda_layer_is_refused_and_never_run(tmp_path, capsys):
    marker = str(tmp_path / "lambda_ran")
    rng = np.random.default_rng(7)
    # If Keras ran the lambda, it would leave the file ``marker`` behind.
    save_model(tmp_path / "lambda.keras", [*forecaster(), keras.layers.Lambda(
        lambda t: (open(marker, "w").close(), t)[1])], rng)
    np.save(tmp_path / "x.npy", rng.normal(size=(2, T, F)))
    (tmp_path / "lambda_ran").unlink()  # building the model called it
    status, out, err = run(capsys, "explain", tmp_path / "lambda.keras",
                           "--data", tmp_path / "x.npy")
    # (Keras numbers the layer's name by the Lambdas made before it)
    assert_one_error_line(status, out, err, "lambda.keras: refusing to read "
                          "the model: layer 'lambda", "(Lambda, position ",
                          "never runs code")
    assert not (tmp_path / "lambda_ran").exists()
    # The marker is real: loading without safe mode does run the lambda.
    keras.saving.load_model(tmp_path / "lambda.keras", compile=False,
                            safe_mode=False)
    assert (tmp_path / "lambda_ran").exists()


def test_a_gru_is_refused_naming_the_layer(tmp_path, capsys):
    """Stacked LSTMs are read now (tests/test_architectures.py); a GRU
    under them is refused with its name, position and what is read."""
    rng = np.random.default_rng(8)
    save_model(tmp_path / "two.keras", [
        keras.layers.LSTM(3, return_sequences=True, dtype="float64",
                          name="first_lstm"),
        keras.layers.GRU(2, dtype="float64", name="the_gru"),
        keras.layers.Dense(1, dtype="float64")], rng)
    np.save(tmp_path / "x.npy", rng.normal(size=(2, T, F)))
    status, out, err = run(capsys, "explain", tmp_path / "two.keras",
                           "--data", tmp_path / "x.npy")
    assert_one_error_line(status, out, err, "two.keras: expected one of "
                          "the layers lstmref reads, got the layer "
                          "'the_gru' (GRU, position 2 from 0)",
                          "Bidirectional(LSTM)")


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    """A folder of data and model files with something wrong in each."""
    folder = tmp_path_factory.mktemp("bad")
    rng = np.random.default_rng(9)
    np.save(folder / "three_features.npy", rng.normal(size=(4, T, 3)))
    np.save(folder / "six_steps.npy", rng.normal(size=(4, 6, F)))
    np.save(folder / "objects.npy", np.array([{"a": 1}]), allow_pickle=True)
    np.save(folder / "nan.npy", np.full((T, F), np.nan))
    (folder / "three.csv").write_text("1,2,3\n" * T)
    (folder / "short.csv").write_text("1,2,3,4\n" * (T - 1))
    (folder / "words.csv").write_text("a,b,c,d\n1,2,3,4\nx,2,3,4\n")
    (folder / "ragged.csv").write_text("1,2,3,4\n1,2,3\n")
    (folder / "x.txt").write_text("1,2,3,4\n")
    (folder / "junk.keras").write_text("not a zip")
    return folder


GOOD = ["{model}", "--data", "{x}"]
#: name: (arguments after "explain", what the error line must say)
MISTAKES = {
    "missing model": (["{bad}/nothing.keras", "--data", "{x}"],
                      ["nothing.keras: no such model file"]),
    "model is a folder": (["{bad}", "--data", "{x}"],
                          ["expected a model file, got a directory"]),
    "model not a zip": (["{bad}/junk.keras", "--data", "{x}"],
                        ["junk.keras: expected a Keras model file"]),
    "missing data": (["{model}", "--data", "{bad}/nothing.npy"],
                     ["nothing.npy: no such data file"]),
    "feature count": (
        ["{model}", "--data", "{bad}/three_features.npy"],
        ["three_features.npy: expected windows of shape (batch, 5, 4) or "
         "one window (5, 4) for this model, got shape (4, 5, 3)"]),
    "window length": (["{model}", "--data", "{bad}/six_steps.npy"],
                      ["six_steps.npy", "got shape (4, 6, 4)"]),
    "pickled objects": (["{model}", "--data", "{bad}/objects.npy"],
                        ["objects.npy: cannot read it as .npy"]),
    "not finite": (["{model}", "--data", "{bad}/nan.npy"],
                   ["nan.npy: expected finite numbers"]),
    "csv feature count": (
        ["{model}", "--data", "{bad}/three.csv"],
        ["three.csv: expected 4 feature columns for this model"]),
    "csv rows": (["{model}", "--data", "{bad}/short.csv"], ["got 4 rows"]),
    "csv words": (["{model}", "--data", "{bad}/words.csv"],
                  ["words.csv: line 3: column 'a': expected a number"]),
    "csv ragged": (["{model}", "--data", "{bad}/ragged.csv"],
                   ["ragged.csv: line 2: expected 4 columns"]),
    "data suffix": (["{model}", "--data", "{bad}/x.txt"],
                    ["x.txt: expected a .npy or .csv file"]),
    "output too big": (
        [*GOOD, "--output", str(N_OUT)],
        [f"--output {N_OUT}: expected an index from 0 to {N_OUT - 1} "
         f"(the model has {N_OUT} outputs)"]),
    "output negative": ([*GOOD, "--output", "-1"], ["--output -1"]),
    "output not int": ([*GOOD, "--output", "a"], ["--output: invalid int"]),
    "unknown method": ([*GOOD, "--method", "shap"], ["invalid choice"]),
    "plot folder": ([*GOOD, "--plot", "{bad}/no/p.png"],
                    ["no such directory"]),
    "plot suffix": ([*GOOD, "--plot", "{bad}/p.jpeg"],
                    ["expected a plot file ending in one of .png"]),
    "no data option": (["{model}"], ["required: --data"]),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_one_error_line_and_status_2(small, bad_files,
                                                     capsys, mistake):
    path, _, _, _ = small
    args, needles = MISTAKES[mistake]
    names = {"model": path, "x": path.parent / "x.npy", "bad": bad_files}
    status, out, err = run(capsys, "explain",
                           *[a.format(**names) for a in args])
    assert_one_error_line(status, out, err, *needles)


#: The whole error line of each mistake whose text is lstmref's own
#: (argparse's are its own wording, checked above by their needles);
#: "pickled objects" ends in NumPy's reason, left out here.
FULL_ERRORS = {
    "missing model": "{bad}/nothing.keras: no such model file",
    "model is a folder": "{bad}: expected a model file, got a directory",
    "model not a zip": "{bad}/junk.keras: expected a Keras model file, a "
                       ".keras (zip archive) or .h5 (HDF5), got a file that "
                       "is neither (or one cut short)",
    "missing data": "{bad}/nothing.npy: no such data file",
    "feature count": "{bad}/three_features.npy: expected windows of shape "
                     "(batch, 5, 4) or one window (5, 4) for this model, "
                     "got shape (4, 5, 3)",
    "window length": "{bad}/six_steps.npy: expected windows of shape "
                     "(batch, 5, 4) or one window (5, 4) for this model, "
                     "got shape (4, 6, 4)",
    "pickled objects": "{bad}/objects.npy: cannot read it as .npy: ",
    "not finite": "{bad}/nan.npy: expected finite numbers, got nan at "
                  "window, step, feature (0, 0, 0)",
    "csv feature count": "{bad}/three.csv: expected 4 feature columns for "
                         "this model (its input_dim), got 3 (0 to 2)",
    "csv rows": "{bad}/short.csv: expected one window of 5 rows x 4 "
                "columns for this model, got 4 rows x 4 columns",
    "csv words": "{bad}/words.csv: line 3: column 'a': expected a number, "
                 "got 'x'",
    "csv ragged": "{bad}/ragged.csv: line 2: expected 4 columns like the "
                  "first row, got 3",
    "data suffix": "{bad}/x.txt: expected a .npy or .csv file, got .txt",
    "output too big": "--output 2: expected an index from 0 to 1 (the "
                      "model has 2 outputs)",
    "output negative": "--output -1: expected an index from 0 to 1 (the "
                       "model has 2 outputs)",
    "plot folder": "{bad}/no/p.png: no such directory {bad}/no",
    "plot suffix": "{bad}/p.jpeg: expected a plot file ending in one of "
                   ".png, .svg, .pdf",
}


@pytest.mark.parametrize("mistake", FULL_ERRORS)
def test_each_mistake_reads_in_full(small, bad_files, capsys, mistake):
    path = small[0]
    args, _ = MISTAKES[mistake]
    names = {"model": path, "x": path.parent / "x.npy", "bad": bad_files}
    status, out, err = run(capsys, "explain",
                           *[a.format(**names) for a in args])
    expected = "error: " + FULL_ERRORS[mistake].format(bad=bad_files)
    assert status == 2 and out == ""
    if mistake == "pickled objects":
        assert err.startswith(expected), err
    else:
        assert err == expected + "\n"


def test_no_command_is_one_error_line(capsys):
    assert_one_error_line(*run(capsys), "required: command")


def test_unexpected_exceptions_are_not_hidden(small, capsys, monkeypatch):
    path, _, _, _ = small

    def broken(*args):
        raise RuntimeError("a bug, not a user's mistake")

    method = dataclasses.replace(cli.METHODS["ig"], attribute=broken)
    monkeypatch.setitem(cli.METHODS, "ig", method)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["explain", str(path), "--data",
                  str(path.parent / "x.npy")])


def test_cli_imports_keras_and_matplotlib_only_when_run():
    code = ("import sys, lstmref.cli; print([m for m in ('keras', "
            "'tensorflow', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"


def test_python_m_lstmref_explain_on_the_books_model(tmp_path):
    """End to end, in a new process, on the book's forecaster (random
    weights): exit 0, nothing on stderr, the tables, the plot."""
    rng = np.random.default_rng(10)
    model = weather.build_forecaster(T, units=4)
    model.set_weights([rng.normal(0, 0.6, w.shape)
                       for w in model.get_weights()])
    model.save(tmp_path / "book.keras")
    scaled, _, _ = weather.standardize(weather.load_weather()["features"])
    x, _ = weather.make_windows(scaled[:30], T)
    np.save(tmp_path / "windows.npy", x)
    result = subprocess.run(
        [sys.executable, "-m", "lstmref", "explain", "book.keras", "--data",
         "windows.npy", "--output", "3", "--plot", "lags.png"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert (result.returncode, result.stderr) == (0, "")
    assert "LSTM layer 'lstm': units 4, input_dim 4" in result.stdout
    table, lags = lag_table(result.stdout)
    assert len(lags) == T
    expected = expected_per_lag(model, from_keras_model(model), x, 3,
                                x.mean(axis=(0, 1)))
    for name, values in expected.items():
        np.testing.assert_allclose(table[name], values, **PRINTED)
    assert (tmp_path / "lags.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_a_tf_keras_file_with_keras2_hard_sigmoid_is_explained_as_tf_keras_computes(
        tmp_path, capsys, suffix):
    """A file saved by tf_keras (Keras 2's format, hard_sigmoid 0.2x + 0.5):
    explain reads it as data and its occlusion column equals the one worked
    out through tf_keras's own model."""
    import tf_keras
    rng = np.random.default_rng(10)
    model = tf_keras.Sequential([
        tf_keras.Input((T, F), dtype="float64"),
        tf_keras.layers.LSTM(3, recurrent_activation="hard_sigmoid",
                             dtype="float64", name="old_lstm"),
        tf_keras.layers.Dense(2, dtype="float64")])
    model.set_weights([rng.normal(0, 0.6, w.shape)
                       for w in model.get_weights()])
    path = tmp_path / f"old{suffix}"
    model.save(path)
    x = rng.normal(size=(6, T, F))
    np.save(tmp_path / "x.npy", x)
    status, out, _ = run(capsys, "explain", path, "--data",
                         tmp_path / "x.npy", "--output", 1, "--method",
                         "occlusion")
    assert status == 0
    assert "LSTM layer 'old_lstm'" in out
    assert "recurrent_activation hard_sigmoid_keras2" in out
    table, _ = lag_table(out)
    base = x.mean(axis=(0, 1))  # the default baseline
    expected = np.abs(occlusion_by_keras(model, x, 1, base)).mean(
        axis=0)[::-1]
    np.testing.assert_allclose(table["occlusion"], expected, **PRINTED)


def test_explain_imports_neither_keras_nor_tensorflow(small):
    """The model file is read as data: a fresh Python that runs explain
    end to end has imported no Keras, TensorFlow or tf_keras."""
    import subprocess
    import sys
    path, _, _, _ = small
    code = ("import sys\nfrom lstmref import cli\n"
            f"status = cli.main(['explain', {str(path)!r}, '--data', "
            f"{str(path.parent / 'x.npy')!r}, '--method', 'occlusion'])\n"
            "print(status, sorted(m for m in ('keras', 'tensorflow', "
            "'tf_keras') if m in sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "0 []"


def test_json_results_hold_keras_predictions_and_per_output_importance(
        small, capsys, tmp_path):
    """--json: prediction equals Keras's model(x) in the order given;
    importance[method][lag][output] equals each method worked out through
    Keras (t-1 first) against the mean baseline NumPy computes here, for
    every output; the baseline and the windows are stated; the IG gap is
    IG's completeness error, tiny with 32 Gauss-Legendre nodes on this
    small model, and Shapley's efficiency error is round-off."""
    path, _, x, model = small
    target = tmp_path / "r.json"
    status, out, _ = run(capsys, "explain", path, "--data",
                         path.parent / "x.npy", "--method", "ig",
                         "occlusion", "shapley", "--json", target)
    assert status == 0 and f"results saved to {target}" in out
    record = json.loads(target.read_text())
    assert set(record) == {
        "prediction", "importance", "baseline", "baseline_values",
        "interval_half_width", "interval", "gap", "ig_relative_gap",
        "ig_steps", "windows", "windows_total", "sample_seed", "features",
        "tolerance"}
    np.testing.assert_allclose(record["prediction"], np.asarray(model(x)),
                               rtol=0, atol=1e-12)
    base = x.mean(axis=(0, 1))
    assert record["baseline"] == "mean"
    np.testing.assert_allclose(record["baseline_values"], base, rtol=1e-14)
    assert record["windows"] == list(range(len(x)))
    assert record["windows_total"] == len(x)
    assert record["sample_seed"] is None
    for k in range(N_OUT):
        occ = np.abs(occlusion_by_keras(model, x, k, base)).mean(
            axis=0)[::-1]
        np.testing.assert_allclose(
            np.array(record["importance"]["occlusion"])[:, k], occ,
            rtol=1e-10, atol=1e-12)
        ig = ig_by_tape(model, x, k, baseline=base)
        np.testing.assert_allclose(
            np.array(record["importance"]["integrated_gradients"])[:, k],
            np.abs(ig).sum(axis=2).mean(axis=0)[::-1], rtol=1e-8,
            atol=1e-12)
        change = keras_f(model, x, k) - keras_f(
            model, np.broadcast_to(base, x.shape), k)
        gap = np.max(np.abs(ig.sum(axis=(1, 2)) - change)) / np.max(
            np.abs(change))
        np.testing.assert_allclose(
            record["gap"]["integrated_gradients"][k], gap, rtol=1e-3,
            atol=1e-12)  # both at 32 steps: equal up to round-off of a
        # difference of close numbers (1e-16 |change| / gap, hence 1e-3)
        assert record["gap"]["shapley"][k] < 1e-12
        assert record["gap"]["occlusion"][k] is None
        assert record["ig_steps"][k] == [32, 32]
    assert record["ig_relative_gap"] == max(
        record["gap"]["integrated_gradients"])
    assert 0 <= record["ig_relative_gap"] < 1e-8


def test_a_json_path_that_cannot_be_written_fails_before_any_work(
        small, capsys, tmp_path):
    path, _, _, _ = small
    for bad, needle in ((tmp_path / "no" / "r.json", "no such directory"),
                        (tmp_path / "r.txt", "ending in .json"),
                        (tmp_path, "ending in .json")):
        status, out, err = run(capsys, "explain", path, "--data",
                               tmp_path / "missing.npy", "--json", bad)
        # the data file does not exist either: the path is checked first
        assert_one_error_line(status, out, err, needle)


def test_cd_column_is_murdoch_et_als_rule_worked_in_fractions(
        tmp_path, capsys):
    """The cd column of a tf_keras file holding test_exact_rules' one-unit
    network (linear cell, Keras 2's hard_sigmoid, fraction weights) is
    |relevant part| of each step alone, as that test works it out in
    exact arithmetic from Murdoch et al. (2018), with no lstmref code."""
    import tf_keras
    import test_exact_rules as exact
    model = tf_keras.Sequential([
        tf_keras.Input((len(exact.X), 1), dtype="float64"),
        tf_keras.layers.LSTM(1, activation="linear",
                             recurrent_activation="hard_sigmoid",
                             dtype="float64"),
        tf_keras.layers.Dense(1, dtype="float64")])
    model.set_weights([np.array([[float(v) for v in exact.W]]),
                       np.array([[float(v) for v in exact.U]]),
                       np.array([float(v) for v in exact.B]),
                       np.array([[float(exact.D)]]),
                       np.array([float(exact.DB)])])
    model.save(tmp_path / "one.h5")
    np.save(tmp_path / "x.npy", np.array([[[float(v)] for v in exact.X]]))
    status, out, err = run(capsys, "explain", tmp_path / "one.h5", "--data",
                           tmp_path / "x.npy", "--method", "cd")
    assert status == 0, err
    table, _ = lag_table(out)
    T = len(exact.X)
    expected = [abs(float(exact.cd_by_hand({t})[0]))
                for t in reversed(range(T))]  # t-1 first
    np.testing.assert_allclose(table["cd"], expected, **PRINTED)
    assert "cd: decomposition: relevant + irrelevant = f(x)" in out


def test_cd_is_skipped_on_a_stack_with_the_reason(tmp_path, capsys):
    rng = np.random.default_rng(12)
    save_model(tmp_path / "two.keras", [
        keras.layers.LSTM(3, return_sequences=True, dtype="float64"),
        keras.layers.LSTM(2, dtype="float64"),
        keras.layers.Dense(1, dtype="float64")], rng)
    np.save(tmp_path / "x.npy", rng.normal(size=(3, T, F)))
    status, out, _ = run(capsys, "explain", tmp_path / "two.keras",
                         "--data", tmp_path / "x.npy", "--method", "cd",
                         "occlusion")
    assert status == 0
    # the note wrapped at 79 characters, the lines after the first
    # indented by two spaces
    assert out.splitlines()[-3:] == [
        "cd: skipped (contextual decomposition is defined here for one LSTM "
        "layer",
        "  returning its last output, then one Dense layer; got Recurrent -> "
        "Recurrent",
        "  -> Dense)"]


def test_every_line_of_prose_in_a_sampled_run_reads_as_written(
        small, capsys, tmp_path):
    """The words around the numbers, line by line (the numbers themselves
    are checked against Keras above): what was read and explained, the
    baseline with each feature's mean (NumPy's, here), the table's
    heading, the gaps' legend, the intervals' heading; and the JSON's
    description of its intervals and its tolerance."""
    path, _, x, _ = small
    data, target = path.parent / "x.npy", tmp_path / "r.json"
    status, out, err = run(capsys, "explain", path, "--data", data,
                           "--sample", 4, "--seed", 2, "--method",
                           "occlusion", "shapley", "--json", target)
    assert status == 0 and err == ""
    lines = out.split("\n")
    names = [f"column {k}" for k in range(F)]
    means = ", ".join(f"{n} = {v:.4g}" for n, v in
                      zip(names, x.mean(axis=(0, 1))))
    start = lines.index("") + 1  # after the weight table
    assert lines[start:start + 5] == [
        f"data: {data}, 10 window(s) of {T} steps x {F} features "
        f"({', '.join(names)})",
        "explained 4 of 10 windows, sampled with seed 2",
        "baseline: mean, each feature's mean over every step of the 10 "
        f"windows ({means})",
        "",
        "Importance of each past step for output 0: mean over 4 window(s)"]
    assert lines[start + 5:start + 8] == [
        "of |attribution| (summed over features for integrated_gradients "
        "and lrp;",
        "cd: the relevant part of each step alone), and each method's gap",
        "(last row)."]
    gap_row = start + 9 + T  # heading, T lags, then the gap row
    assert lines[gap_row].split()[:2] == ["gap", "-"]
    assert lines[gap_row + 1:gap_row + 5] == [
        "gap: max |sum - target| over the windows / max |target|; met if "
        "<= 1%",
        "  occlusion: no guarantee (-)",
        "  shapley: efficiency: sum = f(x) - f(baseline)",
        "95% intervals of the means above (normal: mean +- 1.96 s/sqrt(n), "
        "n = 4): half-widths"]
    assert lines[-2:] == [f"results saved to {target}", ""]
    record = json.loads(target.read_text())
    assert record["interval"] == (
        "normal 95%: mean +- 1.96 s/sqrt(n), s over the windows (ddof=1)")
    assert record["tolerance"] == 0.01
    assert record["sample_seed"] == 2 and record["windows_total"] == 10

