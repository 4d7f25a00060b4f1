"""Entry point: parse the command line, claim the data folder, paint the window, build the rest.

The window shell (sidebar, status bar, "Loading…" pages) is shown before the
store, keyring and service libraries are imported, so the first paint does not
wait for them (bench/startup.py measures it). `console.composition` is the
composition root that builds everything else once the loop runs.

Process life: one console per data folder (`console.instance`; a second start
hands its arguments over and exits 0); a crash net and a hard-crash file
(`console.crash`); SIGINT and SIGTERM close the window like the user does,
which runs the normal shutdown; a damaged store is repaired before it opens
(`console.store.recovery`) and the user is told.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication

from console import resources
from console.config import LaunchOptions, Paths
from console.crash import CrashNet, HardCrashFile, LastCrash, error_report, versions
from console.errors import ConsoleError
from console.instance import Answer, HandOver, SingleInstance
from console.log import redact
from console.views.main_window import MainWindow, Section
from console.views.messages import MessageBridge
from console.views.report import Report, ReportKind

if TYPE_CHECKING:
    import asyncio

    from console.interrupts import SignalHandler
    from console.store.recovery import Recovery
    from console.views.report_dialog import ReportPresenter

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


def window_state(paths: Paths) -> QSettings:
    """Per-machine view state (geometry, last section), readable before the store opens."""
    return QSettings(str(paths.data_dir / "window.ini"), QSettings.Format.IniFormat)


def build_shell(app: QApplication, paths: Paths) -> tuple[MainWindow, MessageBridge]:
    dark = resources.is_dark(app)
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
    # Closing the window asks the console to shut down; it ends when that has
    # run (`_Lifecycle._finish`), not the moment the window closes.
    app.setQuitOnLastWindowClosed(False)
    instance = SingleInstance(options.paths.data_dir)
    try:
        running = instance.claim(HandOver(section=options.section))
    except ConsoleError as error:
        sys.stderr.write(f"l4-console: {error.user_text()}\n{error.user_action()}\n")
        return 1
    if running is not None:
        return _handed_over(options, running)
    # From here this process owns the data folder. Whatever happens below,
    # the exit stack gives it back; an exception before the window shows
    # leaves main() as usual (stderr, non-zero exit).
    with contextlib.ExitStack() as stack:
        stack.callback(instance.release)
        crash_file = HardCrashFile(options.paths.log_dir)
        last_crash = crash_file.arm()
        stack.callback(crash_file.disarm)
        stack.callback(_close_log)
        window, messages = build_shell(app, options.paths)
        if options.section:
            window.show_section(Section[options.section.upper()])
        life = _Lifecycle(app, window, messages, options, last_crash)
        instance.handed_over.connect(life.apply_hand_over)
        life.arm()
        stack.callback(life.release)
        window.installEventFilter(life)
        window.show()
        app.exec()
    return life.exit_code


def _handed_over(options: LaunchOptions, running: Answer) -> int:
    """This start found a console on its folder and handed over: say so."""
    opened = f", on {options.section.capitalize()}" if options.section else ""
    # This process has no window: the terminal that started it is where the user looks.
    print(  # noqa: T201
        f"l4-console: a console is already running for {options.paths.data_dir} "
        f"(process {running.pid}); its window was brought forward{opened}."
    )
    unused = [
        flag
        for flag, given in (
            ("--screenshot", options.screenshot),
            ("--sandbox", options.force_sandbox),
        )
        if given
    ]
    if unused:
        print(  # noqa: T201
            f"l4-console: {' and '.join(unused)} only apply to a console that starts; "
            "close the running one first, or use another --data-dir."
        )
    # A screenshot was asked for and not taken.
    return 1 if options.screenshot is not None else 0


def _close_log() -> None:
    from console import log

    log.shutdown()


def recovery_report(recovery: Recovery) -> Report:
    """The start-up notice of a repaired store."""
    return Report(
        ReportKind.NOTICE,
        "The local store was damaged and has been repaired",
        "The console found its local store damaged, set it aside and started with what "
        f"could be read from it.\n\n{recovery.describe()}",
        recovery.damaged_dir,
        "Damaged store kept in",
        redact(
            f"{versions()}\n\nStore damage: {recovery.problem}\n"
            f"Kept: {dict(recovery.kept)}\nFiles lost: {list(recovery.lost_files)}\n"
            f"Partly unreadable: {list(recovery.unreadable)}\nSet aside in: {recovery.damaged_dir}"
        ),
    )


class _Lifecycle(QObject):
    """The console's life once the window shows: start, hand-overs, reports, shutdown.

    Qt's own loop runs first, so nothing but the shell stands between launch
    and the first paint; then a qasync loop joins the running Qt loop
    (`already_running=True`), the store is checked (`check_store`, in a
    worker thread) and the rest is built (`console.composition`). The
    console ends when that coroutine returns: closing the window asks it to,
    and so do SIGINT and SIGTERM, by closing it. A start that fails shows why
    (when someone is there to see it) and ends with exit code 1.
    """

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        messages: MessageBridge,
        options: LaunchOptions,
        last_crash: LastCrash | None,
    ) -> None:
        super().__init__()
        self._app = app
        self._window = window
        self._messages = messages
        self._options = options
        self._last_crash = last_crash
        self._task: asyncio.Task[int] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._stopped = False
        self._window_closed = False
        self.exit_code = 1
        self.crash_net = CrashNet(options.paths.log_file, self)
        # Made after the first paint, with the asyncio side (`_start`).
        self.presenter: ReportPresenter | None = None
        self.signals: SignalHandler | None = None
        app.lastWindowClosed.connect(self._on_app_last_window_closed)

    # --- public API -------------------------------------------------------
    def arm(self) -> None:
        """Catch what nobody handles from the moment the window shows."""
        self.crash_net.install()

    def release(self) -> None:
        """Give back the hooks `arm` and `_start` took (the console has ended)."""
        if self.signals is not None:
            self.signals.uninstall()
        self.crash_net.uninstall()

    @Slot(int)
    def request_quit(self, _signum: int = 0) -> None:
        """Shut down as when the user closes the window."""
        if self._task is None:
            self._stopped = True  # the asyncio side never started: nothing to shut down
            self._finish(0)
        elif self._task.done():
            self._finish(self.exit_code)  # a failed start waits on its dialog: end now
        else:
            self._window.close()

    @Slot(object)
    def apply_hand_over(self, request: HandOver) -> None:
        """Another start asked for this console: come forward, on the section it names."""
        if request.section in {section.name.lower() for section in Section}:
            self._window.show_section(Section[str(request.section).upper()])
        state = self._window.windowState() & ~Qt.WindowState.WindowMinimized
        self._window.setWindowState(state | Qt.WindowState.WindowActive)
        self._window.raise_()
        self._window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Override QObject.eventFilter: start once, after the first paint."""
        if event.type() == QEvent.Type.Paint and self._task is None:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._start)
        return False

    # --- slots ------------------------------------------------------------
    @Slot()
    def _on_app_last_window_closed(self) -> None:
        # Once `run_console` runs, it hears this and shuts down. Before that
        # (the store is being checked) `_run` stops short; before the asyncio
        # side started, or after the console failed, nobody else would end it.
        if self._task is None:
            self._stopped = True
            self._finish(0)
        elif self._task.done():
            self._finish(self.exit_code)
        else:
            self._window_closed = True

    @Slot()
    def _on_presenter_fatal_closed(self) -> None:
        self._finish(self.exit_code)

    # --- helpers ----------------------------------------------------------
    def _start(self) -> None:
        if self._stopped:
            return
        # The log file's handlers, asyncio, qasync, the dialogs and the signal
        # handler (~0.2 s): after the first paint too. Nothing logs before it.
        from console import log

        log.setup(self._options.paths.log_file)
        import asyncio

        import qasync

        from console.interrupts import SignalHandler
        from console.views.report_dialog import ReportPresenter

        self.signals = SignalHandler(self)
        self.signals.quit_requested.connect(self.request_quit)
        self.signals.install()
        # A --screenshot run has nobody to read dialogs: the log and stderr say it all.
        if self._options.screenshot is None:
            self.presenter = ReportPresenter(self._window, dark=resources.is_dark(self._app))
            self.crash_net.crashed.connect(self.presenter.show)
            self.presenter.fatal_closed.connect(self._on_presenter_fatal_closed)

        loop = qasync.QEventLoop(self._app, already_running=True)
        loop.set_exception_handler(self.crash_net.loop_exception_handler)
        # A plain thread pool we can shut down when done (an executor thread
        # still running when Qt exits aborts the process).
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="console")
        loop.set_default_executor(self._executor)
        asyncio.set_event_loop(loop)
        logger.info(
            "console starting (process %d, data folder %s)",
            os.getpid(),
            self._options.paths.data_dir,
        )
        self._task = loop.create_task(self._run(), name="console")
        self._task.add_done_callback(self._on_task_done)

    async def _run(self) -> int:
        import asyncio

        # Imported only now: the store and service libraries cost most of start-up.
        from console.composition import run_console
        from console.store.recovery import check_store

        if self._last_crash is not None:
            logger.warning(
                "the last session ended abruptly; its crash file: %s", self._last_crash.path
            )
            self._present(self._last_crash.report())
        self._window.set_sync_state("Checking the local store…")
        recovery = await asyncio.to_thread(check_store, self._options.paths.database)
        if recovery is not None:
            self._present(recovery_report(recovery))
        if self._window_closed:
            logger.info("the window was closed before the console was built")
            return 0
        # No await between the check above and `run_console` hearing the
        # window close: a close cannot fall in between.
        return await run_console(self._app, self._window, self._messages, self._options)

    def _on_task_done(self, task: asyncio.Task[int]) -> None:
        if task.cancelled():
            self._finish(1)
            return
        error = task.exception()
        if error is None:
            self._finish(task.result())
            return
        self.exit_code = 1
        if isinstance(error, ConsoleError):
            logger.error("the console could not start: %s", error.user_text())
            sys.stderr.write(f"{error.user_text()}\n{error.user_action()}\n")
            report = Report(
                ReportKind.FATAL,
                "The console cannot start",
                f"{error.user_text()}\n\n{error.user_action()}",
                self._options.paths.log_file,
                "Log file",
            )
        else:
            logger.error("the console stopped on an unexpected error", exc_info=error)
            report = error_report(
                error, "while starting or running", self._options.paths.log_file, fatal=True
            )
        if self.presenter is None:
            self._finish(1)
        else:
            self.presenter.show(report)

    def _present(self, report: Report) -> None:
        if self.presenter is not None:
            self.presenter.show(report)

    def _finish(self, code: int) -> None:
        self.exit_code = code
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        logger.info("console stopped (exit code %d)", code)
        self._app.exit(code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
