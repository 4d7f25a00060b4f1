"""main.py as a user runs it: a screenshot offscreen, a clear word without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(overrides)
    return env


def test_app_screenshot_renders_main_window(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path / "d"), "--screenshot", str(shot)],
        cwd=ROOT,
        env=_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert image.width() >= 800
    assert image.height() >= 500
    # Not a blank canvas: the sidebar and the page differ in colour.
    assert image.pixelColor(20, 300) != image.pixelColor(700, 300)


def test_app_without_display_explains_instead_of_aborting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path / "d")],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no display" in result.stderr
    assert "xvfb-run" in result.stderr
