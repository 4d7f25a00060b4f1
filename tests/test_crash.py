"""The crash net, the hard-crash file and OS signals, in the test process.

pytest-qt installs its own `sys.excepthook` around each test and fails the
test on any exception Qt reports. The tests that raise in a real slot are
marked `qt_no_exception_capture`: there the hook under test is the console's.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from console import app as console_app
from console import interrupts
from console.crash import CrashNet, HardCrashFile
from console.interrupts import SignalHandler
from console.log import REDACTED
from console.store.recovery import Recovery
from console.views.report import Report, ReportKind
from console.views.report_dialog import ReportDialog, ReportPresenter

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


class _Source(QObject):
    fired = Signal()


def _fail_in_slot() -> None:
    raise ValueError(f"the platform refused the key {SECRET}")


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    widget.resize(900, 600)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def net(tmp_path: Path, window: QWidget) -> Iterator[tuple[CrashNet, ReportPresenter]]:
    crash_net = CrashNet(tmp_path / "logs" / "console.log")
    presenter = ReportPresenter(window)
    crash_net.crashed.connect(presenter.show)
    previous = (sys.excepthook, threading.excepthook)
    crash_net.install()
    yield crash_net, presenter
    crash_net.uninstall()
    assert (sys.excepthook, threading.excepthook) == previous


def _errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The unexpected errors the net logged, with their tracebacks; then expected."""
    found = [
        f"{r.getMessage()}\n{caplog.handler.formatter.formatException(r.exc_info)}"  # type: ignore[union-attr]
        for r in caplog.records
        if r.name == "console.crash" and r.levelname == "ERROR" and r.exc_info
    ]
    caplog.clear()
    return found


def _dialog(presenter: ReportPresenter) -> ReportDialog:
    assert presenter.current is not None
    return presenter.current


@pytest.mark.qt_no_exception_capture
def test_crash_slot_exception_reaches_dialog_and_log(
    qtbot: QtBot,
    net: tuple[CrashNet, ReportPresenter],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    _crash_net, presenter = net
    source = _Source()
    source.fired.connect(_fail_in_slot)

    # Raised inside Qt's loop, as a click handler would.
    QTimer.singleShot(0, source.fired.emit)
    qtbot.waitUntil(lambda: presenter.current is not None)

    dialog = _dialog(presenter)
    assert dialog.isVisible()
    assert "unexpected error while handling an event and carried on" in dialog.text_label.text()
    assert "ValueError: the platform refused the key [redacted]" in dialog.text_label.text()
    assert dialog.path_label.text() == f"Log file: {tmp_path / 'logs' / 'console.log'}"
    logged = _errors_logged(caplog)
    assert len(logged) == 1
    assert "Traceback" in logged[0]
    assert "_fail_in_slot" in logged[0]

    # The console keeps running: the loop goes on, and the next error joins
    # the open dialog instead of opening another.
    QTimer.singleShot(0, source.fired.emit)
    qtbot.waitUntil(dialog.more_label.isVisible)
    assert presenter.current is dialog
    assert dialog.more_label.text().startswith("1 more unexpected error since")
    assert len(_errors_logged(caplog)) == 1

    # "Copy details": versions and both tracebacks, and no secret.
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied == dialog.details()
    assert copied.startswith("L4YERCAK3 Console ")
    assert "\nQt 6." in copied
    assert copied.count("Traceback (most recent call last)") == 2
    assert SECRET not in copied
    assert SECRET not in dialog.text_label.text()
    assert REDACTED in copied


def test_crash_task_exception_reaches_dialog_and_log(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    net: tuple[CrashNet, ReportPresenter],
    run_async: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    crash_net, presenter = net
    qloop.set_exception_handler(crash_net.loop_exception_handler)

    async def refresh() -> None:
        raise KeyError("session s42")

    try:
        task = qloop.create_task(refresh(), name="refresh inbox")
        qtbot.waitUntil(task.done)
        del task  # nobody awaits it: asyncio reports its error when it is collected
        qtbot.waitUntil(lambda: gc.collect() >= 0 and presenter.current is not None)

        dialog = _dialog(presenter)
        assert "in the background task 'refresh inbox'" in dialog.text_label.text()
        assert "KeyError: 'session s42'" in dialog.text_label.text()
        logged = _errors_logged(caplog)
        assert len(logged) == 1
        assert "in refresh" in logged[0]
        # The loop carries on.
        assert run_async(asyncio.sleep(0, "still running")) == "still running"
    finally:
        qloop.set_exception_handler(None)


def test_crash_thread_exception_reaches_dialog(
    qtbot: QtBot, net: tuple[CrashNet, ReportPresenter], caplog: pytest.LogCaptureFixture
) -> None:
    _crash_net, presenter = net

    def importer() -> None:
        raise OSError("disk full")

    thread = threading.Thread(target=importer, name="importer")
    thread.start()
    thread.join(5)
    qtbot.waitUntil(lambda: presenter.current is not None)

    assert "in the background thread 'importer'" in _dialog(presenter).text_label.text()
    assert len(_errors_logged(caplog)) == 1


def test_crash_net_leaves_keyboard_interrupt_alone(
    qtbot: QtBot,
    net: tuple[CrashNet, ReportPresenter],
    capsys: pytest.CaptureFixture[str],
) -> None:
    crash_net, presenter = net
    with qtbot.assertNotEmitted(crash_net.crashed):
        crash_net.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert presenter.current is None
    assert "KeyboardInterrupt" in capsys.readouterr().err


def test_crash_presenter_queues_notices_and_ends_on_a_fatal_report(
    qtbot: QtBot, window: QWidget
) -> None:
    presenter = ReportPresenter(window)
    first = Report(ReportKind.NOTICE, "First", "one")
    second = Report(ReportKind.NOTICE, "Second", "two")
    presenter.show(first)
    presenter.show(second)
    assert _dialog(presenter).report is first
    _dialog(presenter).accept()
    qtbot.waitUntil(lambda: presenter.current is not None and presenter.current.report is second)

    fatal = Report(ReportKind.FATAL, "The console cannot start", "the store is locked")
    presenter.show(fatal)  # closes the notice, then shows itself
    qtbot.waitUntil(lambda: presenter.current is not None and presenter.current.report is fatal)
    assert _dialog(presenter).close_button.text() == "Close the console"
    with qtbot.waitSignal(presenter.fatal_closed):
        qtbot.mouseClick(_dialog(presenter).close_button, Qt.MouseButton.LeftButton)


# --- the hard-crash file ---------------------------------------------------------------

FAULT_TRACE = """Fatal Python error: Segmentation fault

Current thread 0x00007f0c (most recent call first):
  File "/opt/console/app.py", line 120 in main
"""


def test_crash_file_left_by_a_hard_crash_is_reported_at_start(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / HardCrashFile.NAME).write_text(FAULT_TRACE)
    crash_file = HardCrashFile(logs)

    last = crash_file.arm()
    try:
        assert crash_file.path.exists()  # armed for this run
        assert last is not None
        assert last.path.parent == logs
        assert last.path.name.startswith("crash-")
        assert last.path.read_text() == FAULT_TRACE
        report = last.report()
        assert report.kind is ReportKind.NOTICE
        assert report.title == "The console closed unexpectedly last time"
        assert "ended in a crash" in report.text
        assert (report.path, report.path_label) == (last.path, "Crash file")
        assert "Segmentation fault" in report.details
        assert report.details.startswith("L4YERCAK3 Console ")
    finally:
        crash_file.disarm()

    assert not crash_file.path.exists()
    # A clean exit leaves nothing to report.
    again = HardCrashFile(logs)
    assert again.arm() is None
    again.disarm()


def test_crash_file_left_empty_means_the_process_was_killed(tmp_path: Path) -> None:
    (tmp_path / HardCrashFile.NAME).write_text("")
    for day in range(1, 8):
        (tmp_path / f"crash-202601{day:02d}-120000.log").write_text("old")
    crash_file = HardCrashFile(tmp_path)

    last = crash_file.arm()
    crash_file.disarm()

    assert last is not None
    report = last.report()
    assert "ended from outside" in report.text
    assert report.details == ""
    kept = sorted(p.name for p in tmp_path.glob("crash-*.log"))
    assert len(kept) == HardCrashFile.KEEP
    assert last.path.name in kept  # the newest are kept


# --- OS signals ---------------------------------------------------------------------


def test_signal_handler_turns_sigterm_into_a_quit_request_then_a_forced_exit(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    previous = signal.getsignal(signal.SIGTERM)
    exits: list[int] = []
    monkeypatch.setattr(interrupts, "exit_now", exits.append)
    handler = SignalHandler()
    handler.install()
    try:
        with qtbot.waitSignal(handler.quit_requested, timeout=5000) as first:
            threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGTERM)).start()
        assert first.args == [signal.SIGTERM]

        with qtbot.assertNotEmitted(handler.quit_requested, wait=0):
            os.kill(os.getpid(), signal.SIGINT)
            qtbot.waitUntil(lambda: exits == [128 + signal.SIGINT])
    finally:
        handler.uninstall()
    assert signal.getsignal(signal.SIGTERM) is previous
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "SIGINT received again: ending at once"
    ]
    caplog.clear()


# --- main() when something fails before the window shows ------------------------------


def test_app_error_before_the_window_leaves_main_and_cleans_up(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_shell(*_args: object) -> Any:
        raise RuntimeError("the stylesheet is missing")

    monkeypatch.setattr(console_app, "build_shell", broken_shell)
    monkeypatch.setattr(sys, "setswitchinterval", lambda _interval: None)
    hooks = (sys.excepthook, threading.excepthook, signal.getsignal(signal.SIGTERM))
    quits = qapp.quitOnLastWindowClosed()
    data_dir = tmp_path / "data"
    try:
        with pytest.raises(RuntimeError, match="stylesheet"):
            console_app.main(["--data-dir", str(data_dir)])
    finally:
        qapp.setQuitOnLastWindowClosed(quits)

    assert (sys.excepthook, threading.excepthook, signal.getsignal(signal.SIGTERM)) == hooks
    # No hard crash to report next time, and the folder is free again.
    assert not (data_dir / "logs" / HardCrashFile.NAME).exists()
    assert not (data_dir / "console.lock").exists()


# --- what the dialogs say ------------------------------------------------------------


def test_recovery_report_says_what_was_kept_and_where_the_damaged_file_is(
    qtbot: QtBot, tmp_path: Path
) -> None:
    found = Recovery(
        damaged_dir=tmp_path / "damaged-20261207-101500",
        problem="database disk image is malformed",
        kept={
            "settings": 2,
            "projects": 2,
            "project_files": 14,
            "publish_configs": 1,
            "outbox": 1,
            "messages": 1,
        },
        lost_files=("public/hero.svg (Acme landing)",),
    )
    report = console_app.recovery_report(found)
    dialog = ReportDialog(report)
    qtbot.addWidget(dialog)

    assert report.kind is ReportKind.NOTICE
    assert dialog.windowTitle() == "The local store was damaged and has been repaired"
    text = dialog.text_label.text()
    assert "Recovered: 2 projects with 14 files and their publish settings" in text
    assert "1 change waiting to be sent, 1 reply among them; your settings." in text
    assert "Could not be read: public/hero.svg (Acme landing)." in text
    assert dialog.path_label.text() == f"Damaged store kept in: {found.damaged_dir}"
    assert not dialog.open_button.isHidden()
    assert "database disk image is malformed" in dialog.details()
