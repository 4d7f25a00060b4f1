"""What the start-up benchmark counts as "the first rows of data on screen"."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QListWidget, QTableView, QVBoxLayout, QWidget

from bench.startup_child import bare_window, data_view


def test_a_visible_view_over_a_model_with_rows_counts(qtbot: Any) -> None:
    window = bare_window()
    qtbot.addWidget(window)
    window.show()

    view = window.centralWidget()
    assert isinstance(view, QTableView)
    assert data_view(view.viewport()) is view
    assert data_view(view) is None  # the view itself, not its viewport


def test_empty_hidden_and_chrome_views_do_not_count(qtbot: Any) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    empty = QTableView()
    empty.setModel(QStandardItemModel(0, 3, empty))
    sidebar = QListWidget()
    sidebar.addItems(["Projects", "Clients"])
    hidden = QTableView()
    hidden.setModel(QStandardItemModel(5, 3, hidden))
    for widget in (empty, sidebar, hidden):
        layout.addWidget(widget)
    page.show()
    hidden.hide()

    assert data_view(empty.viewport()) is None
    assert data_view(sidebar.viewport()) is None
    assert data_view(hidden.viewport()) is None
