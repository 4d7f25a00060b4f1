"""Locate resources/ and templates/ (source checkout or installed wheel) and load them.

In a checkout they sit beside the package; a wheel maps them into
`console/_data/` (pyproject's hatch force-include).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

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


@cache
def theme_tokens(dark: bool) -> dict[str, str]:
    path = resources_dir() / "styles" / ("dark.json" if dark else "light.json")
    tokens: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return tokens


def stylesheet(dark: bool) -> str:
    text = (resources_dir() / "styles" / "base.qss").read_text(encoding="utf-8")
    for key, value in theme_tokens(dark).items():
        text = text.replace("{" + key + "}", value)
    return text


@cache
def icon(name: str, dark: bool = False, *, tint: bool = True, size: int = 48) -> QIcon:
    """An SVG icon from resources/icons, tinted with the theme's icon colour.

    The SVGs are drawn in black; tinting paints the colour through their
    alpha, so one file serves both themes.
    """
    renderer = QSvgRenderer(str(resources_dir() / "icons" / f"{name}.svg"))
    tokens = theme_tokens(dark)

    def draw(colour: str | None) -> QPixmap:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        if colour is not None:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
            painter.fillRect(pixmap.rect(), QColor(colour))
        painter.end()
        return pixmap

    result = QIcon(draw(tokens["icon"] if tint else None))
    if tint:
        result.addPixmap(draw(tokens["accent_fg"]), QIcon.Mode.Selected)
    return result
