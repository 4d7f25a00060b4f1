"""The main window: sidebar of sections, pages, error banner and status bar."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import IntEnum

from PySide6.QtCore import QSettings, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console import resources
from console.errors import AuthError, ConsoleError, NetworkError, Unavailable
from console.views.messages import MessageBridge
from console.views.widgets.error_banner import ErrorBanner

logger = logging.getLogger(__name__)


class Section(IntEnum):
    PROJECTS = 0
    CLIENTS = 1
    CONVERSATIONS = 2
    DEPLOYMENTS = 3
    CREDITS = 4
    SETTINGS = 5

    @property
    def title(self) -> str:
        return self.name.capitalize()

    @property
    def icon_name(self) -> str:
        return self.name.lower()


class MainWindow(QMainWindow):
    """Top-level window. Pages are built by the composition root and handed in.

    The window can be shown before its pages exist (each section then says
    "Loading…"), so the first paint does not wait for the store and services;
    `set_page()` puts the real page in. A page may define `focus_search()`;
    Ctrl+F calls it on the current page. Geometry and the last section live
    in `QSettings` (view state of this machine, read before the store opens).

    Signals:
        section_changed(int): the visible section (a `Section` value) changed.
    """

    section_changed = Signal(int)

    TITLE = "L4YERCAK3 Operator Console"
    GEOMETRY_KEY = "main_window/geometry"
    SECTION_KEY = "main_window/section"

    def __init__(
        self,
        messages: MessageBridge,
        state: QSettings,
        *,
        pages: Mapping[Section, QWidget] | None = None,
        dark: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._messages = messages
        self._dark = dark
        self._pages: dict[Section, QWidget] = {
            section: (pages or {}).get(section) or _loading_page() for section in Section
        }
        self._last_error: ConsoleError | None = None
        self._badges: dict[Section, int] = {}
        self.setWindowTitle(self.TITLE)
        self.setWindowIcon(resources.icon("app", dark))
        self._setup_ui()
        self._setup_menus()
        self._connect_signals()
        self._restore_state()

    # --- public API -------------------------------------------------------
    def current_section(self) -> Section:
        return Section(self.stack.currentIndex())

    def show_section(self, section: Section) -> None:
        self.sidebar.setCurrentRow(int(section))

    def page(self, section: Section) -> QWidget:
        return self._pages[section]

    def set_page(self, section: Section, page: QWidget) -> None:
        old = self._pages[section]
        current = self.stack.currentIndex()
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.insertWidget(int(section), page)
        self.stack.setCurrentIndex(current)
        self._pages[section] = page

    def set_account(self, text: str, *, sandbox: bool) -> None:
        self.account_label.setText(text)
        self.mode_banner.setVisible(sandbox)

    def set_online(self, online: bool) -> None:
        self.online_label.setText("Online" if online else "Offline")
        icon = resources.icon("online" if online else "offline", tint=False)
        self.online_icon.setPixmap(icon.pixmap(12, 12))

    def set_sync_state(self, text: str) -> None:
        self.sync_label.setText(text)

    def set_badge(self, section: Section, count: int) -> None:
        """A count that needs attention (e.g. handoffs waiting) on the sidebar and in the title."""
        self._badges[section] = count
        item = self.sidebar.item(int(section))
        item.setText(f"{section.title} ({count})" if count else section.title)
        waiting = sum(self._badges.values())
        self.setWindowTitle(f"({waiting}) {self.TITLE}" if waiting else self.TITLE)

    def add_banner(self, banner: QWidget) -> None:
        """Show an app-wide banner (e.g. low credits) above every section."""
        self._column.insertWidget(self._column.indexOf(self.stack), banner)

    # --- slots ------------------------------------------------------------
    @Slot(int)
    def _on_sidebar_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self._state.setValue(self.SECTION_KEY, row)
        self.section_changed.emit(row)

    @Slot()
    def _on_find_triggered(self) -> None:
        focus_search = getattr(self.stack.currentWidget(), "focus_search", None)
        if callable(focus_search):
            focus_search()

    @Slot(object)
    def _on_messages_error_shown(self, error: ConsoleError) -> None:
        self._last_error = error
        self.error_banner.show_message(
            error.user_text(),
            error.user_action(),
            can_retry=False,
            offer_settings=isinstance(error, AuthError),
        )
        if isinstance(error, NetworkError | Unavailable):
            self.statusBar().showMessage(error.user_text(), 8000)

    @Slot(str)
    def _on_messages_info_shown(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    @Slot()
    def _on_banner_settings_requested(self) -> None:
        self.error_banner.hide()
        self.show_section(Section.SETTINGS)

    # --- helpers ----------------------------------------------------------
    def _setup_ui(self) -> None:
        central = QWidget()
        outer = QHBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(200)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for section in Section:
            item = QListWidgetItem(resources.icon(section.icon_name, self._dark), section.title)
            item.setToolTip(f"{section.title} (Ctrl+{int(section) + 1})")
            self.sidebar.addItem(item)
        outer.addWidget(self.sidebar)

        right = QWidget()
        column = QVBoxLayout(right)
        self._column = column
        column.setContentsMargins(16, 12, 16, 8)
        self.mode_banner = QFrame()
        self.mode_banner.setObjectName("ModeBanner")
        banner_layout = QHBoxLayout(self.mode_banner)
        banner_layout.setContentsMargins(10, 4, 10, 4)
        self.mode_label = QLabel(
            "Sandbox mode: everything here runs against local demo services. "
            "Nothing reaches a real platform, GitHub, Vercel or Stripe account."
        )
        self.mode_label.setWordWrap(True)
        banner_layout.addWidget(self.mode_label)
        self.mode_banner.hide()
        column.addWidget(self.mode_banner)
        self.error_banner = ErrorBanner()
        column.addWidget(self.error_banner)
        self.stack = QStackedWidget()
        for section in Section:
            self.stack.addWidget(self._pages[section])
        column.addWidget(self.stack, 1)
        outer.addWidget(right, 1)
        self.setCentralWidget(central)

        status = self.statusBar()
        self.account_label = QLabel()
        self.online_icon = QLabel()
        self.online_label = QLabel()
        self.sync_label = QLabel()
        status.addPermanentWidget(self.account_label)
        status.addPermanentWidget(self.online_icon)
        status.addPermanentWidget(self.online_label)
        status.addPermanentWidget(self.sync_label)
        self.set_online(False)
        self.set_sync_state("Not synced yet")

    def _setup_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        file_menu.addAction(self.quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.find_action = QAction("&Find", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        edit_menu.addAction(self.find_action)

        view_menu = self.menuBar().addMenu("&View")
        self.section_actions: list[QAction] = []
        for section in Section:
            action = QAction(section.title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{int(section) + 1}"))
            action.setData(int(section))
            action.triggered.connect(self._on_section_action_triggered)
            view_menu.addAction(action)
            self.section_actions.append(action)

    @Slot()
    def _on_section_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.show_section(Section(int(action.data())))

    def _connect_signals(self) -> None:
        self.sidebar.currentRowChanged.connect(self._on_sidebar_current_row_changed)
        self.quit_action.triggered.connect(self.close)
        self.find_action.triggered.connect(self._on_find_triggered)
        self._messages.error_shown.connect(self._on_messages_error_shown)
        self._messages.info_shown.connect(self._on_messages_info_shown)
        self.error_banner.settings_requested.connect(self._on_banner_settings_requested)

    def _restore_state(self) -> None:
        geometry = self._state.value(self.GEOMETRY_KEY)
        if not (geometry and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        try:
            section = int(self._state.value(self.SECTION_KEY, 0))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            section = 0
        self.sidebar.setCurrentRow(section if 0 <= section < len(Section) else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Override QWidget.closeEvent: remember where the window was."""
        self._state.setValue(self.GEOMETRY_KEY, self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)


def _loading_page() -> QWidget:
    label = QLabel("Loading…")
    label.setObjectName("EmptyText")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label
