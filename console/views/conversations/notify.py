"""Desktop notifications for sessions that need a human, repeated until opened.

`Notifier` is what the page talks to; `TrayNotifier` is the system-tray one
(when the platform has a tray: offscreen has none), `RecordingNotifier` keeps
what was shown (tests, and a harmless fallback). `AttentionTracker` decides
when to notify: a session newly needing a human notifies at once, then every
`repeat_seconds` until the user opens it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

logger = logging.getLogger(__name__)

DEFAULT_REPEAT_SECONDS = 30.0


@dataclass(frozen=True)
class Notification:
    session_id: str
    title: str
    body: str


class Notifier(QObject):
    """Shows notifications; base class records them and shows nothing.

    Signals:
        activated(str): the user clicked the notification of this session.
    """

    activated = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: list[Notification] = []
        self.waiting = 0

    def notify(self, notification: Notification) -> None:
        self.shown.append(notification)

    def set_waiting(self, count: int) -> None:
        """The number of handoffs waiting (tray tooltip)."""
        self.waiting = count


class RecordingNotifier(Notifier):
    """Keeps every notification in `shown` (tests; systems without a tray)."""


class TrayNotifier(Notifier):
    """System-tray balloon messages; clicking one opens its session."""

    def __init__(self, icon: QIcon, *, sound: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tray = QSystemTrayIcon(icon, self)
        self._sound = sound
        self._last_session = ""
        self.tray.setToolTip("L4YERCAK3 Console")
        self.tray.messageClicked.connect(self._on_tray_message_clicked)
        self.tray.show()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def notify(self, notification: Notification) -> None:
        super().notify(notification)
        self._last_session = notification.session_id
        self.tray.showMessage(
            notification.title, notification.body, QSystemTrayIcon.MessageIcon.Information
        )
        if self._sound:
            QApplication.beep()

    def set_waiting(self, count: int) -> None:
        super().set_waiting(count)
        waiting = f" - {count} waiting for a human" if count else ""
        self.tray.setToolTip(f"L4YERCAK3 Console{waiting}")

    @Slot()
    def _on_tray_message_clicked(self) -> None:
        if self._last_session:
            self.activated.emit(self._last_session)


class AttentionTracker(QObject):
    """Notifies about sessions needing a human, again every `repeat_seconds` until opened."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        repeat_seconds: float = DEFAULT_REPEAT_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._waiting: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(repeat_seconds * 1000)))
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def waiting(self) -> dict[str, str]:
        return dict(self._waiting)

    def set_repeat_seconds(self, seconds: float) -> None:
        self._timer.setInterval(max(1, int(seconds * 1000)))

    def update(self, waiting: dict[str, str], opened: str | None) -> None:
        """The sessions needing a human now (id -> reason); `opened` is on screen."""
        fresh = {k: v for k, v in waiting.items() if k != opened and self._waiting.get(k) != v}
        self._waiting = {k: v for k, v in waiting.items() if k != opened}
        for session_id, reason in fresh.items():
            self._notify(session_id, reason)
        if self._waiting and not self._timer.isActive():
            self._timer.start()
        elif not self._waiting:
            self._timer.stop()

    def opened(self, session_id: str) -> None:
        """The user opened this session: stop reminding about it."""
        self._waiting.pop(session_id, None)
        if not self._waiting:
            self._timer.stop()

    @Slot()
    def _on_timer_timeout(self) -> None:
        for session_id, reason in self._waiting.items():
            self._notify(session_id, reason)

    def _notify(self, session_id: str, reason: str) -> None:
        self._notifier.notify(Notification(session_id, "A customer needs a human", reason))
