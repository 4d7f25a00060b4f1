"""No import cycle between the app object and the composition root.

`console.app` paints the window shell and then imports `console.composition`
(inside a function, after the first paint); the composition root must not
import the app back, directly or through another console module. Every
import counts: module-level, function-level, under `TYPE_CHECKING`, relative.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "console"


def _module_path(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(source: str, package: str) -> set[str]:
    """Every module named by an import in `source`, anywhere in its body.

    `package` is the package relative imports resolve against. For
    `from a import b` both `a` and `a.b` are listed (b may be a submodule).
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    """The console modules `module` imports anywhere in its body."""
    path = _module_path(module)
    if path is None:
        return frozenset()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = _imported_names(path.read_text(encoding="utf-8"), package)
    return frozenset(m for m in found if m.startswith("console") and _module_path(m))


def reaches(start: str, target: str) -> list[str] | None:
    """An import chain from `start` to `target` through console modules, or None."""
    seen = {start}
    stack = [[start]]
    while stack:
        chain = stack.pop()
        for nxt in sorted(imports_of(chain[-1])):
            if nxt == target:
                return [*chain, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append([*chain, nxt])
    return None


def test_import_cycles_app_imports_composition_lazily() -> None:
    # The seam this test guards: the app does import the composition root.
    assert "console.composition" in imports_of("console.app")


def test_import_cycles_composition_never_imports_app() -> None:
    assert "console.app" not in imports_of("console.composition")
    chain = reaches("console.composition", "console.app")
    assert chain is None, " -> ".join(chain or [])


def test_import_cycles_reader_sees_every_import_form() -> None:
    # A cycle must not hide behind a function-level, TYPE_CHECKING or relative import.
    source = """
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from console.views import main_window
def late():
    import console.config
    from ... import app
    from ...store.db import Store
    from . import sync
"""
    found = _imported_names(source, "console.services.sync")
    assert {
        "console.views.main_window",
        "console.config",
        "console.app",
        "console.store.db",
        "console.services.sync.sync",
    } <= found
