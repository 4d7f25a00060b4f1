"""Simulated builds: states and build events as pure functions of time.

A simulated deployment (the fast tests, and machines without Node.js) has
its whole life decided when it is created: its phase durations
(`BuildTiming`), its outcome (ready, error or hang) and its build log. Every
read then computes the state and the visible events from the wall clock, so
nothing runs in the background, the state survives a restart, and tests can
drive time with an injected clock. Real builds (`console.sandbox.vercel.runner`)
store their states and events instead.

Timeline (offsets from `createdAt`):

    0 ............ QUEUED
    q ............ INITIALIZING  (clone)
    q+i .......... BUILDING      (`vercel build`, `npm install`, `next build`)
    q+i+b ........ READY or ERROR (a hanging build stays BUILDING forever)

A cancel at time c freezes the timeline there: the state becomes CANCELED and
only the events before c, plus a closing "canceled" pair, are visible.

Real Vercel also has a `BLOCKED` readyState (newer than the contract in
tests/data/contracts/vercel.json); the sandbox never returns it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from console.sandbox.vercel.regions import DEFAULT_REGION, build_location_line

logger = logging.getLogger(__name__)

ReadyState = Literal["QUEUED", "INITIALIZING", "BUILDING", "READY", "ERROR", "CANCELED"]
Outcome = Literal["ready", "error", "hang"]
EventType = Literal["command", "stdout", "stderr", "exit", "deployment-state"]

FINAL_STATES: frozenset[str] = frozenset({"READY", "ERROR", "CANCELED"})
NEXT_VERSION = "15.5.4"
DEFAULT_ERROR = "Type error: Property 'title' does not exist on type '{}'."
#: The `errorMessage` of a failed simulated build (Vercel names the command that failed).
SIMULATED_ERROR_SUMMARY = 'Command "npm run build" exited with 1'


@dataclass(frozen=True)
class BuildTiming:
    """Seconds a deployment spends in each non-final state.

    Tests use the default (0.2 s each); the demo uses a few seconds.
    """

    queued: float = 0.2
    initializing: float = 0.2
    building: float = 0.2

    @property
    def total(self) -> float:
        return self.queued + self.initializing + self.building


DEMO_TIMING = BuildTiming(queued=1.5, initializing=2.5, building=8.0)
"""What the embedded demo uses: a build you can watch (about 12 s)."""


@dataclass(frozen=True)
class Timeline:
    """The fixed plan of one deployment, in epoch milliseconds."""

    created: int
    queued_ms: int
    init_ms: int
    build_ms: int
    outcome: Outcome
    canceled_at: int | None = None

    @property
    def init_at(self) -> int:
        return self.created + self.queued_ms

    @property
    def building_at(self) -> int:
        return self.init_at + self.init_ms

    @property
    def finished_at(self) -> int | None:
        """When the build ends on its own (None for a hanging build)."""
        if self.outcome == "hang":
            return None
        return self.building_at + self.build_ms

    def natural_state(self, now: int) -> ReadyState:
        """The state at `now` ignoring any cancel."""
        if now < self.init_at:
            return "QUEUED"
        if now < self.building_at:
            return "INITIALIZING"
        finished = self.finished_at
        if finished is None or now < finished:
            return "BUILDING"
        return "READY" if self.outcome == "ready" else "ERROR"

    def state(self, now: int) -> ReadyState:
        if self.canceled_at is not None and now >= self.canceled_at:
            return "CANCELED"
        return self.natural_state(now)

    def ended_at(self, now: int) -> int | None:
        """When the deployment reached its final state, if it has by `now`."""
        state = self.state(now)
        if state == "CANCELED":
            return self.canceled_at
        if state in FINAL_STATES:
            return self.finished_at
        return None


@dataclass(frozen=True)
class BuildEvent:
    """One line of the build log (or a state change), `offset` ms after creation."""

    offset: int
    type: EventType
    text: str
    ready_state: ReadyState | None = None
    level: Literal["error", "warning"] | None = None


@dataclass(frozen=True)
class BuildSource:
    """What the build log talks about."""

    project_name: str
    repo: str  # "org/name" or "" when unknown
    ref: str
    sha: str
    error_message: str = DEFAULT_ERROR
    region: str = DEFAULT_REGION
    notice: str | None = None  # said first: why the build is simulated


def _spread(start: int, span: int, lines: list[tuple[EventType, str]]) -> list[BuildEvent]:
    """Place `lines` evenly in [start, start + span)."""
    count = max(len(lines), 1)
    return [
        BuildEvent(start + (span * index) // count, kind, text)
        for index, (kind, text) in enumerate(lines)
    ]


def _install_and_compile(source: BuildSource) -> list[tuple[EventType, str]]:
    return [
        ("command", 'Running "vercel build"'),
        ("stdout", "Vercel CLI 48.2.0"),
        ("command", 'Running "install" command: `npm install`...'),
        ("stdout", "added 312 packages, and audited 313 packages in 14s"),
        ("stdout", "found 0 vulnerabilities"),
        ("stdout", f"Detected Next.js version: {NEXT_VERSION}"),
        ("command", 'Running "npm run build"'),
        ("stdout", f"> {source.project_name}@0.1.0 build"),
        ("stdout", "> next build"),
        ("stdout", f"   \u25b2 Next.js {NEXT_VERSION}"),
        ("stdout", "   Creating an optimized production build ..."),
    ]


def _success_tail() -> list[tuple[EventType, str]]:
    return [
        ("stdout", " \u2713 Compiled successfully in 9.2s"),
        ("stdout", "   Linting and checking validity of types ..."),
        ("stdout", "   Collecting page data ..."),
        ("stdout", " \u2713 Generating static pages (5/5)"),
        ("stdout", "   Finalizing page optimization ..."),
        ("stdout", "   Collecting build traces ..."),
        ("stdout", "Route (app)                                 Size  First Load JS"),
        ("stdout", "\u250c \u25cb /                                    5.42 kB         107 kB"),
        ("stdout", "\u2514 \u25cb /_not-found                            993 B         103 kB"),
        ("stdout", "+ First Load JS shared by all             102 kB"),
        ("stdout", "\u25cb  (Static)  prerendered as static content"),
        ("stdout", "Build Completed in /vercel/output [38s]"),
        ("stdout", "Deploying outputs..."),
    ]


def _failure_tail(source: BuildSource) -> list[tuple[EventType, str]]:
    return [
        ("stderr", "Failed to compile."),
        ("stderr", "./app/page.tsx:14:7"),
        ("stderr", source.error_message),
        ("stderr", "Next.js build worker exited with code: 1 and signal: null"),
        ("stderr", 'Error: Command "npm run build" exited with 1'),
    ]


def build_log(timeline: Timeline, source: BuildSource) -> list[BuildEvent]:
    """Every event the build will ever emit, in order (before any cancel)."""
    clone_target = f"github.com/{source.repo}" if source.repo else "source files"
    clone: list[tuple[EventType, str]] = [
        ("stdout", build_location_line(source.region)),
        ("stdout", "Build machine configuration: 2 cores, 8 GB"),
        ("stdout", f"Cloning {clone_target} (Branch: {source.ref}, Commit: {source.sha[:7]})"),
        ("stdout", "Cloning completed: 412.000ms"),
    ]
    q = timeline.queued_ms
    events = [BuildEvent(0, "stdout", line) for line in (source.notice or "").splitlines()]
    events.append(BuildEvent(0, "deployment-state", "QUEUED", ready_state="QUEUED"))
    events.append(BuildEvent(q, "deployment-state", "INITIALIZING", ready_state="INITIALIZING"))
    events += _spread(q, timeline.init_ms, clone)
    start = timeline.building_at - timeline.created
    events.append(BuildEvent(start, "deployment-state", "BUILDING", ready_state="BUILDING"))
    compile_lines = _install_and_compile(source)
    if timeline.outcome == "hang":
        # The log stops at "Creating an optimized production build ..." and
        # nothing follows: a build that never ends.
        return events + _spread(start, timeline.build_ms // 2, compile_lines)
    tail = _success_tail() if timeline.outcome == "ready" else _failure_tail(source)
    events += _spread(start, timeline.build_ms, compile_lines + tail)
    end = start + timeline.build_ms
    if timeline.outcome == "ready":
        events.append(BuildEvent(end, "stdout", "Deployment completed"))
        events.append(BuildEvent(end, "exit", "exit code 0"))
        events.append(BuildEvent(end, "deployment-state", "READY", ready_state="READY"))
    else:
        events.append(BuildEvent(end, "exit", "exit code 1", level="error"))
        events.append(BuildEvent(end, "deployment-state", "ERROR", ready_state="ERROR"))
    return events


def visible_events(timeline: Timeline, source: BuildSource, now: int) -> list[BuildEvent]:
    """The events a client can see at `now` (respecting a cancel)."""
    elapsed = now - timeline.created
    cutoff = elapsed
    canceled = timeline.canceled_at is not None and now >= timeline.canceled_at
    if canceled:
        assert timeline.canceled_at is not None
        cutoff = timeline.canceled_at - timeline.created
    events = [event for event in build_log(timeline, source) if event.offset <= cutoff]
    if canceled:
        events = [e for e in events if e.ready_state not in {"READY", "ERROR"}]
        events.append(BuildEvent(cutoff, "stderr", "The build was canceled.", level="warning"))
        events.append(BuildEvent(cutoff, "deployment-state", "CANCELED", ready_state="CANCELED"))
    return events
