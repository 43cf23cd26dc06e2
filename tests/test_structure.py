"""The shape of the code: small modules, one-way imports, checks at the door.

These are the house rules of STYLE.md that a test can hold: no module of
``lstmref`` over 350 lines, no import cycle among the project's Python
files (imports inside functions count too), the loop's gate order named
once with its inverse, and a public function checks its arguments once,
not again in every private kernel it calls.
"""

import ast
from pathlib import Path

import numpy as np
import pytest

import lstmref
from lstmref import _checks, attribution, grad, layer
from lstmref.params import GATES

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 350
# Folders whose modules import each other by plain name (run as scripts,
# or put on sys.path by conftest.py / Sphinx).
SCRIPT_FOLDERS = ("benchmarks", "tests", "book/_ext", "binder")


def project_files():
    """Every Python file of the project that is ours (not the venv's)."""
    skip = {".venv", "_build", "node_modules", ".git", "_vendor"}
    return sorted(p for p in ROOT.rglob("*.py")
                  if not skip & set(p.relative_to(ROOT).parts))


def module_name(path):
    """'lstmref/layouts/keras.py' -> 'lstmref.layouts.keras'; scripts of
    SCRIPT_FOLDERS are named 'folder:stem'."""
    rel = path.relative_to(ROOT)
    for folder in SCRIPT_FOLDERS:
        if rel.parent == Path(folder):
            return f"{folder}:{rel.stem}"
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path, known):
    """The project modules ``path`` imports, anywhere in the file."""
    name = module_name(path)
    package = name.split(":")[0] if ":" in name else (
        name if path.name == "__init__.py" else name.rpartition(".")[0])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module
            # "from . import attribution" names modules, too
            targets = [stem] + [f"{stem}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if ":" in name:  # a script: sibling scripts by plain name
                sibling = f"{name.split(':')[0]}:{target}"
                if sibling in known:
                    found.add(sibling)
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def test_no_module_of_lstmref_is_longer_than_350_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "lstmref").rglob(
        "*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_import_cycle_among_the_projects_python_files():
    files = project_files()
    known = {module_name(p) for p in files}
    graph = {module_name(p): imports_of(p, known) for p in files}
    # A package imports its own submodules (re-exports); a submodule that
    # imports its package's __init__ back is what makes a cycle.
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):
                continue  # a package's __init__ importing its own parts
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_finder_sees_a_cycle(tmp_path, monkeypatch):
    """The control: two scripts importing each other are found."""
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "a.py").write_text("import b\n")
    (folder / "b.py").write_text("def f():\n    from a import g\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="import cycles"):
        test_no_import_cycle_among_the_projects_python_files()


def test_scan_order_and_its_inverse_read_each_gate_back():
    """Blocks marked with their gate's number come back by name."""
    u = 3
    packed = np.repeat(np.arange(4.0), u)[None]  # [0 0 0 1 1 1 2 2 2 3..]
    loop = packed[:, layer._scan_columns(u)]
    assert loop[0].tolist() == [GATES.index(g) for g in layer.SCAN_ORDER
                                for _ in range(u)]
    assert layer.SCAN_ORDER[:3] == ("i", "f", "o")  # the sigma gates first
    for k, gate in enumerate(GATES):
        np.testing.assert_array_equal(layer._gate_block(loop, gate, u),
                                      np.full((1, u), k))


def counting(monkeypatch, module, name):
    """Replace ``module.name`` by a wrapper that counts its calls."""
    calls = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.fixture
def net():
    rng = np.random.default_rng(5)
    params = lstmref.LSTMParams(rng.normal(size=(2, 12)),
                                rng.normal(size=(3, 12)),
                                rng.normal(size=12))
    return lstmref.Network(params, rng.normal(size=(3, 2)),
                           rng.normal(size=2))


@pytest.mark.parametrize("method", ["integrated_gradients", "occlusion",
                                    "shapley_steps", "lrp"])
def test_attribution_checks_its_arguments_once(net, method, monkeypatch):
    x = np.random.default_rng(6).normal(size=(4, 5, 2))
    outputs = [counting(monkeypatch, m, "_check_output")
               for m in (attribution, grad)]
    finite = [counting(monkeypatch, m, "check_finite")
              for m in (attribution, _checks)]
    getattr(attribution, method)(net, x, output=1)
    assert sum(map(len, outputs)) == 1
    # x once, never the windows built from it (IG's path: 32 x the data)
    checked = [args[0] for calls in finite for args in calls]
    assert len(checked) == 1 and checked[0].shape == x.shape


def test_input_gradient_checks_its_arguments_once(net, monkeypatch):
    x = np.random.default_rng(7).normal(size=(4, 5, 2))
    outputs = counting(monkeypatch, grad, "_check_output")
    finite = counting(monkeypatch, _checks, "check_finite")
    grad.input_gradient(net, x, 1)
    assert len(outputs) == 1 and len(finite) == 1
