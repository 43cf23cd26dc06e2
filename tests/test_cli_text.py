"""The explain command's two tables, character for character.

The layout is the README's: the weight table names each gate's columns
with their block's Frobenius norm; the lag table right-aligns each
method's column in at least 14 characters (12 and two spaces). Expected
lines are written out here by hand, the norms by NumPy.
"""

import re

import numpy as np
import pytest

from lstmref.cli.reporting import lag_table, weight_table
from helpers import random_params


def norm_text(a, k):
    """The printed norm of gate k's block of a two-unit array."""
    return f"{np.linalg.norm(a[..., 2 * k:2 * k + 2]):.6g}"


def test_weight_table_text_for_a_layer_with_and_without_bias():
    rng = np.random.default_rng(81)
    for use_bias in (True, False):
        p = random_params(rng, 2, 1, use_bias=use_bias)
        names = ["input gate   ", "forget gate  ", "candidate    ",
                 "output gate  "]
        expected = [
            "LSTM layer 'lstm': units 2, input_dim 1, activation tanh, "
            "recurrent_activation sigmoid",
            "Weights by gate (columns of each array, Keras order i, f, c, "
            "o; norm: Frobenius)"]
        for label, a in (("kernel", p.kernel),
                         ("recurrent_kernel", p.recurrent_kernel)):
            for k, gate in enumerate("ifco"):
                where = f"{label}[:, {2 * k}:{2 * k + 2}]"
                expected.append(f"  {where.ljust(26)}{gate}  {names[k]}"
                                f"norm {norm_text(a, k)}")
        if use_bias:
            for k, gate in enumerate("ifco"):
                where = f"bias[{2 * k}:{2 * k + 2}]"
                expected.append(f"  {where.ljust(26)}{gate}  {names[k]}"
                                f"norm {norm_text(p.bias, k)}")
        else:
            expected.append("  bias: none (use_bias=False)")
        assert weight_table(p).split("\n") == expected


def test_lag_table_columns_are_14_wide_or_the_name_and_two():
    columns = {"occlusion": np.array([1.5, -0.25]),
               "integrated_gradients": np.array([0.125, 2.0])}
    assert lag_table(columns, 2).split("\n") == [
        "  lag " + " " * 5 + "occlusion" + "  integrated_gradients",
        "  t-1 " + " " * 11 + "1.5" + " " * 17 + "0.125",
        "  t-2 " + " " * 9 + "-0.25" + " " * 21 + "2"]


def test_npy_reader_names_an_npz_archive_and_a_non_number_dtype(tmp_path):
    import pytest
    from lstmref.cli.data import _read_npy
    from lstmref.cli.reading import UsageError
    archive = tmp_path / "two.npz"
    np.savez(archive, a=np.zeros(2), b=np.ones(2))
    with pytest.raises(UsageError) as error:
        _read_npy(archive)
    assert str(error.value) == (
        f"{archive}: expected one array (.npy), got an .npz archive of "
        "several")
    words = tmp_path / "words.npy"
    np.save(words, np.array(["a", "b"]))
    with pytest.raises(UsageError) as error:
        _read_npy(words)
    assert str(error.value) == (
        f"{words}: expected real numbers, got dtype <U1")
    ints = tmp_path / "ints.npy"
    np.save(ints, np.arange(3))
    got = _read_npy(ints)  # memory-mapped, as saved
    assert isinstance(got, np.memmap) and got.tolist() == [0, 1, 2]


def test_weight_table_keeps_a_space_before_the_gate_at_any_unit_count():
    """At 10+ units "recurrent_kernel[:, 30:40]" is 26 characters: the
    column widens so the gate letter never touches it."""
    for units in (1, 9, 10, 100, 1000):
        p = random_params(np.random.default_rng(82), units, 1)
        rows = weight_table(p).split("\n")[2:]
        assert len(rows) == 12
        for row, gate in zip(rows, "ifco" * 3):
            found = re.match(r"  (kernel|recurrent_kernel|bias)\[(:, )?"
                             r"\d+:\d+\] +([ifco])  ", row)
            assert found and found.group(3) == gate, row


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    import lstmref.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "explain", interrupted)
    status = cli.main(["explain", "model.keras", "--data", "x.npy"])
    out, err = capsys.readouterr()
    assert status == 130 and out == "" and err == "interrupted\n"


def test_csv_blank_lines_and_empty_fields_are_errors_naming_the_line(
        tmp_path):
    import pytest
    from lstmref.cli.data import _read_csv
    from lstmref.cli.reading import UsageError
    cases = {
        "blank.csv": ("1\n2\n\n3\n4\n",
                      "line 3: expected numbers separated by commas, got a "
                      "blank line"),
        "spaces.csv": ("t\n1\n  \n3\n",
                       "line 3: expected numbers separated by commas, got a "
                       "blank line"),
        "empty.csv": ("1,2\n3,\n", "line 2: column 1: expected a number, "
                      "got an empty field"),
        "first.csv": ("1,,2\n3,4,5\n", "line 1: column 1: expected a "
                      "number, got an empty field"),
        "named.csv": ("day,rain\nmon,1\ntue,\n", "line 3: column 'rain': "
                      "expected a number, got an empty field"),
        "nan.csv": ("a,b\n1,2\n3,nan\n", "line 3: column 'b': expected a "
                    "finite number, got 'nan'"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(UsageError) as error:
            _read_csv(path)
        assert str(error.value) == f"{path}: {message}"


def test_csv_header_and_trailing_blank_lines_are_not_data(tmp_path):
    from lstmref.cli.data import _read_csv
    path = tmp_path / "ok.csv"
    path.write_text("rain,temp\n1.5,2\n-3,4e1\n\n\n")
    table, names, lines, notes = _read_csv(path)
    assert table.tolist() == [[1.5, 2.0], [-3.0, 40.0]]
    assert names == ["rain", "temp"] and lines == [2, 3] and notes == []


def test_gap_row_and_its_notes_text():
    """The gap row prints 2 significant digits, "-" without a guarantee;
    the notes say each guarantee, IG's steps, and warn in one line."""
    from lstmref.cli.methods import METHODS
    from lstmref.cli.reporting import gap_notes
    from lstmref.cli.running import Summary
    columns = {"integrated_gradients": np.array([1.0]),
               "occlusion": np.array([2.0])}
    assert lag_table(columns, 1, {"integrated_gradients": 0.01234,
                                  "occlusion": None}).split("\n")[-1] == (
        "  gap " + " " * 17 + "0.012" + " " * 13 + "-")
    one = np.ones(1)
    summaries = {"integrated_gradients": Summary(one, one, 0.0312, (32, 1024),
                                                 3),
                 "occlusion": Summary(one, one, None),
                 "shapley": Summary(one, one, 1e-16),
                 "lrp": Summary(one, one, 0.05, None, 2)}
    lines, warnings = gap_notes(
        [METHODS["ig"], METHODS["occlusion"], METHODS["shapley"],
         METHODS["lrp"]], summaries)
    assert lines == [
        "gap: max |sum - target| over the windows / max |target|; met if "
        "<= 1%",
        "  integrated_gradients: completeness: sum = f(x) - f(baseline); 32 "
        "to 1024 Gauss-Legendre steps",
        "  occlusion: no guarantee (-)",
        "  shapley: efficiency: sum = f(x) - f(baseline)",
        "  lrp: conservation: sum + initial state's share = f(x)"]
    assert warnings == [
        "warning: integrated_gradients: completeness gap 3.12% is over 1% "
        "on 3 window(s), even at 1024 steps (the cap)",
        "warning: lrp: conservation gap 5.00% is over 1% on 2 window(s)"]


def readme_help():
    """The README's copy of the two help texts: {argv: text}."""
    from pathlib import Path
    # the repository's README: one folder up, or two when mutmut runs
    # the tests from its copy in mutants/
    readme = next(folder / "README.md" for folder in
                  Path(__file__).resolve().parents[1:3]
                  if (folder / "README.md").exists()).read_text()
    block = readme.split("<!-- help: ")[1].split("```\n")[1]
    found, argv = {}, None
    for line in block.splitlines(keepends=True):
        if line.startswith("$ python -m lstmref"):
            argv = tuple(line.split()[4:])
            found[argv] = ""
        else:
            found[argv] += line
    return {argv: text.rstrip("\n") + "\n" for argv, text in found.items()}


@pytest.mark.parametrize("argv", [("--help",), ("explain", "--help")])
def test_help_is_the_text_the_readme_shows(argv, monkeypatch, capsys):
    """Every option's help, metavar and default, word for word as the
    README documents them (80 columns wide): a change to one is a change
    the README must show too."""
    from lstmref import cli
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as done:
        cli.main(list(argv))
    assert done.value.code == 0
    assert capsys.readouterr().out == readme_help()[argv]
