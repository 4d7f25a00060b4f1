"""MessageBridge: how any view reports a failure or a notice.

The main window renders it: a banner with what failed, why, and what to do.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from console.errors import ConsoleError

logger = logging.getLogger(__name__)


class MessageBridge(QObject):
    """The one way to tell the user something went wrong (or right).

    Signals:
        error_shown(ConsoleError): a failed operation to present.
        info_shown(str): a short notice for the status bar.
    """

    error_shown = Signal(object)
    info_shown = Signal(str)

    def show_error(self, error: ConsoleError) -> None:
        logger.info("shown to user: %s (%s)", error.user_text(), type(error).__name__)
        self.error_shown.emit(error)

    def show_info(self, text: str) -> None:
        self.info_shown.emit(text)
