"""What went wrong (or was repaired), where to look, and the details to copy.

One dialog for the three kinds of `Report`: an unexpected error the console
carried on after, an error it cannot go on after, and a notice at start (the
last run died hard, the store was repaired). The `ReportPresenter` shows them
one at a time over the main window.
"""

from __future__ import annotations

import logging
from collections import deque

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import resources
from console.views.report import Report, ReportKind

logger = logging.getLogger(__name__)


class ReportDialog(QDialog):
    """Shows one `Report`; errors arriving while it is open are added to it (`add`)."""

    def __init__(
        self, report: Report, *, dark: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.report = report
        self._dark = dark
        self._details = [report.details] if report.details else []
        self._more = 0
        self.setWindowTitle(report.title)
        self._setup_ui()
        self._connect_signals()

    # --- public API -------------------------------------------------------
    def add(self, report: Report) -> None:
        """Another unexpected error while this one is shown: count it, keep its details."""
        self._more += 1
        if report.details:
            self._details.append(report.details)
        self.details_edit.setPlainText(self.details())
        noun = "error" if self._more == 1 else "errors"
        self.more_label.setText(
            f"{self._more} more unexpected {noun} since; the details below and the log have all."
        )
        self.more_label.show()
        self._fit_height()

    def details(self) -> str:
        """What "Copy details" copies: every report's details, oldest first."""
        return "\n\n".join(self._details)

    def showEvent(self, event: QShowEvent) -> None:
        """Override QWidget.showEvent: as tall as the wrapped text needs, no taller."""
        super().showEvent(event)
        self._fit_height()

    # --- slots ------------------------------------------------------------
    @Slot()
    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self.details())
        self.copy_button.setText("Copied")

    @Slot()
    def _on_open_clicked(self) -> None:
        path = self.report.path
        if path is None:
            return
        folder = path if path.is_dir() else path.parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            logger.info("no file manager opened %s", folder)
            self.open_button.setText("Could not open the folder")

    @Slot(bool)
    def _on_details_toggled(self, shown: bool) -> None:
        self.details_edit.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Show details")
        self._fit_height()

    # --- helpers ----------------------------------------------------------
    def _setup_ui(self) -> None:
        report = self.report
        layout = self._layout = QVBoxLayout(self)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(resources.icon("warning", self._dark).pixmap(32, 32))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        head.addWidget(icon)
        texts = QVBoxLayout()
        self.title_label = QLabel(report.title)
        self.title_label.setObjectName("EmptyTitle")
        self.text_label = QLabel(report.text)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.title_label)
        texts.addWidget(self.text_label)
        head.addLayout(texts, 1)
        layout.addLayout(head)

        self.more_label = QLabel()
        self.more_label.setWordWrap(True)
        self.more_label.hide()
        layout.addWidget(self.more_label)

        layout.addSpacing(6)
        self.path_label = QLabel(f"{report.path_label}: {report.path}" if report.path else "")
        self.path_label.setObjectName("EmptyText")
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setVisible(report.path is not None)
        layout.addWidget(self.path_label)

        self.details_edit = QPlainTextEdit(self.details())
        self.details_edit.setReadOnly(True)
        self.details_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_edit.setMinimumHeight(200)
        self.details_edit.hide()
        layout.addWidget(self.details_edit, 1)

        buttons = QHBoxLayout()
        self.details_button = QPushButton("Show details")
        self.details_button.setCheckable(True)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Versions and what happened, for a bug report; no secrets")
        self.open_button = QPushButton("Open folder")
        self.close_button = QPushButton(
            "Close the console" if report.kind is ReportKind.FATAL else "Close"
        )
        self.close_button.setDefault(True)
        for button in (self.details_button, self.copy_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        has_details = bool(report.details)
        self.details_button.setVisible(has_details)
        self.copy_button.setVisible(has_details)
        self.open_button.setVisible(report.path is not None)
        layout.addLayout(buttons)
        self.setMinimumWidth(600)

    def _fit_height(self) -> None:
        # A top-level window sizes itself from its size hint, which for
        # word-wrapped labels assumes a narrower width and leaves gaps.
        self.resize(self.width(), self._layout.totalHeightForWidth(self.width()))

    def _connect_signals(self) -> None:
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.details_button.toggled.connect(self._on_details_toggled)
        self.close_button.clicked.connect(self.accept)


class ReportPresenter(QObject):
    """Shows reports one dialog at a time over the main window.

    An unexpected error arriving while an error dialog is open is added to
    that dialog (a slot failing on every repaint must not open a dialog per
    frame); other reports wait their turn. A FATAL report goes first.

    Signals:
        fatal_closed(): the dialog of a FATAL report was closed; the console ends.
    """

    fatal_closed = Signal()

    def __init__(self, window: QWidget, *, dark: bool = False) -> None:
        super().__init__(window)
        self._window = window
        self._dark = dark
        self._waiting: deque[Report] = deque()
        self.current: ReportDialog | None = None

    def show(self, report: Report) -> None:
        current = self.current
        if (
            current is not None
            and current.report.kind is ReportKind.ERROR
            and report.kind is ReportKind.ERROR
        ):
            current.add(report)
            return
        if report.kind is ReportKind.FATAL:
            self._waiting.appendleft(report)
            if current is not None and current.report.kind is not ReportKind.FATAL:
                current.close()  # the next one, the fatal report, shows when it has closed
                return
        else:
            self._waiting.append(report)
        if current is None:
            self._show_next()

    @Slot()
    def _on_dialog_finished(self) -> None:
        dialog = self.current
        self.current = None
        if dialog is not None and dialog.report.kind is ReportKind.FATAL:
            self.fatal_closed.emit()
            return
        self._show_next()

    def _show_next(self) -> None:
        if not self._waiting:
            return
        dialog = ReportDialog(self._waiting.popleft(), dark=self._dark, parent=self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_dialog_finished)
        self.current = dialog
        dialog.open()
