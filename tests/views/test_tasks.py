"""ViewTask: errors routed, latest-wins keys, busy widgets restored."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from console.errors import ConsoleError, NetworkError, UserInputError
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner


@pytest.fixture
def owner(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_tasks_console_error_goes_to_message_bridge(
    qtbot: QtBot, qloop: object, owner: QWidget
) -> None:
    messages = MessageBridge()
    runner = TaskRunner(messages)

    async def fail() -> None:
        raise NetworkError("platform did not answer", remote="platform")

    with qtbot.waitSignal(messages.error_shown) as blocker:
        runner.start(owner, fail())
    assert isinstance(blocker.args[0], NetworkError)


def test_tasks_unexpected_error_is_logged_and_shown(
    qtbot: QtBot, qloop: object, owner: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    messages = MessageBridge()
    runner = TaskRunner(messages)

    async def crash() -> None:
        raise KeyError("x")

    with qtbot.waitSignal(messages.error_shown) as blocker:
        runner.start(owner, crash())
    error = blocker.args[0]
    assert isinstance(error, ConsoleError)
    assert "KeyError" in error.user_text()
    assert any(r.exc_info for r in caplog.records)
    caplog.clear()


def test_tasks_same_key_cancels_previous_and_restores_busy(
    qtbot: QtBot, qloop: object, owner: QWidget
) -> None:
    runner = TaskRunner(MessageBridge())
    button = QPushButton()
    qtbot.addWidget(button)
    results: list[int] = []

    async def slow(value: int) -> int:
        await asyncio.sleep(0.05)
        return value

    first = runner.start(owner, slow(1), key="search", busy=[button], on_success=results.append)
    assert not button.isEnabled()
    second = runner.start(owner, slow(2), key="search", on_success=results.append)
    qtbot.waitUntil(second.done)
    assert first.cancelled()
    assert results == [2]
    assert button.isEnabled()
    assert runner.running == 0


def test_tasks_cancelled_when_owner_destroyed(qtbot: QtBot, qloop: object) -> None:
    runner = TaskRunner(MessageBridge())
    owner = QWidget()

    async def forever() -> None:
        await asyncio.Event().wait()

    task = runner.start(owner, forever())
    owner.deleteLater()
    qtbot.waitUntil(task.done)
    assert task.cancelled()


def test_tasks_done_means_the_view_has_its_result(qtbot: QtBot, qloop: object) -> None:
    runner = TaskRunner(MessageBridge())
    owner = QWidget()
    qtbot.addWidget(owner)
    shown: list[int] = []
    failures: list[str] = []

    async def value() -> int:
        return 7

    async def broken() -> int:
        raise UserInputError("no")

    ok = runner.start(owner, value(), on_success=shown.append)
    bad = runner.start(owner, broken(), on_error=lambda e: failures.append(e.user_text()))
    # Checked the moment the tasks are done, with no event processed in between.
    qtbot.waitUntil(lambda: ok.done() and bad.done())
    assert shown == [7]
    assert failures == ["no"]
