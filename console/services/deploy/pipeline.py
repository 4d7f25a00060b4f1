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

What a step creates remotely is in the ledger (`ledger.Ledger`), written
before each create call (`StepContext.intend`). On failure (or cancellation)
the runner rolls back every finished step and the failed one, newest first:
the step's `undo` (what is not a resource: pointing production back), then
the ledger's resources of that step, which only this run created
(`ResourceRemover`). Kinds in `keep_on_failure` stay (a provisioning run keeps
its sub-organization, marked failed, for the retry). Steps of which something
was undone are no longer "done", so a retry (`Pipeline.run` on the failed run)
continues from the first step that must be redone (the failed step, or an
earlier one whose work was rolled back) and runs every step after it again.

A `soft` step's failure does not roll back: the run goes on and ends
``warning`` (a deployment that answers badly is kept for a person to look
at). Running a warning run again repeats that step and the ones after it.
`abandon` gives a run up for good: everything it created goes, kept kinds
too, and it ends ``abandoned``.
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
from console.log import log_failure
from console.services.deploy.events import (
    PipelineCompleted,
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
    no_progress,
)
from console.services.deploy.ledger import (
    CONTAINED,
    KEPT,
    LEFT_BEHIND,
    OWNED,
    REMOVED,
    Kind,
    Ledger,
    Resource,
    ResourceRemover,
    Vendor,
)
from console.store.db import Store
from console.store.models import PipelineRun

logger = logging.getLogger(__name__)

RUNNING = "running"
ROLLING_BACK = "rolling_back"
FAILED = "failed"
CANCELED = "canceled"
SUCCEEDED = "succeeded"
#: Ended, but a soft step failed (the health check): kept for a person to decide.
WARNING = "warning"
#: Given up for good: everything the run created was removed.
ABANDONED = "abandoned"
#: Statuses a restart must resume or roll back.
UNFINISHED = (RUNNING, ROLLING_BACK)
#: Statuses `abandon` accepts.
ABANDONABLE = (RUNNING, ROLLING_BACK, FAILED, CANCELED, WARNING)

_DONE = "_done"
_ATTEMPT = "_attempt"
#: A random token per run: run ids repeat across consoles (one store each) that
#: share a platform org, idempotency keys must not.
_TOKEN = "_token"
#: A rollback in progress gives the run up for good (survives a kill mid-rollback).
_FINAL = "_abandoning"
#: {"step", "message"} of the soft step that failed.
WARNING_KEY = "warning"


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

    @property
    def ledger(self) -> Ledger:
        return self._pipeline.ledger

    @property
    def warning(self) -> str | None:
        """The soft step's failure this run goes on with, if any."""
        warning = self.state.get(WARNING_KEY)
        return str(warning["message"]) if isinstance(warning, dict) else None

    def intend(
        self,
        vendor: Vendor,
        kind: Kind,
        name: str,
        *,
        parent_id: str | None = None,
        org_id: str | None = None,
        **detail: Any,
    ) -> int:
        """Write the ledger row of a resource this step is about to create (before the call)."""
        return self.ledger.intend(
            self.run_id,
            self.step,
            vendor,
            kind,
            name,
            parent_id=parent_id,
            org_id=org_id,
            detail=detail,
        )

    def owned(self, kind: Kind, name: str) -> Resource | None:
        """This run's row of `kind` named `name`, if it meant to create (or created) it."""
        return self.ledger.owned(self.run_id, kind, name)

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
    """One step: `run` does it; `undo` reverts what is not a ledger resource (returns a note).

    A `soft` step's failure ends the run as a warning instead of rolling it back.
    """

    name: str
    title: str
    run: StepFn
    undo: UndoFn | None = None
    soft: bool = False


FailureHook = Callable[[StepContext, str], Awaitable[None]]


@dataclass(frozen=True)
class RunAttention:
    """A run that ended for a person to decide: failed, canceled, or with a warning.

    Attributes:
        run_id: the PipelineRun.
        name: what it was about (the client, the app).
        status: failed, canceled or warning.
        step: the title of the step it failed in, or whose warning it carries.
        message: why.
    """

    run_id: int
    name: str
    status: str
    step: str
    message: str


class Pipeline:
    """Runs `steps` for PipelineRun rows of `kind`.

    Args:
        store: the local store (PipelineRun rows).
        kind: "deploy" or "provision".
        steps: the steps, in order.
        remover: removes the ledger's resources on rollback.
        on_failed: called after a rollback with the failed step's name (mark the
            subject failed with its log); errors in it are logged, not raised.
        on_abandoned: called after `abandon` removed everything (as `on_failed`).
        keep_on_failure: resource kinds a rollback keeps (only `abandon` removes them).
        result_url: the live URL to report in `PipelineCompleted`.
        result_warning: what to warn of in `PipelineCompleted` when a run
            succeeded without doing all it was for (a deployment production
            does not serve).
    """

    def __init__(
        self,
        store: Store,
        kind: str,
        steps: Sequence[Step],
        *,
        remover: ResourceRemover,
        on_failed: FailureHook | None = None,
        on_abandoned: FailureHook | None = None,
        keep_on_failure: frozenset[str] = frozenset(),
        result_url: Callable[[dict[str, Any]], str | None] | None = None,
        result_warning: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        self.store = store
        self.kind = kind
        self.steps = tuple(steps)
        self.ledger = Ledger(store)
        self.remover = remover
        self._on_failed = on_failed
        self._on_abandoned = on_abandoned
        self._keep = keep_on_failure
        self._result_url = result_url
        self._result_warning = result_warning

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

    def needs_attention(self) -> list[RunAttention]:
        """The newest run of each subject, where it ended failed, canceled or with a warning."""
        newest: dict[str, PipelineRun] = {}
        with self.store.read() as session:
            for row in session.scalars(
                select(PipelineRun).where(PipelineRun.kind == self.kind).order_by(PipelineRun.id)
            ):
                newest[row.subject] = row
        out: list[RunAttention] = []
        for row in newest.values():
            if row.status not in (FAILED, CANCELED, WARNING):
                continue
            state = row.state
            warning = state.get(WARNING_KEY)
            if isinstance(warning, dict):
                step, message = str(warning["step"]), str(warning["message"])
            else:
                step = str(state.get("failed_step") or row.step)
                failures = [e["text"] for e in row.log if str(e["text"]).startswith("failed:")]
                message = failures[-1].removeprefix("failed: ") if failures else row.status
            name = str(state.get("client_name") or state.get("app_name") or row.subject)
            out.append(RunAttention(row.id, name, row.status, self._title(step), message))
        return out

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
        if row.status == ABANDONED:
            raise PipelineFailed(run_id, row.step, "This run", RuntimeError("it was abandoned"))
        if row.status == ROLLING_BACK:  # killed while rolling back: finish that first
            failed = str(state.get("failed_step") or row.step)
            final = bool(state.get(_FINAL))
            await self._roll_back(
                ctx, failed, sink, status=ABANDONED if final else FAILED, final=final
            )
            raise PipelineFailed(run_id, failed, self._title(failed), RuntimeError("interrupted"))
        done: list[str] = list(state.get(_DONE, []))
        if row.status in (FAILED, CANCELED, WARNING):  # a retry (or a new check): a new attempt
            state[_ATTEMPT] = int(state.get(_ATTEMPT, 0)) + 1
        warned = state.pop(WARNING_KEY, None)
        if isinstance(warned, dict):  # repeat the soft step and every step after it
            names = [s.name for s in self.steps]
            done = [n for n in done if names.index(n) < names.index(str(warned["step"]))]
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
                # A bug gets its traceback in the log; an expected failure one line.
                log_failure(logger, exc, "%s run %d: step %s failed", self.kind, run_id, step.name)
                failure = PipelineFailed(run_id, step.name, step.title, exc)
                if step.soft:
                    message = failure.user_text()
                    state[WARNING_KEY] = {"step": step.name, "message": message}
                    state[_DONE] = done
                    self._save(run_id, state=state, note=(step.name, f"warning: {message}"))
                    sink(StepProgress(step.name, f"Kept, with a warning: {message}"))
                    sink(StepFinished(step.name, f"warning: {message}"))
                    continue
                self._save(run_id, note=(step.name, f"failed: {failure.user_text()}"))
                undone = await self._roll_back(ctx, step.name, sink)
                sink(StepFailed(step.name, failure.user_text(), *undone))
                raise failure from exc
            done.append(step.name)
            state[_DONE] = done
            self._save(run_id, state=state, note=(step.name, "finished"))
            sink(StepFinished(step.name))
        ctx.step = ""
        warning = ctx.warning
        status = WARNING if warning else SUCCEEDED
        self._save(run_id, status=status, step="", state=state, note=("", status))
        url = self._result_url(state) if self._result_url else None
        if warning is None and self._result_warning is not None:
            warning = self._result_warning(state)
        sink(PipelineCompleted(run_id, url, warning))
        logger.info("%s run %d %s", self.kind, run_id, status)
        return state

    async def abandon(
        self, run_id: int, progress: Progress | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Give a run up for good: remove everything it created (kept kinds too).

        For a run a restart left unfinished, a failed or canceled run (what
        its rollback kept) and a run that ended with a warning (all of it).

        Returns:
            What was undone (notes) and in which steps.
        """
        sink = progress or no_progress
        row = self.load(run_id)
        if row.status not in ABANDONABLE:
            return (), ()
        ctx = StepContext(self, run_id, dict(row.state))
        ctx.progress = sink
        if row.status == WARNING:
            failed = self.steps[-1].name
        else:
            failed = str(row.state.get("failed_step") or row.step or self.steps[0].name)
        return await self._roll_back(
            ctx, failed, sink, status=ABANDONED, reason="abandoned", final=True
        )

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
        final: bool = False,
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        state = ctx.state
        state["failed_step"] = failed
        state.pop(WARNING_KEY, None)
        if final:
            state[_FINAL] = True
        self._save(ctx.run_id, status=ROLLING_BACK, state=state, note=(failed, reason or None))
        done: list[str] = list(state.get(_DONE, []))
        names = [s.name for s in self.steps]
        upto = names.index(failed) if failed in names else len(names) - 1
        undone: list[str] = []
        undone_steps: list[str] = []
        for step in reversed(self.steps[: upto + 1]):
            ctx.step = step.name
            notes: list[str] = []
            if step.undo is not None:
                try:
                    note = await step.undo(ctx)
                except Exception as exc:  # keep undoing the rest; the log says what stayed
                    logger.warning(
                        "%s run %d: undo of %s failed: %s",
                        self.kind,
                        ctx.run_id,
                        step.name,
                        exc,
                        exc_info=_is_bug(exc),
                    )
                    self._save(ctx.run_id, note=(step.name, f"undo failed: {exc}"))
                else:
                    notes += [note] if note else []
            notes += await self._remove_resources(ctx, final=final)
            if notes:  # something was undone: the step must run again on retry
                if step.name in done:
                    done.remove(step.name)
                undone += notes
                undone_steps.append(step.name)
                for note in notes:
                    sink(StepProgress(step.name, f"Rolled back: {note}"))
            state[_DONE] = done
            self._save(
                ctx.run_id, state=state, note=(step.name, f"undone: {'; '.join(notes) or '-'}")
            )
        # A retry runs everything after the first step to redo (later steps used its output).
        prefix: list[str] = []
        for step in self.steps:
            if step.name not in done:
                break
            prefix.append(step.name)
        state[_DONE] = prefix
        hook = self._on_abandoned if final else self._on_failed
        if hook is not None:
            try:
                await hook(ctx, failed)
            except Exception as exc:  # the run still ends; the log says why
                logger.warning(
                    "%s run %d: marking %s: %s",
                    self.kind,
                    ctx.run_id,
                    status,
                    exc,
                    exc_info=_is_bug(exc),
                )
        self._save(ctx.run_id, status=status, state=state, note=(failed, status))
        return tuple(undone), tuple(undone_steps)

    async def _remove_resources(self, ctx: StepContext, *, final: bool) -> list[str]:
        """Remove what the current step of this run created, newest first; the notes."""
        ledger = self.ledger
        mine = ledger.of_run(ctx.run_id)
        projects = {r.remote_id for r in mine if r.kind == "vercel_project" and r.remote_id}
        notes: list[str] = []
        for resource in reversed([r for r in mine if r.step == ctx.step]):
            if resource.kind in self._keep and not final:
                # Not undone: the retry goes on with it.
                ctx.emit(f"Kept {resource.label} for the retry")
                continue
            if resource.kind in CONTAINED and resource.parent_id in projects:
                continue  # settled with its project (below, when the project is removed)
            outcome = await self.remover.remove(resource)
            left = outcome.status == LEFT_BEHIND
            ledger.mark(resource.id, outcome.status, outcome.note if left else None)
            if resource.kind == "vercel_project" and resource.remote_id:
                inside = REMOVED if outcome.status == REMOVED else KEPT
                for item in ledger.of_run(ctx.run_id, statuses=OWNED):
                    if item.kind in CONTAINED and item.parent_id == resource.remote_id:
                        ledger.mark(item.id, inside)
            notes.append(f"left behind {resource.label}: {outcome.note}" if left else outcome.note)
        return notes

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


def _is_bug(error: BaseException) -> bool:
    """Not a `ConsoleError` (offline, refused, bad input): its traceback is what fixes it."""
    return not isinstance(error, ConsoleError)
