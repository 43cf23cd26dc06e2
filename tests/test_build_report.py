"""The build prints how long each chapter took to execute.

book/_ext/exec_times.py prints the table at the end of the build and
writes it to ``_build/exec_times.txt`` beside the site. The session's
build (the ``book`` fixture) executes every chapter, so each chapter with
code must say ``executed now`` with a positive time.
"""

import re

import yaml

from conftest import ROOT, toc_files

TITLE = "Execution time per chapter (seconds)"
ROW = re.compile(r"^(?P<doc>\S+) +(?P<seconds>-|\d+\.\d) +(?P<how>.+)$")


def report_lines(log):
    """The table's lines in a build log: title, header, rows, total."""
    lines = log.splitlines()
    assert TITLE in lines, "no execution time table in the build log"
    start = lines.index(TITLE)
    end = next(k for k in range(start, len(lines))
               if lines[k].startswith("total "))
    return lines[start:end + 1]


def has_code(docname):
    return "```{code-cell}" in (ROOT / f"{docname}.md").read_text()


def test_log_has_one_timed_row_per_chapter_in_toc_order(book):
    assert book["returncode"] == 0, book["log"][-3000:]
    lines = report_lines(book["log"])
    rows = [ROW.match(line) for line in lines[2:-1]]
    assert None not in rows, lines
    chapters = list(toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text())))
    assert [row["doc"] for row in rows] == chapters
    with_code = {row["doc"]: row for row in rows if has_code(row["doc"])}
    assert with_code, "no chapter executes code"
    for doc, row in with_code.items():
        assert row["how"] == "executed now", doc
        assert float(row["seconds"]) > 0, doc
    for row in rows:
        if row["doc"] not in with_code:
            assert row["how"] == "no code to execute", row["doc"]
    total = float(lines[-1].split()[1])
    shown = sum(float(row["seconds"]) for row in with_code.values())
    assert abs(total - shown) <= 0.05 * len(with_code)  # rounding of rows


def test_table_is_written_beside_the_site(book):
    written = (book["html"].parent / "exec_times.txt").read_text()
    assert written.splitlines() == report_lines(book["log"])


def execution_order(log):
    """The chapters in the order the build executed them (the line
    book/_ext/read_order.py logs from MyST-NB's time stamps)."""
    [line] = re.findall(r"^Chapters executed in this order: (.+)$", log,
                        re.M)
    return line.split()


def test_chapters_without_keras_execute_after_those_with_it(book):
    """book/_ext/read_order.py: in an empty model cache the first chapter
    trains the model with Keras; it must be one that imports Keras
    anyway, so every setup(keras=False) chapter is read after the rest."""
    order = execution_order(book["log"])
    assert sorted(order) == sorted(
        doc for doc in toc_files(yaml.safe_load(
            (ROOT / "_toc.yml").read_text())) if has_code(doc))
    without = [doc for doc in order
               if "setup(keras=False)" in (ROOT / f"{doc}.md").read_text()]
    assert without, "no chapter reads the model without Keras"
    calls_keras = [doc for doc in order if doc not in without and
                   "s = setup()" in (ROOT / f"{doc}.md").read_text()]
    assert calls_keras, "no chapter calls setup() with Keras"
    assert max(order.index(d) for d in calls_keras) < min(
        order.index(d) for d in without), order
