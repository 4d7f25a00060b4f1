"""How late the UI event loop runs a timer: the console's own measure of jank.

A `QTimer` asks to fire every `interval_ms`; each firing's lateness is how
long the Qt loop (which also runs the asyncio loop) was busy with something
else. p99 under 16 ms means no frame of UI work was missed. Used by the
benchmarks and, at a gentle rate, by Settings > Diagnostics.
"""

from __future__ import annotations

import statistics
import time
from collections import deque

from PySide6.QtCore import QObject, QTimer


class LoopProbe(QObject):
    """Records timer lateness in milliseconds (the last `keep` samples)."""

    def __init__(
        self, interval_ms: int = 5, *, keep: int | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._interval = interval_ms / 1000.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._last = 0.0
        self.lags_ms: deque[float] = deque(maxlen=keep)

    def start(self) -> None:
        self.lags_ms.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timeout(self) -> None:
        now = time.perf_counter()
        self.lags_ms.append(max(0.0, (now - self._last - self._interval) * 1000.0))
        self._last = now

    def percentile(self, p: float) -> float:
        if not self.lags_ms:
            return 0.0
        ordered = sorted(self.lags_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def median(self) -> float:
        return statistics.median(self.lags_ms) if self.lags_ms else 0.0
