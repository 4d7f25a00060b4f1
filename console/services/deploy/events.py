"""Typed progress events of the deploy and provisioning pipelines.

Views render a pipeline's step list only from these events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StepStarted:
    """A step began (or resumed). `index` counts from 0 out of `total`."""

    step: str
    title: str
    index: int
    total: int


@dataclass(frozen=True, slots=True)
class StepProgress:
    """Something happened inside a step: a message, a readyState, a build log line."""

    step: str
    message: str
    ready_state: str | None = None
    log_line: str | None = None
    elapsed: float = 0.0


@dataclass(frozen=True, slots=True)
class StepFinished:
    step: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StepFailed:
    """A step failed; `rolled_back` says what the rollback undid, in which `undone_steps`."""

    step: str
    error: str
    rolled_back: tuple[str, ...] = ()
    undone_steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PipelineCompleted:
    """The whole run ended; `url` is the live URL if there is one.

    `warning` says what a soft step found wrong (the health check failed: the
    deployment is kept, for a person to look at or roll back), or what a run
    that succeeded could not do (production is pinned to another deployment).
    """

    run_id: int
    url: str | None = None
    warning: str | None = None


ProgressEvent = StepStarted | StepProgress | StepFinished | StepFailed | PipelineCompleted
Progress = Callable[[ProgressEvent], None]


def no_progress(_event: ProgressEvent) -> None:
    """The default progress sink: drops every event."""
