"""The shell as a user meets it: sections by click and shortcut, state remembered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from console.app import build_shell, parse_args
from console.composition import Console
from console.views.main_window import Section

ConsoleFactory = Callable[..., Console]


@pytest.fixture
def console_factory(qtbot: QtBot, qloop: object, data_dir: Path) -> Iterator[ConsoleFactory]:
    made: list[Console] = []

    def make(*argv: str) -> Console:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        options = parse_args(["--data-dir", str(data_dir), *argv])
        window, messages = build_shell(app, options.paths.ensure())
        console = Console(app, window, messages, options)
        qtbot.addWidget(console.window)
        made.append(console)
        return console

    yield make
    for console in made:
        console.tasks.cancel_all()
        console.store_bridge.detach()
        console.store.close()


def _activate(qtbot: QtBot, window: QWidget) -> None:
    # Shortcuts reach only the active window; waitActive alone can return
    # before QApplication agrees, so wait for that.
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_main_window_sections_switch_by_click(
    qtbot: QtBot, console_factory: ConsoleFactory
) -> None:
    window = console_factory().window
    window.show()
    qtbot.waitExposed(window)
    for section in Section:
        item = window.sidebar.item(int(section))
        rect = window.sidebar.visualItemRect(item)
        qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_section() is section
        assert window.stack.currentWidget() is window.page(section)


def test_main_window_sections_switch_by_shortcut(
    qtbot: QtBot, console_factory: ConsoleFactory
) -> None:
    window = console_factory().window
    _activate(qtbot, window)
    for section in reversed(Section):
        key = getattr(Qt.Key, f"Key_{int(section) + 1}")
        with qtbot.waitSignal(window.section_changed, timeout=2000) as blocker:
            qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert blocker.args == [int(section)]
        assert window.current_section() is section


def test_main_window_remembers_geometry_and_section(
    qtbot: QtBot, console_factory: ConsoleFactory
) -> None:
    first = console_factory().window
    first.show()
    qtbot.waitExposed(first)
    # The offscreen screen is 800x600; restoreGeometry keeps windows on screen.
    first.resize(797, 503)
    first.show_section(Section.CREDITS)
    first.close()

    second = console_factory().window
    assert second.current_section() is Section.CREDITS
    assert (second.width(), second.height()) == (797, 503)


def test_main_window_says_sandbox_without_accounts(console_factory: ConsoleFactory) -> None:
    console = console_factory()
    assert console.sandbox
    assert console.window.account_label.text() == "Sandbox"
    assert not console.window.mode_banner.isHidden()


def test_main_window_quit_shortcut_closes(qtbot: QtBot, console_factory: ConsoleFactory) -> None:
    window = console_factory().window
    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_main_window_badge_counts_on_sidebar_and_title(console_factory: ConsoleFactory) -> None:
    window = console_factory().window

    window.set_badge(Section.CONVERSATIONS, 3)
    assert window.sidebar.item(int(Section.CONVERSATIONS)).text() == "Conversations (3)"
    assert window.windowTitle() == "(3) L4YERCAK3 Operator Console"

    window.set_badge(Section.CONVERSATIONS, 0)
    assert window.sidebar.item(int(Section.CONVERSATIONS)).text() == "Conversations"
    assert window.windowTitle() == "L4YERCAK3 Operator Console"
