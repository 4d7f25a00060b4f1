"""ViewTask: the only way a view starts async work (STYLE.md section 3).

`tasks.start(owner, coro, key=..., busy=..., on_success=..., on_error=...)`
schedules the coroutine on the running (qasync) loop, keeps a strong
reference until it ends, cancels the owner's tasks when the owner is
destroyed, disables `busy` widgets meanwhile, and routes errors: a
`ConsoleError` to `on_error` or the MessageBridge, anything else is logged
with its traceback and shown as an unexpected error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from console.errors import ConsoleError
from console.views.messages import MessageBridge

logger = logging.getLogger(__name__)

T = TypeVar("T")


class UnexpectedError(ConsoleError):
    action = "Details are in the log file (Settings > Diagnostics)."


class TaskRunner(QObject):
    """Runs view coroutines on the asyncio loop and tracks them."""

    def __init__(self, messages: MessageBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messages = messages
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keyed: dict[tuple[int, str], asyncio.Task[Any]] = {}
        self._owners: dict[int, set[asyncio.Task[Any]]] = {}

    @property
    def running(self) -> int:
        return len(self._tasks)

    def start(
        self,
        owner: QObject,
        coro: Coroutine[Any, Any, T],
        *,
        key: str | None = None,
        busy: Iterable[QWidget] = (),
        on_success: Callable[[T], None] | None = None,
        on_error: Callable[[ConsoleError], None] | None = None,
    ) -> asyncio.Task[T]:
        owner_id = id(owner)
        if key is not None:
            previous = self._keyed.pop((owner_id, key), None)
            if previous is not None:
                previous.cancel()
        busy_widgets = [w for w in busy if w.isEnabled()]
        for widget in busy_widgets:
            widget.setEnabled(False)
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        if key is not None:
            self._keyed[(owner_id, key)] = task
        if owner_id not in self._owners:
            self._owners[owner_id] = set()
            owner.destroyed.connect(lambda: self._cancel_owner(owner_id))
        self._owners[owner_id].add(task)

        def _done(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            self._owners.get(owner_id, set()).discard(done)
            if key is not None and self._keyed.get((owner_id, key)) is done:
                del self._keyed[(owner_id, key)]
            for widget in busy_widgets:
                with contextlib.suppress(RuntimeError):  # deleted meanwhile
                    widget.setEnabled(True)
            if done.cancelled():
                return
            error = done.exception()
            if error is None:
                if on_success is not None:
                    on_success(done.result())
                return
            if not isinstance(error, ConsoleError):
                logger.error("unexpected error in a view task", exc_info=error)
                error = UnexpectedError(f"Unexpected error: {type(error).__name__}: {error}")
            if on_error is not None:
                on_error(error)
            else:
                self._messages.show_error(error)

        task.add_done_callback(_done)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _cancel_owner(self, owner_id: int) -> None:
        for task in self._owners.pop(owner_id, set()):
            task.cancel()
