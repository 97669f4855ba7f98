"""The package's import rules, read from the code (``ast``), lazy imports included.

The rules: ``errors`` and ``pointer`` import nothing of the package, ``options`` only
``errors``; nothing
imports the two faces (``cli``, ``pytest_plugin``); no import circle beyond the one still
being taken apart (KNOWN_CIRCLE, named so that a new circle or a fixed one shows here).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kustomer_contract"
# spec <-> schemas <-> speclint <-> strategies <-> model: the loader, the validators, the lint
# (which generates values) and the strategies lean on each other; the layout work splits them.
KNOWN_CIRCLE = frozenset({"model", "schemas", "spec", "speclint", "strategies"})


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module -> the package's modules it imports (``a.b`` for a file, folder for a package)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - node.level + 1]
                head = ".".join([*base, *(node.module.split(".") if node.module else [])])
                targets = [f"{head}.{a.name}".strip(".") for a in node.names] + [head]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "kustomer_contract"
            ):
                head = node.module.removeprefix("kustomer_contract").strip(".")
                targets = [f"{head}.{a.name}".strip(".") for a in node.names] + [head]
            elif isinstance(node, ast.Import):
                targets = [
                    a.name.removeprefix("kustomer_contract").strip(".")
                    for a in node.names
                    if a.name.startswith("kustomer_contract")
                ]
            found |= {t for t in targets if t in modules and t and t != name}
        graph[name] = found
    return graph


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative enough here)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read() -> None:
    graph = _imports()
    assert {"errors", "options"} <= graph["cli"] and "options" in graph["pytest_plugin"]


def test_the_primitives_stand_on_nothing_of_the_package() -> None:
    graph = _imports()
    assert graph["errors"] == set() and graph["pointer"] == set()
    assert graph["options"] == {"errors"}


def test_nothing_imports_the_two_faces() -> None:
    graph = _imports()
    importers = {m for m, used in graph.items() if used & {"cli", "pytest_plugin"}}
    assert importers <= {"__main__"}, importers


def test_no_import_circle_but_the_known_one() -> None:
    assert _circles(_imports()) in ([KNOWN_CIRCLE], []), _circles(_imports())


def test_the_public_api_resolves_and_ships_typed() -> None:
    import kustomer_contract

    for name in kustomer_contract.__all__:
        assert getattr(kustomer_contract, name) is not None, name
    assert (PACKAGE / "py.typed").exists()
