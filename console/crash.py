"""How the console meets errors nobody handled, and learns that its last run died hard.

- `CrashNet`: `sys.excepthook` (where PySide sends exceptions raised in slots
  and Qt virtual overrides), `threading.excepthook` and the asyncio loop's
  exception handler log the traceback and emit one `Report`; the console
  carries on. An exception raised before the window shows is not theirs: it
  leaves `main()` as usual, on stderr with a non-zero exit.
- `HardCrashFile`: while the console runs, `faulthandler` writes to
  `crash.log` in the log folder; a clean exit removes it, so one found at
  start means the last run died hard (a crash in Qt or Python, or a kill).

Details meant for bug reports go through `console.log.redact`, as the log does.
Imported before the first paint: what only a report needs is imported then.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from PySide6.QtCore import QObject, Signal, qVersion

from console.log import redact
from console.version import console_version
from console.views.report import Report, ReportKind

if TYPE_CHECKING:
    import asyncio

logger = logging.getLogger(__name__)

#: Libraries whose versions go into a report's details.
_LIBRARIES = ("PySide6-Essentials", "qasync", "SQLAlchemy", "httpx")
#: At most this much of an error's message goes into the dialog's text.
_SUMMARY_LENGTH = 300


def versions() -> str:
    """The console's, Python's, Qt's and the main libraries' versions, one per line."""
    # Imported when there is something to report (importlib.metadata: 0.1-0.3 s).
    import platform
    from importlib import metadata

    def version(distribution: str) -> str:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return "not installed"

    libraries = ", ".join(f"{name} {version(name)}" for name in _LIBRARIES)
    return "\n".join(
        [
            f"L4YERCAK3 Console {console_version()}",
            f"Python {platform.python_version()} ({platform.python_implementation()}) "
            f"on {platform.platform()}",
            f"Qt {qVersion()}; {libraries}",
        ]
    )


def error_report(error: BaseException, where: str, log_file: Path, *, fatal: bool) -> Report:
    """A report of an unexpected error: what and where, the log's path, versions and traceback."""
    summary = redact(f"{type(error).__name__}: {error}")
    if len(summary) > _SUMMARY_LENGTH:
        summary = summary[: _SUMMARY_LENGTH - 1] + "…"
    if fatal:
        consequence = "and cannot go on. It closes with this window; start it again."
    else:
        consequence = "and carried on. What you were doing at that moment may not have finished."
    trace = "".join(traceback.format_exception(error))
    return Report(
        ReportKind.FATAL if fatal else ReportKind.ERROR,
        "Something went wrong",
        f"The console hit an unexpected error {where} {consequence}\n\n{summary}",
        log_file,
        "Log file",
        redact(f"{versions()}\n\nError {where}:\n{trace}"),
    )


class CrashNet(QObject):
    """Catches what nobody handled: logs it with its traceback and reports it.

    `install()` takes over `sys.excepthook` and `threading.excepthook`;
    `loop_exception_handler` is set on the asyncio loop by its owner.

    Signals:
        crashed(Report): an unexpected error to show; emitted on the thread
            that hit it (Qt queues it to the window's thread).
    """

    crashed = Signal(object)

    def __init__(self, log_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._log_file = log_file
        self._reporting = threading.local()
        self._previous: tuple[Any, Any] | None = None

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def excepthook(
        self,
        exc_type: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        """`sys.excepthook`: PySide calls it for an exception raised in a slot or override."""
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: not ours
            sys.__excepthook__(exc_type, error, trace)
            return
        self._report(error, "while handling an event")

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """`threading.excepthook`: a thread outside the executor ended on an exception."""
        error = args.exc_value
        if not isinstance(error, Exception):
            threading.__excepthook__(args)
            return
        name = args.thread.name if args.thread is not None else "unknown"
        self._report(error, f"in the background thread {name!r}")

    def loop_exception_handler(
        self, loop: asyncio.AbstractEventLoop, context: Mapping[str, Any]
    ) -> None:
        """The asyncio loop's exception handler: a task or callback failed and nobody awaited it."""
        error = context.get("exception")
        if not isinstance(error, Exception):  # a note without an error, or a cancellation
            loop.default_exception_handler(dict(context))
            return
        # asyncio is imported after the first paint, so tasks are told by their name.
        get_name = getattr(context.get("task") or context.get("future"), "get_name", None)
        name = get_name() if callable(get_name) else None
        self._report(error, f"in the background task {name!r}" if name else "in background work")

    def _report(self, error: Exception, where: str) -> None:
        # If reporting fails, the exception leaves the hook, and Python (or
        # qasync) prints both on stderr. An error raised while reporting
        # another goes straight there too, instead of looping.
        if getattr(self._reporting, "busy", False):
            sys.__excepthook__(type(error), error, error.__traceback__)
            return
        self._reporting.busy = True
        try:
            logger.error("unexpected error %s", where, exc_info=error)
            self.crashed.emit(error_report(error, where, self._log_file, fatal=False))
        finally:
            self._reporting.busy = False


# --- hard crashes --------------------------------------------------------------------


@dataclass(frozen=True)
class LastCrash:
    """What the last run left when it died hard.

    Attributes:
        path: its crash file, kept under a dated name.
        trace: what faulthandler wrote (thread stacks); empty if the process
            was killed from outside.
    """

    path: Path
    trace: str

    def report(self) -> Report:
        """The notice shown at start."""
        kept = (
            "What was saved is kept, and changes waiting to be sent are still queued: "
            "they go out with the next sync."
        )
        if self.trace.strip():
            text = (
                "The last session ended in a crash: Python or Qt stopped the process. "
                f"{kept} The crash file says where it stopped; attach it if you report this."
            )
        else:
            text = (
                "The last session did not shut down: it was ended from outside (a forced "
                "quit, the system running out of memory, or a power cut), so it left no "
                f"trace. {kept}"
            )
        return Report(
            ReportKind.NOTICE,
            "The console closed unexpectedly last time",
            text,
            self.path,
            "Crash file",
            redact(f"{versions()}\n\n{self.trace}") if self.trace.strip() else "",
        )


class HardCrashFile:
    """faulthandler's target while the console runs; left behind only by a hard death."""

    NAME = "crash.log"
    #: Crash files of earlier runs kept (the newest ones).
    KEEP = 5

    def __init__(self, log_dir: Path) -> None:
        self.path = log_dir / self.NAME
        self._file: TextIO | None = None
        self._was_enabled = False

    def arm(self) -> LastCrash | None:
        """Start writing to the crash file; returns what the last run left, if it died hard."""
        last = self._take_last()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w", encoding="utf-8")
        self._was_enabled = faulthandler.is_enabled()
        faulthandler.enable(self._file)
        return last

    def disarm(self) -> None:
        """The console shut down (or never got going): remove the crash file."""
        if self._file is None:
            return
        if self._was_enabled and sys.__stderr__ is not None:
            faulthandler.enable(sys.__stderr__)
        else:
            faulthandler.disable()
        self._file.close()
        self._file = None
        self.path.unlink(missing_ok=True)

    def _take_last(self) -> LastCrash | None:
        if not self.path.exists():
            return None
        died = time.localtime(self.path.stat().st_mtime)
        kept = self.path.with_name(f"crash-{time.strftime('%Y%m%d-%H%M%S', died)}.log")
        os.replace(self.path, kept)
        for old in sorted(self.path.parent.glob("crash-*.log"))[: -self.KEEP]:
            old.unlink()
        return LastCrash(kept, kept.read_text(encoding="utf-8", errors="replace"))
