"""Summarise a mutmut 3 run from its results in mutants/ (make mutation).

    .venv/bin/python benchmarks/mutation_summary.py [--survivors]

Prints, per mutated module, how many mutants there are, how many have a
result, and how many were killed, survived or timed out; with
``--survivors``, the names of the surviving mutants (``mutmut show NAME``
prints a mutant's diff). mutmut's exit codes: 1 (a test failed) and 3
(pytest's internal error) count as killed, timeouts count as killed, as
mutmut's own table (mutmut.stats.status_by_exit_code) does; "no tests"
(no test reaches the mutant) counts as surviving.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".venv" / "lib" / "python3.11" / "site-packages"))
from mutmut.stats import status_by_exit_code  # noqa: E402  (after the venv's path)

KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests", "suspicious", "segfault"}
GROUPS = {
    "core": ("cell", "layer", "params", "activations", "grad", "layouts/",
             "derivatives", "_bptt", "_parallel"),
    "attribution, network, CLI": ("attribution", "network", "cli/"),
}


def group_of(module):
    for group, prefixes in GROUPS.items():
        if any(module.startswith(p) for p in prefixes):
            return group
    return "other"


def main(argv):
    rows, survivors = [], []
    for meta in sorted((ROOT / "mutants" / "lstmref").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = str(meta.relative_to(ROOT / "mutants" / "lstmref"))[:-5]
        done = {k: c for k, c in codes.items() if c is not None}
        status = {k: status_by_exit_code[c] for k, c in done.items()}
        killed = sum(s in KILLED for s in status.values())
        surv = [k for k, s in status.items() if s in SURVIVED]
        survivors += surv
        rows.append((module, len(codes), len(done), killed, len(surv)))
    print(f"{'module':28} {'mutants':>7} {'run':>5} {'killed':>6} "
          f"{'surv.':>5} {'score':>7}")
    totals = {}
    for module, n, run, killed, surv in rows:
        score = f"{100 * killed / run:.1f}%" if run else "-"
        print(f"{module:28} {n:7} {run:5} {killed:6} {surv:5} {score:>7}")
        t = totals.setdefault(group_of(module), [0, 0, 0, 0])
        for i, v in enumerate((n, run, killed, surv)):
            t[i] += v
    print()
    for group, (n, run, killed, surv) in totals.items():
        score = f"{100 * killed / run:.1f}%" if run else "-"
        print(f"{group:28} {n:7} {run:5} {killed:6} {surv:5} {score:>7}")
    if "--survivors" in argv:
        print("\nsurvivors:")
        print("\n".join(survivors))


if __name__ == "__main__":
    main(sys.argv[1:])
