"""SIGINT, SIGTERM and SIGHUP end the console with its normal shutdown.

Python runs a signal handler only when it gets control, and in Qt's loop that
would wait for the next Python slot. `signal.set_wakeup_fd` makes the C
handler write to a socket that a `QSocketNotifier` watches, so Qt wakes up and
calls into Python, which runs the handler. (qasync's loop could do the same
with `add_signal_handler`, but only on Unix and only once asyncio has joined;
this works for the whole life of Qt's loop, on every platform.)
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot

logger = logging.getLogger(__name__)


def exit_now(code: int) -> None:
    """End the process without running the shutdown (it hangs); the log is flushed first."""
    logging.shutdown()
    os._exit(code)


class SignalHandler(QObject):
    """The first signal asks for a normal shutdown; a second one ends the process at once.

    The handler itself only schedules the work: it may run between any two
    bytecodes, in the middle of a log write.

    Signals:
        quit_requested(int): the first signal (its number): shut down normally.
    """

    quit_requested = Signal(int)

    SIGNALS = tuple(
        getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._received = 0
        self._previous: dict[int, Any] = {}
        self._previous_fd = -1
        self._sockets: tuple[socket.socket, socket.socket] | None = None
        self._notifier: QSocketNotifier | None = None

    def install(self) -> None:
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        self._sockets = (reader, writer)
        self._notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)
        self._previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)

    def uninstall(self) -> None:
        if self._sockets is None:
            return
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        signal.set_wakeup_fd(self._previous_fd)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        for sock in self._sockets:
            sock.close()
        self._sockets = None

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # No logging or I/O here: they could re-enter a write in progress.
        self._received += 1
        if self._received == 1:
            QTimer.singleShot(0, functools.partial(self._on_first_signal, signum))
        else:
            QTimer.singleShot(0, functools.partial(self._on_second_signal, signum))

    def _on_first_signal(self, signum: int) -> None:
        logger.info("%s received: shutting down", signal.Signals(signum).name)
        self.quit_requested.emit(signum)

    def _on_second_signal(self, signum: int) -> None:
        # The shutdown hangs and the user insists. The crash file stays: the
        # next start says this run did not shut down.
        logger.warning("%s received again: ending at once", signal.Signals(signum).name)
        exit_now(128 + signum)

    @Slot()
    def _on_notifier_activated(self) -> None:
        # Python has run the handler by now; only the wake-up bytes remain.
        assert self._sockets is not None
        try:
            while self._sockets[0].recv(64):
                pass
        except BlockingIOError:
            return
