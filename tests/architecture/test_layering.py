"""The package's import graph flows one way (docs/architecture.md): each layer imports only
the layers below it, and no two modules import each other, even through others or inside a
function. A new import against the flow fails here, naming the importing line."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "gis_app"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "config", "i18n", "errors", "models", "locales", "geodesy"),
    ("db", "reports"),
    ("ingest", "raster", "analysis", "accounts"),
    ("layers", "land", "queries", "imdf", "dxf", "editing"),
    ("maps", "ogc", "xlsx"),
    ("http", "schemas"),
    ("api", "web"),
    ("app",),
    ("cli", "__main__"),
)
"""Lowest first. Packages on one line may import each other only where no cycle results."""
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if not node.level:
            base = node.module or ""
        else:
            here = module.split(".") if is_package else module.split(".")[:-1]
            here = here[: len(here) - (node.level - 1)]
            base = ".".join([*here, *([node.module] if node.module else [])])
        return [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return []


def _graph() -> tuple[dict[str, dict[str, int]], set[str]]:
    """module → {imported gis_app module: line}, and every module of the package."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            for name in _imported(node, module, is_package):
                if name in files and name != module:
                    edges[module].setdefault(name, node.lineno)
    return edges, set(files)


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_has_a_layer() -> None:
    _, modules = _graph()
    assert {_package(m) for m in modules} - LEVEL.keys() == set()


def test_no_import_runs_against_the_flow() -> None:
    edges, _ = _graph()
    upward = [
        f"{source}:{line} imports {target}"
        for source, targets in edges.items()
        for target, line in targets.items()
        if LEVEL[_package(target)] > LEVEL[_package(source)]
    ]
    assert upward == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` (its nodes in order), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_packages_import_each_other_in_one_direction() -> None:
    edges, _ = _graph()
    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            if _package(source) != _package(target):
                packages[_package(source)].add(_package(target))
    assert _cycle(packages) is None


def test_no_module_imports_itself_through_others() -> None:
    """Module cycles, leaving out a module's import of its own package's `__init__` (which
    `from gis_app.x import y` names too)."""
    edges, _ = _graph()
    graph = {
        source: {t for t in targets if t != source.rsplit(".", 1)[0]}
        for source, targets in edges.items()
    }
    assert _cycle(graph) is None


@pytest.mark.parametrize(
    "domain", ["ingest", "raster", "analysis", "accounts", "land", "imdf", "dxf"]
)
def test_domain_packages_draw_nothing(domain: str) -> None:
    """Drawing and HTTP live at the edge: a domain package imports no folium and no FastAPI."""
    found = []
    for path in (PACKAGE / domain).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            for name in _imported(node, _module_name(path), path.name == "__init__.py"):
                if name.split(".")[0] in ("folium", "fastapi", "starlette", "branca"):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {name}")
    assert found == []
