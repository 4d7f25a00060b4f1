"""StoreBridge: the store's ChangeSets as one Qt signal.

Delivered on the UI thread whichever thread wrote (Qt queues cross-thread
emissions to a QObject living on the UI thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from console.changes import ChangeSet, ChangeSource

logger = logging.getLogger(__name__)


class StoreBridge(QObject):
    """Re-emits store ChangeSets as a Qt signal.

    Signals:
        changed(ChangeSet): a write committed.
    """

    changed = Signal(object)

    def __init__(self, store: ChangeSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self.changed.emit)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


__all__ = ["ChangeSet", "StoreBridge"]
