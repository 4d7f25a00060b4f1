"""Entry point: parse the command line, paint the window, then build the rest.

The window shell (sidebar, status bar, "Loading…" pages) is shown before the
store, keyring and service libraries are imported, so the first paint does not
wait for them (bench/startup.py measures it). `console.composition` is the
composition root that builds everything else once the loop runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from console import resources
from console.config import LaunchOptions, Paths
from console.views.main_window import MainWindow, Section
from console.views.messages import MessageBridge

if TYPE_CHECKING:
    import asyncio

logger = logging.getLogger(__name__)

NO_DISPLAY_HELP = """\
l4-console: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).

The console is a desktop application. Run it
  - on a machine with a desktop session, or
  - under a virtual X server:   xvfb-run -a python main.py
  - or headless for a picture:  QT_QPA_PLATFORM=offscreen python main.py --screenshot out.png
"""


def parse_args(argv: Sequence[str] | None = None) -> LaunchOptions:
    parser = argparse.ArgumentParser(prog="l4-console", description="L4YERCAK3 operator console")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the embedded sandbox even when accounts are configured (demos, training)",
    )
    parser.add_argument("--data-dir", type=Path, help="keep the store and logs in this folder")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PATH",
        help="render the main window to a PNG once it is ready, then quit",
    )
    parser.add_argument(
        "--section",
        choices=[section.name.lower() for section in Section],
        help="open on this section instead of the one used last",
    )
    args = parser.parse_args(argv)
    return LaunchOptions(
        paths=Paths.resolve(args.data_dir),
        force_sandbox=args.sandbox,
        screenshot=args.screenshot,
        section=args.section,
    )


def display_available(environ: Mapping[str, str] = os.environ) -> bool:
    if environ.get("QT_QPA_PLATFORM") or sys.platform in {"win32", "darwin"}:
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def is_dark(app: QGuiApplication) -> bool:
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def window_state(paths: Paths) -> QSettings:
    """Per-machine view state (geometry, last section), readable before the store opens."""
    return QSettings(str(paths.data_dir / "window.ini"), QSettings.Format.IniFormat)


def build_shell(app: QApplication, paths: Paths) -> tuple[MainWindow, MessageBridge]:
    dark = is_dark(app)
    app.setStyleSheet(resources.stylesheet(dark))
    messages = MessageBridge()
    window = MainWindow(messages, window_state(paths), dark=dark)
    return window, messages


def configure_interpreter() -> None:
    """Let the UI thread take the GIL back within 1 ms (default 5 ms).

    Sync, parsing and store writes run in worker threads; with the default
    switch interval a busy worker can hold the UI loop for several 5 ms slices
    in a row, which shows as dropped frames (bench/sync_initial.py).
    """
    sys.setswitchinterval(0.001)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    if not display_available():
        sys.stderr.write(NO_DISPLAY_HELP)
        return 2
    configure_interpreter()
    options.paths.ensure()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("L4YERCAK3 Console")
    app.setOrganizationName("l4yercak3")
    window, messages = build_shell(app, options.paths)
    if options.section:
        window.show_section(Section[options.section.upper()])
    starter = _Starter(app, window, messages, options)
    window.installEventFilter(starter)
    window.show()
    try:
        app.exec()
    finally:
        from console import log

        log.shutdown()
    return starter.exit_code


class _Starter(QObject):
    """Starts the asyncio side once the window has painted for the first time.

    Qt's own loop runs first, so nothing but the shell stands between launch
    and the first paint; then a qasync loop joins the running Qt loop
    (`already_running=True`) and builds the rest (`console.composition`).
    """

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        messages: MessageBridge,
        options: LaunchOptions,
    ) -> None:
        super().__init__()
        self._app = app
        self._window = window
        self._messages = messages
        self._options = options
        self._task: asyncio.Task[int] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.exit_code = 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Override QObject.eventFilter: start once, after the first paint."""
        if event.type() == QEvent.Type.Paint and self._task is None:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._start)
        return False

    def _start(self) -> None:
        # The log file's handlers (logging.handlers: ~10 ms of import), asyncio
        # and qasync (~0.1 s): after the first paint too. Nothing logs before it.
        from console import log

        log.setup(self._options.paths.log_file)
        import asyncio

        import qasync

        # Imported only now: the store and service libraries cost most of start-up.
        from console.composition import run_console

        loop = qasync.QEventLoop(self._app, already_running=True)
        # A plain thread pool we can shut down when done (an executor thread
        # still running when Qt exits aborts the process).
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="console")
        loop.set_default_executor(self._executor)
        asyncio.set_event_loop(loop)
        self._task = loop.create_task(
            run_console(self._app, self._window, self._messages, self._options)
        )
        self._task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[int]) -> None:
        if task.cancelled():
            self.exit_code = 1
        elif task.exception() is not None:
            logger.error("the console stopped on an unexpected error", exc_info=task.exception())
            self.exit_code = 1
        else:
            self.exit_code = task.result()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        self._app.exit(self.exit_code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
