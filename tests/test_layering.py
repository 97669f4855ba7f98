"""The package's import rules, read from the code (``ast``), lazy imports included.

The tree reads as the data flow: ``spec`` -> ``generate`` -> ``engine`` (through ``drivers``)
-> ``report``, the caller's side (``callers``) apart, the two faces (``cli``,
``pytest_plugin``) on top. ALLOWED says which parts each part may import; nothing imports a
face; no import circle anywhere, between parts or between files.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kustomer_contract"
GROUND = {"_core", "errors"}
ALLOWED = {
    "_core": set(),
    "errors": {"_core"},
    "spec": GROUND,
    "generate": GROUND | {"spec"},
    "drivers": GROUND | {"spec"},
    "engine": GROUND | {"spec", "generate", "drivers"},
    "reference": GROUND | {"spec", "engine"},  # a conformant implementation, run by the engine
    "report": GROUND | {"spec", "generate", "engine", "drivers"},
    "callers": GROUND | {"spec", "generate", "engine", "drivers", "report"},
    "strategies": {"generate"},  # the documented import paths of old, re-exports only
    "runner": {"engine"},
    "": {"errors"},  # __init__: names the public API, loads it lazily
}
FACES = {"cli", "pytest_plugin"}
EVERYTHING = set(ALLOWED) - {""}


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
                targets = [f"{head}.{a.name}".strip(".") for a in node.names]
                targets = [t for t in targets if t in modules] or [
                    head
                ]  # modules, or names of head
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "kustomer_contract"
            ):
                head = node.module.removeprefix("kustomer_contract").strip(".")
                targets = [f"{head}.{a.name}".strip(".") for a in node.names]
                targets = [t for t in targets if t in modules] or [head]
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


def _part(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_is_read() -> None:
    graph = _imports()
    assert {"engine.settings", "cli.params"} <= graph["cli.check"]
    assert "engine.settings" in graph["pytest_plugin"] and "spec.types" in graph["spec.loader"]


def test_each_part_imports_only_what_it_may() -> None:
    allowed = {**ALLOWED, "cli": EVERYTHING, "pytest_plugin": EVERYTHING}
    broken = sorted(
        f"{module} imports {used}"
        for module, uses in _imports().items()
        for used in uses
        if _part(used) != _part(module) and _part(used) not in allowed[_part(module)]
    )
    assert not broken, broken


def test_nothing_imports_the_two_faces() -> None:
    importers = {
        m
        for m, used in _imports().items()
        for u in used
        if _part(u) in FACES and _part(m) != _part(u)
    }
    assert not importers, importers


def test_no_import_circle() -> None:
    graph = _imports()
    parts = {_part(m): set() for m in graph}
    for module, uses in graph.items():
        parts[_part(module)] |= {_part(u) for u in uses} - {_part(module)}
    assert _circles(graph) == [] and _circles(parts) == []


def test_the_public_api_resolves_and_ships_typed() -> None:
    import kustomer_contract

    for name in kustomer_contract.__all__:
        assert getattr(kustomer_contract, name) is not None, name
    assert (PACKAGE / "py.typed").exists()


def test_the_three_drivers_have_every_method_of_the_driver_protocol() -> None:
    """The attributes are held by mypy (open_driver returns each as a Driver); the methods
    here, so a driver that lacks one fails without a type checker too."""
    from kustomer_contract.drivers.base import Driver
    from kustomer_contract.drivers.node import NodeDriver
    from kustomer_contract.drivers.page import PageDriver
    from kustomer_contract.drivers.python import PythonDriver

    methods = [n for n, v in vars(Driver).items() if callable(v) and not n.startswith("_")]
    assert {"call", "new_instance", "running", "shutdown"} <= set(methods)
    for driver in (NodeDriver, PageDriver, PythonDriver):
        assert [m for m in methods if not callable(getattr(driver, m, None))] == [], driver
