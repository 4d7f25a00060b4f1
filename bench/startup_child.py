"""Child process for bench/startup.py: start a window, print seconds to first paint.

`python bench/startup_child.py bare` shows a bare QMainWindow;
`python bench/startup_child.py console DATA_DIR` starts the real console.
Both print `painted <seconds since the interpreter started>` and exit.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

# The interpreter started before this line; psutil-free: /proc gives its start.
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_age() -> float:
    with open(f"/proc/{os.getpid()}/stat") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as uptime:
        now = float(uptime.read().split()[0])
    return now - start_ticks / _CLOCK_TICKS


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            print(f"painted {_process_age():.4f} {time.perf_counter():.4f}", flush=True)
            os._exit(0)
        return False


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    app = QApplication(sys.argv[:1])
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    if sys.argv[1] == "bare":
        window = QMainWindow()
        window.resize(1280, 800)
        window.show()
        app.exec()
        return
    from console.app import main as console_main

    console_main(["--data-dir", sys.argv[2]])


if __name__ == "__main__":
    main()
