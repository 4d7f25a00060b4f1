"""A generic resumable step runner, persisted in `PipelineRun` after each step.

A pipeline is an ordered list of `Step`s. Each step's `run` does its remote
work and keeps what it made in the run's `state` (ids only, never secrets);
`StepContext.checkpoint()` persists the state mid-step, *before* a remote call
whose result must not be lost (so a kill between the call and the end of the
step still knows what it may have created). After every step the state and the
step log are committed, so a console closed or killed mid-run can:

- resume (`Pipeline.run(run_id)` again): finished steps are skipped, the
  interrupted step runs again (steps are written to be repeatable);
- or roll back (`Pipeline.abandon(run_id)`).

On failure (or cancellation) the runner calls the `undo` of every finished
step and of the failed one, newest first; undos only touch what `state` says
this run created. Steps whose undo undid something are no longer "done", so a retry
(`Pipeline.run` on the failed run) continues from the first step that must be
redone (the failed step, or an earlier one whose work was rolled back) and runs
every step after it again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from console.errors import ConsoleError
from console.services.deploy.events import (
    PipelineCompleted,
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
    no_progress,
)
from console.store.db import Store
from console.store.models import PipelineRun

logger = logging.getLogger(__name__)

RUNNING = "running"
ROLLING_BACK = "rolling_back"
FAILED = "failed"
CANCELED = "canceled"
SUCCEEDED = "succeeded"
#: Statuses a restart must resume or roll back.
UNFINISHED = (RUNNING, ROLLING_BACK)

_DONE = "_done"
_ATTEMPT = "_attempt"
#: A random token per run: run ids repeat across consoles (one store each) that
#: share a platform org, idempotency keys must not.
_TOKEN = "_token"


class PipelineFailed(ConsoleError):
    """A pipeline step failed and the run was rolled back.

    Attributes:
        run_id: the PipelineRun.
        step: name of the failed step.
        cause: the error the step raised.
    """

    action = "Fix the cause, then retry: the run continues from the failed step."

    def __init__(self, run_id: int, step: str, title: str, cause: BaseException) -> None:
        reason = cause.user_text() if isinstance(cause, ConsoleError) else str(cause)
        super().__init__(f"{title} failed: {reason or type(cause).__name__}")
        self.run_id = run_id
        self.step = step
        self.cause = cause


class StepContext:
    """What a step sees: the run's state, a progress sink and `checkpoint()`.

    Attributes:
        run_id: the PipelineRun id.
        state: JSON-able state shared by the steps (ids, names; no secrets).
        step: the current step's name.
    """

    def __init__(self, pipeline: Pipeline, run_id: int, state: dict[str, Any]) -> None:
        self._pipeline = pipeline
        self.run_id = run_id
        self.state = state
        self.step = ""
        self.progress: Progress = no_progress
        self._started = asyncio.get_running_loop().time()

    def emit(
        self, message: str, *, ready_state: str | None = None, log_line: str | None = None
    ) -> None:
        """Report progress inside the current step."""
        elapsed = asyncio.get_running_loop().time() - self._started
        self.progress(StepProgress(self.step, message, ready_state, log_line, elapsed))

    def checkpoint(self, note: str | None = None) -> None:
        """Persist `state` now (before a remote call that creates something)."""
        self._pipeline._save(
            self.run_id, state=self.state, note=(self.step, note) if note else None
        )

    def idempotency_key(self, what: str, *, per_attempt: bool = True) -> str:
        """A key for a platform write, stable across resumes (the platform replays it).

        Args:
            what: which write.
            per_attempt: a retry after a failure is a new attempt and gets new
                keys (its bodies can differ: a new deployment id...). Pass False
                for writes whose body never changes (creating the sub-org), so
                even a retry cannot create a second one.
        """
        attempt = int(self.state.get(_ATTEMPT, 0))
        suffix = f"-a{attempt}" if per_attempt and attempt else ""
        token = self.state.get(_TOKEN) or self.run_id
        return f"{self._pipeline.kind}-{token}-{what}{suffix}"


StepFn = Callable[[StepContext], Awaitable[None]]
UndoFn = Callable[[StepContext], Awaitable[str | None]]


@dataclass(frozen=True)
class Step:
    """One step: `run` does it; `undo` removes what this run created (returns a note)."""

    name: str
    title: str
    run: StepFn
    undo: UndoFn | None = None


FailureHook = Callable[[StepContext, str], Awaitable[None]]


class Pipeline:
    """Runs `steps` for PipelineRun rows of `kind`.

    Args:
        store: the local store (PipelineRun rows).
        kind: "deploy" or "provision".
        steps: the steps, in order.
        on_failed: called after a rollback with the failed step's name (mark the
            subject failed with its log); errors in it are logged, not raised.
        result_url: the live URL to report in `PipelineCompleted`.
    """

    def __init__(
        self,
        store: Store,
        kind: str,
        steps: Sequence[Step],
        *,
        on_failed: FailureHook | None = None,
        result_url: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        self.store = store
        self.kind = kind
        self.steps = tuple(steps)
        self._on_failed = on_failed
        self._result_url = result_url

    # ------------------------------------------------------------------ public API

    def create(self, subject: str, state: dict[str, Any]) -> int:
        """A new run (status running, no step done yet); returns its id."""
        with self.store.write() as tx:
            state = {**state, _TOKEN: secrets.token_hex(8)}
            row = PipelineRun(kind=self.kind, subject=subject, status=RUNNING, state=state)
            tx.session.add(row)
            tx.session.flush()
            run_id = row.id
        logger.info("%s run %d created for %s", self.kind, run_id, subject)
        return run_id

    def unfinished(self) -> list[int]:
        """Runs of this kind a restart must resume or roll back, oldest first."""
        with self.store.read() as session:
            rows = session.scalars(
                select(PipelineRun.id)
                .where(PipelineRun.kind == self.kind, PipelineRun.status.in_(UNFINISHED))
                .order_by(PipelineRun.id)
            )
            return list(rows)

    def load(self, run_id: int) -> PipelineRun:
        with self.store.read() as session:
            row = session.get(PipelineRun, run_id)
            if row is None:
                raise KeyError(run_id)
            return row

    async def run(self, run_id: int, progress: Progress | None = None) -> dict[str, Any]:
        """Run (or resume, or retry) `run_id` to the end.

        Returns:
            The final state.

        Raises:
            PipelineFailed: a step failed; the run was rolled back and marked failed.
            asyncio.CancelledError: cancelled; the run was rolled back and marked canceled.
        """
        sink = progress or no_progress
        row = self.load(run_id)
        state = dict(row.state)
        if row.status == SUCCEEDED:
            return state
        ctx = StepContext(self, run_id, state)
        ctx.progress = sink
        if row.status == ROLLING_BACK:  # killed while rolling back: finish that first
            failed = str(state.get("failed_step") or row.step)
            await self._roll_back(ctx, failed, sink)
            raise PipelineFailed(run_id, failed, self._title(failed), RuntimeError("interrupted"))
        done: list[str] = list(state.get(_DONE, []))
        if row.status in (FAILED, CANCELED):  # a retry: a new attempt
            state[_ATTEMPT] = int(state.get(_ATTEMPT, 0)) + 1
        self._save(run_id, status=RUNNING, state=state)
        total = len(self.steps)
        for index, step in enumerate(self.steps):
            if step.name in done:
                continue
            ctx.step = step.name
            sink(StepStarted(step.name, step.title, index, total))
            self._save(run_id, step=step.name, note=(step.name, "started"))
            try:
                await step.run(ctx)
            except asyncio.CancelledError:
                logger.info("%s run %d canceled in step %s", self.kind, run_id, step.name)
                undone = await self._roll_back(ctx, step.name, sink, status=CANCELED)
                sink(StepFailed(step.name, "Canceled", *undone))
                raise
            except Exception as exc:
                logger.info(
                    "%s run %d: step %s failed: %s",
                    self.kind,
                    run_id,
                    step.name,
                    type(exc).__name__,
                )
                failure = PipelineFailed(run_id, step.name, step.title, exc)
                self._save(run_id, note=(step.name, f"failed: {failure.user_text()}"))
                undone = await self._roll_back(ctx, step.name, sink)
                sink(StepFailed(step.name, failure.user_text(), *undone))
                raise failure from exc
            done.append(step.name)
            state[_DONE] = done
            self._save(run_id, state=state, note=(step.name, "finished"))
            sink(StepFinished(step.name))
        self._save(run_id, status=SUCCEEDED, step="", state=state, note=("", "succeeded"))
        url = self._result_url(state) if self._result_url else None
        sink(PipelineCompleted(run_id, url))
        logger.info("%s run %d succeeded", self.kind, run_id)
        return state

    async def abandon(
        self, run_id: int, progress: Progress | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Roll back an unfinished run instead of resuming it.

        Returns:
            What was undone (notes) and in which steps.
        """
        sink = progress or no_progress
        row = self.load(run_id)
        if row.status not in UNFINISHED:
            return (), ()
        ctx = StepContext(self, run_id, dict(row.state))
        ctx.progress = sink
        failed = str(row.state.get("failed_step") or row.step or self.steps[0].name)
        return await self._roll_back(ctx, failed, sink, reason="abandoned after a restart")

    # ------------------------------------------------------------------ helpers

    def _title(self, name: str) -> str:
        return next((s.title for s in self.steps if s.name == name), name)

    async def _roll_back(
        self,
        ctx: StepContext,
        failed: str,
        sink: Progress,
        *,
        status: str = FAILED,
        reason: str = "",
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        state = ctx.state
        state["failed_step"] = failed
        self._save(ctx.run_id, status=ROLLING_BACK, state=state, note=(failed, reason or None))
        done: list[str] = list(state.get(_DONE, []))
        names = [s.name for s in self.steps]
        upto = names.index(failed) if failed in names else len(names) - 1
        undone: list[str] = []
        undone_steps: list[str] = []
        for step in reversed(self.steps[: upto + 1]):
            if step.undo is None:
                continue
            ctx.step = step.name
            try:
                note = await step.undo(ctx)
            except Exception as exc:  # keep undoing the rest; the log says what stayed
                logger.warning(
                    "%s run %d: undo of %s failed: %s", self.kind, ctx.run_id, step.name, exc
                )
                self._save(ctx.run_id, note=(step.name, f"undo failed: {exc}"))
                continue
            if note:  # something was undone: the step must run again on retry
                if step.name in done:
                    done.remove(step.name)
                undone.append(note)
                undone_steps.append(step.name)
                sink(StepProgress(step.name, f"Rolled back: {note}"))
            state[_DONE] = done
            self._save(ctx.run_id, state=state, note=(step.name, f"undone: {note or '-'}"))
        # A retry runs everything after the first step to redo (later steps used its output).
        prefix: list[str] = []
        for step in self.steps:
            if step.name not in done:
                break
            prefix.append(step.name)
        state[_DONE] = prefix
        if self._on_failed is not None:
            try:
                await self._on_failed(ctx, failed)
            except Exception as exc:
                logger.warning("%s run %d: marking failed: %s", self.kind, ctx.run_id, exc)
        self._save(ctx.run_id, status=status, state=state, note=(failed, status))
        return tuple(undone), tuple(undone_steps)

    def _save(
        self,
        run_id: int,
        *,
        status: str | None = None,
        step: str | None = None,
        state: dict[str, Any] | None = None,
        note: tuple[str, str | None] | None = None,
    ) -> None:
        with self.store.write() as tx:
            row = tx.session.get(PipelineRun, run_id)
            if row is None:
                raise KeyError(run_id)
            if status is not None:
                row.status = status
            if step is not None:
                row.step = step
            if state is not None:
                row.state = dict(state)
            if note is not None and note[1]:
                now = datetime.now(UTC)
                row.log = [*row.log, {"at": now.isoformat(), "step": note[0], "text": note[1]}]
            row.updated_at = datetime.now(UTC)
