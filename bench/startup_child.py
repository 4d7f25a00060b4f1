"""Child process for bench/startup.py: start a window, report when its first rows are painted.

`python bench/startup_child.py bare` shows a bare QMainWindow holding a
QTableView over a small QStandardItemModel; `python bench/startup_child.py
console DATA_DIR` starts the real console on DATA_DIR.

Both print two lines on stdout and exit:

- `window <process age> <class>`: the first paint of a top-level window;
- `rows <process age> <view class> <row count> <first row's text>`: the first
  paint of an item view's viewport while the view is visible and its model
  has rows, which is "the first rows of data on screen".

Each line is printed once the paint it reports has finished (a zero timer
queued from the Paint event runs after the whole window has been painted and
flushed). Qt's item widgets (QListWidget, QTreeWidget, QTableWidget) are not
data views: the console uses them for chrome such as its sidebar, whose six
section names are painted with the window's first frame. Data reaches the
screen through a view over a model it does not own.

`rows` is not printed when no data view shows rows within TIMEOUT_S; the
child then prints `timeout` and exits 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListWidget,
    QMainWindow,
    QTableView,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

TIMEOUT_S = 60
BARE_ROWS = 50
BARE_COLUMNS = ("Name", "Client", "Status", "Architecture", "Updated")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_ITEM_WIDGETS = (QListWidget, QTreeWidget, QTableWidget)


def _process_age() -> float:
    """Seconds since the interpreter started (/proc ticks: 10 ms resolution)."""
    with open(f"/proc/{os.getpid()}/stat") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as uptime:
        now = float(uptime.read().split()[0])
    return now - start_ticks / _CLOCK_TICKS


def data_view(widget: QObject) -> QAbstractItemView | None:
    """The item view whose viewport `widget` is, if that view shows rows of data now."""
    view = widget.parent()
    if not isinstance(view, QAbstractItemView) or isinstance(view, _ITEM_WIDGETS):
        return None
    if view.viewport() is not widget or not view.isVisible():
        return None
    model = view.model()
    if model is None or model.rowCount() <= 0:
        return None
    return view


class FirstRows(QObject):
    """Watches every Paint event of the application (an application event filter)."""

    def __init__(self) -> None:
        super().__init__()
        self._window_seen = False
        self._rows_seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Override QObject.eventFilter: report the first window and the first rows painted."""
        if event.type() != QEvent.Type.Paint:
            return False
        if not self._window_seen and isinstance(watched, QWidget) and watched.isWindow():
            self._window_seen = True
            name = type(watched).__name__
            QTimer.singleShot(0, lambda: _say(f"window {_process_age():.4f} {name}"))
        if not self._rows_seen:
            view = data_view(watched)
            if view is not None:
                self._rows_seen = True
                QTimer.singleShot(0, lambda: self._report_rows(view))
        return False

    def _report_rows(self, view: QAbstractItemView) -> None:
        model = view.model()
        first = str(model.index(0, 0).data() or "").replace("\n", " ")
        _say(f"rows {_process_age():.4f} {type(view).__name__} {model.rowCount()} {first}")
        os._exit(0)


def _say(line: str) -> None:
    print(line, flush=True)


def _timeout() -> None:
    _say("timeout")
    os._exit(1)


def bare_window() -> QMainWindow:
    """A QMainWindow with a table of BARE_ROWS rows: the least a PySide6 app shows rows with."""
    model = QStandardItemModel(BARE_ROWS, len(BARE_COLUMNS))
    model.setHorizontalHeaderLabels(list(BARE_COLUMNS))
    for row in range(BARE_ROWS):
        for column, title in enumerate(BARE_COLUMNS):
            model.setItem(row, column, QStandardItem(f"{title} {row}"))
    view = QTableView()
    view.setModel(model)
    model.setParent(view)
    window = QMainWindow()
    window.setCentralWidget(view)
    window.resize(1280, 800)
    return window


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    app = QApplication(sys.argv[:1])
    watcher = FirstRows()
    app.installEventFilter(watcher)
    QTimer.singleShot(TIMEOUT_S * 1000, _timeout)
    if sys.argv[1] == "bare":
        window = bare_window()
        window.show()
        app.exec()
        return
    from console.app import main as console_main

    # Projects is the section a console opens on first (and the one used last here).
    console_main(["--data-dir", sys.argv[2], "--section", "projects"])


if __name__ == "__main__":
    main()
