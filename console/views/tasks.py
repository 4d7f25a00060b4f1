"""ViewTask: the only way a view starts async work.

`tasks.start(owner, coro, key=..., busy=..., on_success=..., on_error=..., on_done=...)`
schedules the coroutine on the running (qasync) loop, keeps a strong
reference until it ends, cancels the owner's tasks when the owner is
destroyed, disables `busy` widgets meanwhile, and routes errors: a
`ConsoleError` to `on_error` or the MessageBridge, anything else is logged
with its traceback and shown as an unexpected error. `on_done` sees the
finished task however it ended (cancelled included), unless the owner is
already gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

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
        on_done: Callable[[asyncio.Task[T]], None] | None = None,
    ) -> asyncio.Task[T]:
        owner_id = id(owner)
        if key is not None:
            previous = self._keyed.pop((owner_id, key), None)
            if previous is not None:
                previous.cancel()
        busy_widgets = [w for w in busy if w.isEnabled()]
        for widget in busy_widgets:
            widget.setEnabled(False)

        def release() -> None:
            for widget in busy_widgets:
                with contextlib.suppress(RuntimeError):  # deleted meanwhile
                    widget.setEnabled(True)

        async def run() -> T:
            # The outcome is handled inside the task, so once a task is done its
            # view has already shown the result: awaiting it (or waiting for
            # `done()`) never races the callbacks.
            # `busy` widgets come back before the callbacks run, so the view's own
            # state (say, a button a failed take-over leaves disabled) has the last word.
            try:
                try:
                    result = await coro
                finally:
                    release()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._route(error, on_error)
                raise
            if on_success is not None:
                try:
                    on_success(result)
                except Exception as error:
                    self._route(error, None)  # a bug in the view: unexpected, not the work's
                    raise
            return result

        task: asyncio.Task[T] = asyncio.ensure_future(run())
        self._tasks.add(task)
        if key is not None:
            self._keyed[(owner_id, key)] = task
        if owner_id not in self._owners:
            self._owners[owner_id] = set()
            owner.destroyed.connect(lambda: self._cancel_owner(owner_id))
        self._owners[owner_id].add(task)

        def _forget(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            self._owners.get(owner_id, set()).discard(done)
            if key is not None and self._keyed.get((owner_id, key)) is done:
                del self._keyed[(owner_id, key)]
            if done.cancelled():
                # Cancelled before it ever ran: `run` never started, so neither did `coro`.
                release()
                coro.close()
            else:
                done.exception()  # handled inside the task: mark it retrieved

        task.add_done_callback(_forget)
        if on_done is not None:
            # Closing a window cancels its tasks; the callbacks must not touch its deleted widgets.
            task.add_done_callback(lambda done: on_done(done) if Shiboken.isValid(owner) else None)
        return task

    def _route(self, error: Exception, on_error: Callable[[ConsoleError], None] | None) -> None:
        """A `ConsoleError` to `on_error` (or the MessageBridge); anything else is a bug."""
        if not isinstance(error, ConsoleError):
            logger.error("unexpected error in a view task", exc_info=error)
            error = UnexpectedError(f"Unexpected error: {type(error).__name__}: {error}")
        if on_error is not None:
            on_error(error)
        else:
            self._messages.show_error(error)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _cancel_owner(self, owner_id: int) -> None:
        for task in self._owners.pop(owner_id, set()):
            task.cancel()
