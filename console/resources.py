"""Load the UI's resources: theme tokens, the stylesheet, icons."""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from console.paths import resources_dir


def is_dark(app: QGuiApplication) -> bool:
    """Whether the system colour scheme is dark (the theme the console paints in)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


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
