"""The four gate chapters keep the shape issue 12 gave them.

Each reads its model and data from the one setup, shows the cell diagram
with its own part highlighted, opens with learning objectives and closes
with a quiz whose answers are folded away, and holds the labels other
chapters link to. These tests read the chapters' source (no build).
"""

import re

import jupytext
import pytest

from conftest import ROOT

#: Each gate chapter and the part of the diagram it highlights.
HIGHLIGHT = {"forget_gate": "f", "input_gate": "i", "cell_state": "c_state",
             "output_gate": "o"}

#: Labels that other chapters link to, and the chapter that holds each.
LABELS = {"sec-forget-bias": "forget_gate", "sec-sigmoid-code": "forget_gate",
          "sec-memory-measure": "cell_state", "sec-carousel": "cell_state",
          "sec-update-bounds": "cell_state"}

#: Plumbing that lives in lstmref.story.setup() and nowhere in a chapter.
PLUMBING = ("cached_train_forecaster", "train_forecaster(", "import_keras",
            "load_weather", "standardize(", "N_TRAIN_DAYS")


#: ``s = setup()``, or ``setup(keras=False)`` in a chapter calling no Keras.
SETUP = re.compile(r"^s = setup\((keras=False)?\)", re.M)


def source(chapter):
    return (ROOT / "book" / f"{chapter}.md").read_text()


def code_cells(chapter):
    notebook = jupytext.read(ROOT / "book" / f"{chapter}.md")
    return [c for c in notebook.cells if c.cell_type == "code"]


@pytest.mark.parametrize("chapter", HIGHLIGHT)
def test_chapter_reads_model_and_data_from_the_one_setup(chapter):
    text = source(chapter)
    assert SETUP.search(text)
    assert [p for p in PLUMBING if p in text] == []
    # the first code cell is the setup, its input folded away
    first = code_cells(chapter)[0]
    assert SETUP.search(first.source)
    assert "hide-input" in first.metadata.get("tags", [])


@pytest.mark.parametrize("chapter", HIGHLIGHT)
def test_chapter_uses_the_books_one_window(chapter):
    """Real-weather figures come from s.run over s.window, not from a run
    of their own from 1 January."""
    text = source(chapter)
    assert "s.window" in text and "s.run" in text
    assert "lstmref.trace(x_2015" not in text
    assert "2015-01-01" not in text and "2015/01/01" not in text


@pytest.mark.parametrize("chapter, part", HIGHLIGHT.items())
def test_chapter_shows_the_diagram_with_its_part_highlighted(chapter, part):
    cells = [c for c in code_cells(chapter) if "show_cell(" in c.source]
    assert len(cells) == 1
    assert f'show_cell(highlight="{part}")' in cells[0].source
    assert cells[0].metadata.get("tags") == ["remove-input"]
    # at the start of the equations' section, before any literalinclude
    text = source(chapter)
    heading = re.search(r"^## The (equation|equations|update)$", text, re.M)
    assert heading is not None
    assert heading.start() < text.index("show_cell(") \
        < text.index("{literalinclude}")


@pytest.mark.parametrize("chapter", HIGHLIGHT)
def test_objectives_come_first_and_a_quiz_with_hidden_answers_last(chapter):
    text = source(chapter)
    objectives = text.index(":class: learning-objectives")
    first_section = re.search(r"^## ", text, re.M).start()
    assert objectives < first_section
    quiz = text.index(":class: quiz\n")
    answers = text.index(":class: dropdown quiz-answers")
    last_exercise = max(m.start() for m in re.finditer(
        r":::\{(exercise|solution)", text))
    assert last_exercise < quiz < answers
    questions = re.findall(r"^\d\. ", text[quiz:answers], re.M)
    given = re.findall(r"^\d\. ", text[answers:], re.M)
    assert 3 <= len(questions) <= 4
    assert len(given) == len(questions)


@pytest.mark.parametrize("label, chapter", LABELS.items())
def test_linked_labels_live_in_their_chapter(label, chapter):
    assert f"({label})=" in source(chapter)
    others = [c for c in HIGHLIGHT if c != chapter]
    assert all(f"({label})=" not in source(c) for c in others)


@pytest.mark.parametrize("chapter", HIGHLIGHT)
def test_cross_references_are_links_not_chapter_numbers(chapter):
    text = source(chapter)
    assert re.findall(r"[Cc]hapters? \d", text) == []
    assert "{doc}" not in text


def test_forget_bias_story_is_told_once():
    """Jozefowicz et al.'s result is cited in forget_gate only; the other
    gate chapters link to sec-forget-bias."""
    told = [c for c in HIGHLIGHT if "jozefowicz2015" in source(c)]
    assert told == ["forget_gate"]
    assert "{ref}`sec-forget-bias`" in source("cell_state")


def test_one_memory_measure():
    """Memory length is the time constant; no half-life or time to 1%.
    (Two exercise labels keep their old names, ch4-half-life and
    ch6-half-life, so that links to them keep working.)"""
    for chapter in HIGHLIGHT:
        text = re.sub(r"ch\d-half-life", "", source(chapter).lower())
        assert "half-life" not in text and "1%" not in text, chapter
    assert "time_constants" in source("cell_state")
