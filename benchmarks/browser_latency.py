"""How long the static site's explorers take per slider move, in Chromium.

The page is made the way the book makes it: ``lstmref.explorer``'s HTML,
the real ``lstmref/web/lstm-explorer.js`` and its CSS, in Debian's
headless Chromium (playwright). For each explorer a slider is moved
``MOVES`` times by dispatching the input event a reader's drag fires; the
explorer times its own handler (``lastUpdateMs``: the LSTM recomputed over
every step, then the whole canvas redrawn). Goal (issue: widgets): at most
16 ms per update, one frame at 60 Hz.

run.py's line on other processes' CPU share counts Chromium's own
processes among them, so it reads high for this section.

Explorers: the cell explorer (``explorer.STEPS`` steps, all twelve
sliders), a gate explorer (the forget gate's three) and the model
explorer on a model of the book's forecaster's shape (8 units, 4 inputs,
5 steps, 4 outputs).
"""

import statistics
import sys
from pathlib import Path

import numpy as np

from common import random_network, report
from lstmref import explorer

ROOT = Path(__file__).resolve().parents[1]

TITLE = "Live explorers in Chromium: time per slider move"
MOVES = 200
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-sync",
        "--disable-component-update"]

MOVE = """([index, moves]) => {
  const root = document.querySelectorAll('.lstm-explorer')[index];
  const slider = root.querySelector('input[type=range]');
  const lo = Number(slider.min), hi = Number(slider.max);
  const times = [];
  for (let k = 0; k < moves; k++) {
    slider.value = lo + (hi - lo) * ((k * 37) % moves) / moves;
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    times.push(root.lstmExplorer.lastUpdateMs);
  }
  return times;
}"""


def pages():
    """The three explorers' HTML, in the order of the rows."""
    latch = explorer.PRESETS["latch on a pulse"]
    network = random_network(np.random.default_rng(5))  # 8 units, 4 in
    x = np.random.default_rng(6).normal(size=(5, 4))
    return [
        (f"cell explorer, {explorer.STEPS} steps",
         explorer.cell_config(latch["weights"], input=latch["input"])),
        (f"gate explorer (f), {explorer.STEPS} steps",
         explorer.cell_config(latch["weights"], input="weather",
                              sliders=("W_f", "U_f", "b_f"),
                              presets=False, focus="f")),
        ("model explorer, 8 units, 5 steps",
         explorer.model_config(network.params, x, network.dense_kernel,
                               network.dense_bias)),
    ]


def run():
    from playwright.sync_api import sync_playwright
    configs = pages()
    html = "".join(explorer.static_html(c) for _, c in configs)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 900})
        page.set_content(f"<!doctype html><html><body>{html}</body></html>")
        page.add_style_tag(path=str(ROOT / "lstmref/web/lstm-explorer.css"))
        page.add_script_tag(path=str(ROOT / "lstmref/web/lstm-explorer.js"))
        for index, (name, _) in enumerate(configs):
            page.evaluate(MOVE, [index, 20])  # warm-up: JIT, fonts
            times = page.evaluate(MOVE, [index, MOVES])
            rows.append({"explorer": name, "moves": MOVES,
                         "median_ms": statistics.median(times),
                         "max_ms": max(times)})
        browser.close()
    return rows


def table(rows):
    lines = ["| explorer | moves | median ms | max ms | goal |",
             "|---|---:|---:|---:|---|"]
    for r in rows:
        ok = "met" if r["max_ms"] <= 16 else "MISSED"
        lines.append(f"| {r['explorer']} | {r['moves']} | "
                     f"{r['median_ms']:.2f} | {r['max_ms']:.2f} | "
                     f"<= 16 ms: {ok} |")
    return "\n".join(lines)


if __name__ == "__main__":
    report([sys.modules[__name__]])  # this section alone, as run.py does
