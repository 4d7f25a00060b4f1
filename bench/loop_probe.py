"""Measure how late the UI event loop runs a timer while work goes on.

A `QTimer` asks to fire every `interval_ms`; each firing's lateness is how
long the Qt loop (which also runs qasync's asyncio loop) was busy with
something else. p99 under 16 ms means no frame of UI work was missed.
"""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QObject, QTimer


class LoopProbe(QObject):
    """Records timer lateness in milliseconds between `start()` and `stop()`."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self._interval = interval_ms / 1000.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._last = 0.0
        self.lags_ms: list[float] = []

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
