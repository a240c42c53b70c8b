"""The package's architecture, asserted from its import graph (every import, inside functions too).

Layers, lowest first: a module may import its own layer and lower ones, never a higher one, and the
graph has no cycle. The public API (``pytest_forgetting/__init__.py``) sits above everything.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "pytest_forgetting"

LAYERS: list[set[str]] = [
    {"errors", "version", "fileio", "text"},  # leaves
    {"suite"},                                # YAML -> Suite/Case, requests
    {"model"},                                # backends: know nothing of families or verdicts
    {"scoring"},                              # one module per family
    {"stats"},                                # paired tests, power, intervals, multiplicity
    {"records"},                              # results and baselines
    {"decide"},                               # the one decider, sweep, routing
    {"run"},                                  # evaluate(): execute, compare, decide, record
    {"report"},                               # renders the record
    {"plugin", "training"},                   # pytest glue; the Trainer callback
]
RANK = {top: i for i, tops in enumerate(LAYERS) for top in tops}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def _resolve(importer: str, is_pkg: bool, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The package modules an import statement loads (a name that is a submodule counts as one)."""
    if isinstance(node, ast.Import):
        return [a.name.removeprefix("pytest_forgetting").lstrip(".") for a in node.names
                if a.name == "pytest_forgetting" or a.name.startswith("pytest_forgetting.")]
    if node.level == 0:
        if not node.module or not (node.module == "pytest_forgetting" or node.module.startswith("pytest_forgetting.")):
            return []
        base = node.module.removeprefix("pytest_forgetting").lstrip(".")
    else:
        pkg = importer.split(".") if is_pkg else importer.split(".")[:-1]
        pkg = [p for p in pkg if p]
        up = node.level - 1
        pkg = pkg[: len(pkg) - up] if up else pkg
        base = ".".join([*pkg, *([node.module] if node.module else [])])
    out = [base]
    for alias in node.names:
        sub = f"{base}.{alias.name}" if base else alias.name
        if sub in MODULES:
            out.append(sub)
    return out


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        is_pkg = path.name == "__init__.py"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                deps.update(d for d in _resolve(name, is_pkg, node) if d in MODULES and d != name)
        graph[name] = deps
    return graph


def _top(module: str) -> str:
    return module.split(".")[0] if module else ""


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if m and _top(m) not in RANK)
    assert not missing, f"modules in no layer (add their folder to LAYERS): {missing}"


@pytest.mark.xfail(strict=True, reason="open (issue 28): the decider imports plugin.messages; suite.cases imports scorers")
def test_no_import_runs_up_a_layer():
    graph = import_graph()
    upward = sorted(f"{a} -> {b}" for a, deps in graph.items() if a for b in deps
                    if b and RANK[_top(b)] > RANK[_top(a)])
    assert upward == [], "imports from a lower layer to a higher one:\n" + "\n".join(upward)


@pytest.mark.xfail(strict=True, reason="open (issue 28): decider <-> plugin, suite.cases <-> scoring")
def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_graph_check_sees_imports_inside_functions():
    """The checks read imports inside functions too (a cycle hidden there is still a cycle)."""
    src = "def f():\n    from ..plugin.session import ForgettingSession\n"
    node = ast.parse(src).body[0].body[0]  # type: ignore[attr-defined]
    assert _resolve("suite.cases", False, node) == ["plugin.session"]
    assert RANK[_top("plugin.session")] > RANK[_top("suite.cases")]


def test_the_suite_layer_imports_no_scorer():
    """Families register their load hooks in ``suite.families``; the loader never reaches up for them."""
    graph = import_graph()
    up = sorted(f"{a} -> {b}" for a, deps in graph.items() if _top(a) == "suite" for b in deps
                if _top(b) == "scoring")
    assert up == [], "the suite layer imports scorers:\n" + "\n".join(up)


def test_the_model_layer_imports_nothing_above_it():
    """Backends take ``model.settings.ModelSettings``; they never read the plugin's options (issue 28)."""
    graph = import_graph()
    up = sorted(f"{a} -> {b}" for a, deps in graph.items() if _top(a) == "model" for b in deps
                if b and RANK[_top(b)] > RANK["model"])
    assert up == [], "the model layer imports from above it:\n" + "\n".join(up)


def undocumented(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, name)`` of each public module-level function or class, and public method of a public
    class, that has no docstring (public: the name does not start with ``_``)."""
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    out: list[tuple[int, str]] = []
    for node in tree.body:
        if not isinstance(node, defs) or node.name.startswith("_"):
            continue
        if ast.get_docstring(node) is None:
            out.append((node.lineno, node.name))
        if isinstance(node, ast.ClassDef):
            out += [(m.lineno, f"{node.name}.{m.name}") for m in node.body
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith("_")
                    and ast.get_docstring(m) is None]
    return out


def test_every_public_definition_has_a_docstring():
    """A reader meets the package through its public names; each says why it exists."""
    missing = [f"{path.relative_to(PKG.parent)}:{line} {name}" for _, path in sorted(MODULES.items())
               for line, name in undocumented(ast.parse(path.read_text("utf-8")))]
    assert missing == [], f"{len(missing)} public definitions without a docstring:\n" + "\n".join(missing)


def test_the_docstring_check_sees_methods_and_stubs_and_skips_private_names():
    src = ('def f():\n    pass\n\nasync def g():\n    """doc"""\n\ndef _h():\n    pass\n\n'
           'class C:\n    """doc"""\n    @property\n    def m(self): ...\n    def _p(self):\n        pass\n'
           '    def d(self):\n        """doc"""\n\nclass D:\n    x = 1\n\nclass _H:\n    def m(self):\n        pass\n')
    assert [name for _, name in undocumented(ast.parse(src))] == ["f", "C.m", "D"]
