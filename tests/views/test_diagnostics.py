"""Settings > Diagnostics shows the console's own figures and recent errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.errors import NetworkError
from console.views.messages import MessageBridge
from console.views.settings.diagnostics import DiagnosticsPanel, SyncFigures


def test_diagnostics_shows_lag_sync_and_errors(qtbot: QtBot, tmp_path: Path) -> None:
    messages = MessageBridge()
    figures = SyncFigures(
        "Offline, 3 waiting to send", False, 3, datetime(2026, 11, 23, tzinfo=UTC)
    )
    panel = DiagnosticsPanel(
        messages, lambda: figures, log_file=tmp_path / "console.log", data_dir=tmp_path
    )
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: len(panel.probe.lags_ms) >= 3, timeout=3000)
    panel.refresh()
    assert panel.lag_label.text().startswith("p50 ")
    assert "offline" in panel.sync_label.text()
    assert panel.outbox_label.text() == "3 waiting to be sent"

    messages.show_error(NetworkError("platform did not answer", remote="platform"))
    assert "NetworkError: platform: platform did not answer" in panel.errors_list.item(0).text()

    panel.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "Outbox: 3 waiting to be sent" in copied
    assert str(tmp_path / "console.log") in copied
