"""The layers' import rules, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "console"


def _package(path: Path) -> list[str]:
    """The dotted package a module's relative imports resolve against."""
    parts = ["console", *path.relative_to(ROOT).with_suffix("").parts]
    return parts if path.name == "__init__.py" else parts[:-1]


def _imports(path: Path, package: list[str] | None = None) -> set[str]:
    """Every module a file names in an import, anywhere in it (functions, TYPE_CHECKING).

    Relative imports are resolved (`from ..store import db` inside
    console/views is `console.store` and `console.store.db`); a from-import
    also yields `module.name`, since the name may be a submodule
    (`from console import store`). `package`: what relative imports resolve
    against (default: the file's own package under console/).
    """
    names: set[str] = set()
    if package is None:
        package = _package(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                parent = package[: len(package) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            if node.module or node.level:
                names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


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


def test_layers_imports_follow_relative_imports(tmp_path: Path) -> None:
    """The walker resolves relative imports the way Python does."""
    source = tmp_path / "page.py"
    source.write_text(
        "from ...store import db\nfrom .. import bridge\nfrom . import domains\n"
        "def later() -> None:\n    from ...store.models import Message\n",
        encoding="utf-8",
    )
    names = _imports(source, package=["console", "views", "deploy"])
    assert {"console.store", "console.store.db", "console.store.models"} <= names
    assert {"console.views.bridge", "console.views.deploy.domains"} <= names


def test_layers_views_import_neither_store_nor_sqlalchemy() -> None:
    """Views read through the services' query functions, which return plain data."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            i for i in _imports(p) if _within(i, "console.store", "sqlalchemy")
        )
        for p in _modules("views")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


#: Modules of the services or the store allowed to import the sandbox, the
#: composition root or the app, each with its reason. Empty: none needs to
#: (the embedded sandboxes are started by the composition root).
ALLOWED_UPWARD_IMPORTS: dict[str, tuple[frozenset[str], str]] = {}


@pytest.mark.parametrize("folder", ["services", "store"])
def test_layers_services_and_store_import_no_sandbox_composition_or_app(folder: str) -> None:
    forbidden = ("console.sandbox", "console.composition", "console.app")
    offenders: dict[str, list[str]] = {}
    for path in _modules(folder):
        name = str(path.relative_to(ROOT))
        allowed, _reason = ALLOWED_UPWARD_IMPORTS.get(name, (frozenset(), ""))
        bad = sorted(i for i in _imports(path) if _within(i, *forbidden) and i not in allowed)
        if bad:
            offenders[name] = bad
    assert offenders == {}
