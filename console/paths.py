"""Where resources/ and templates/ are: a source checkout or an installed wheel.

Qt-free, so services (the scaffold generator) can find templates too. In a
checkout they sit beside the package; a wheel maps them into
`console/_data/` (pyproject's hatch force-include).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ not found beside {_PACKAGE}")


def resources_dir() -> Path:
    return _locate("resources")


def templates_dir() -> Path:
    return _locate("templates")
