"""The package seams, read from the source (ast): no import circle, ``retrieval`` never imports ``bot``, and ``bot``
reaches retrieval only through the ``retrieval`` package's public API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("retrieval", "bot")


def _module_name(path: Path) -> str:
    """``retrieval/engines/bm25s.py`` → ``retrieval.engines.bm25s``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``import from`` names (relative imports resolved against ``module``)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` (and any ``retrieval``/``bot`` module) that ``module`` imports, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
    return {m for m in out if m.split(".")[0] in PACKAGES}


def graph() -> dict[str, set[str]]:
    """Module → the project modules it imports (a parent package's ``__init__`` is not counted as imported by its
    own submodules: Python runs it first, but it is no edge of the import graph written in the code)."""
    modules = _modules()
    known = set(modules)
    return {name: imports(name, path, known) - {name} for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every group of more than one module that import each other, directly or through others, each sorted."""
    reach = {v: _reachable(edges, v) for v in edges}
    groups = {frozenset([v, *(w for w in reach[v] if v in reach.get(w, ()))]) for v in edges}
    return sorted(sorted(g) for g in groups if len(g) > 1)


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    """The modules ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        v = todo.pop()
        if v not in seen:
            seen.add(v)
            todo.extend(edges.get(v, ()))
    return seen


def test_there_is_no_import_circle() -> None:
    assert cycles(graph()) == []


def test_retrieval_never_imports_bot() -> None:
    wrong = {m: sorted(i for i in deps if i.split(".")[0] == "bot") for m, deps in graph().items() if m.startswith("retrieval")}
    assert {m: deps for m, deps in wrong.items() if deps} == {}


def test_bot_uses_retrieval_only_through_its_package_api() -> None:
    wrong = {m: sorted(i for i in deps if i.startswith("retrieval.")) for m, deps in graph().items() if m.startswith("bot")}
    assert {m: deps for m, deps in wrong.items() if deps} == {}


def test_the_checks_see_a_circle_and_a_reach_past_the_api() -> None:
    """The walker itself: a planted circle is found, and a relative import resolves to the module it names."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    node = ast.parse("from ..index import Hit").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve("retrieval.engines.bm25s", False, node) == "retrieval.index"
    assert _resolve("retrieval.engines", True, ast.parse("from .base import Engine").body[0]) == "retrieval.engines.base"  # type: ignore[arg-type]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_seen(package: str) -> None:
    assert any(name.startswith(f"{package}.") for name in graph())
