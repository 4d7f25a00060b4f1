"""PySide6 6.12.0 aborts Python 3.11 after ~5,000 void-returning calls; 6.11.3 does not."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_pyside_survives_many_void_calls(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    for i in range(20_000):
        label.setText(str(i))
    assert label.text() == "19999"
