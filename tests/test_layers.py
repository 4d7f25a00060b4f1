"""The layers' import rules, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "console"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["services", "store", "sandbox"])
def test_layers_no_qt_below_views(folder: str) -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if i.startswith("PySide6"))
        for p in _modules(folder)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_layers_store_imports_no_services_or_views() -> None:
    for path in _modules("store"):
        bad = [i for i in _imports(path) if i.startswith(("console.services", "console.views"))]
        assert not bad, f"{path}: {bad}"


def test_layers_views_call_no_vendor_libraries() -> None:
    for path in _modules("views"):
        bad = [i for i in _imports(path) if i.split(".")[0] in {"httpx", "github", "stripe"}]
        assert not bad, f"{path}: {bad}"


def test_layers_widgets_know_no_services_or_store() -> None:
    for path in _modules("views/widgets"):
        bad = [i for i in _imports(path) if i.startswith(("console.services", "console.store"))]
        assert not bad, f"{path}: {bad}"
