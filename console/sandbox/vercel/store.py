"""SQLite state of the Vercel sandbox (stdlib sqlite3, one file, survives restarts).

Rows hold what a client created plus how each deployment builds: a simulated
one keeps its fixed plan (`builds.Timeline`) and its state is computed from
the clock on read; a real one keeps its state, its phase times and its build
events (`build_events`), written as the build goes. One connection is shared
by the server thread and the test thread behind a lock: every operation is a
few small statements.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from console.sandbox.vercel.builds import (
    FINAL_STATES,
    SIMULATED_ERROR_SUMMARY,
    BuildEvent,
    BuildSource,
    Outcome,
    ReadyState,
    Timeline,
)
from console.sandbox.vercel.regions import DEFAULT_REGION

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    framework TEXT,
    link TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    promoted_deployment_id TEXT,
    promoted_at INTEGER,
    health_status INTEGER NOT NULL DEFAULT 200,
    region TEXT NOT NULL DEFAULT 'iad1',
    auto_assign INTEGER NOT NULL DEFAULT 1,
    last_alias_request TEXT
);
CREATE TABLE IF NOT EXISTS envs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    type TEXT NOT NULL,
    targets TEXT NOT NULL,
    git_branch TEXT,
    comment TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL UNIQUE,
    target TEXT,
    created_at INTEGER NOT NULL,
    queued_ms INTEGER NOT NULL,
    init_ms INTEGER NOT NULL,
    build_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error_message TEXT NOT NULL,
    canceled_at INTEGER,
    git_source TEXT,
    meta TEXT NOT NULL,
    build_id TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT 'iad1',
    mode TEXT NOT NULL DEFAULT 'simulated',
    state TEXT,
    booted_at INTEGER,
    building_at INTEGER,
    ended_at INTEGER,
    notice TEXT
);
CREATE INDEX IF NOT EXISTS deployments_by_project ON deployments(project_id, created_at);
CREATE TABLE IF NOT EXISTS build_events (
    deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    offset_ms INTEGER NOT NULL,
    type TEXT NOT NULL,
    text TEXT NOT NULL,
    ready_state TEXT,
    level TEXT,
    PRIMARY KEY (deployment_id, seq)
);
CREATE TABLE IF NOT EXISTS domains (
    name TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    apex_name TEXT NOT NULL,
    verified INTEGER NOT NULL,
    txt_present INTEGER NOT NULL DEFAULT 0,
    dns_configured INTEGER NOT NULL DEFAULT 0,
    challenge TEXT NOT NULL,
    redirect TEXT,
    redirect_status INTEGER,
    git_branch TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS build_overrides (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    outcome TEXT NOT NULL,
    message TEXT
);
"""
#: Columns added since the first schema: files an older console wrote lack them.
_ADDED_COLUMNS = (
    ("projects", "region", "TEXT NOT NULL DEFAULT 'iad1'"),
    ("projects", "auto_assign", "INTEGER NOT NULL DEFAULT 1"),
    ("projects", "last_alias_request", "TEXT"),
    ("deployments", "region", "TEXT NOT NULL DEFAULT 'iad1'"),
    ("deployments", "mode", "TEXT NOT NULL DEFAULT 'simulated'"),
    ("deployments", "state", "TEXT"),
    ("deployments", "booted_at", "INTEGER"),
    ("deployments", "building_at", "INTEGER"),
    ("deployments", "ended_at", "INTEGER"),
    ("deployments", "notice", "TEXT"),
)
_FINAL_SQL = ", ".join(f"'{state}'" for state in sorted(FINAL_STATES))

BuildMode = Literal["simulated", "real"]


@dataclass(frozen=True)
class ProjectRow:
    """A project.

    `auto_assign` is Vercel's ``autoAssignCustomDomains``: off after a
    rollback, when production stays on `promoted_deployment_id` whatever
    deploys next. `last_alias_request` is the last promote or rollback, as
    Vercel's ``lastAliasRequest`` reports it.
    """

    id: str
    name: str
    framework: str | None
    link: dict[str, Any] | None
    created_at: int
    updated_at: int
    promoted_deployment_id: str | None
    promoted_at: int | None
    health_status: int
    region: str = DEFAULT_REGION
    auto_assign: bool = True
    last_alias_request: dict[str, Any] | None = None


@dataclass(frozen=True)
class EnvRow:
    id: str
    project_id: str
    key: str
    value: str
    type: str
    targets: list[str]
    git_branch: str | None
    comment: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class Phases:
    """Where a deployment is at one instant (epoch milliseconds)."""

    state: ReadyState
    booted_at: int
    building_at: int
    ended_at: int | None


@dataclass(frozen=True)
class DeploymentRow:
    """One deployment.

    A simulated one (`mode` "simulated") lives by its timeline columns
    (`queued_ms`... `outcome`, `canceled_at`) and `error_message` is the
    error its canned log prints. A real one keeps `state` and the times it
    reached each phase; its `error_message` is what `errorMessage` reports,
    and of the timeline columns it uses only `canceled_at`.
    """

    id: str
    project_id: str
    name: str
    url: str
    target: str | None
    created_at: int
    queued_ms: int
    init_ms: int
    build_ms: int
    outcome: Outcome
    error_message: str
    canceled_at: int | None
    git_source: dict[str, Any] | None
    meta: dict[str, str]
    build_id: str
    region: str = DEFAULT_REGION
    mode: BuildMode = "simulated"
    state: ReadyState | None = None
    booted_at: int | None = None
    building_at: int | None = None
    ended_at: int | None = None
    notice: str | None = None

    def phases(self, now: int) -> Phases:
        """The state at `now` and when each phase began."""
        if self.mode == "simulated":
            timeline = self.timeline
            return Phases(
                timeline.state(now), timeline.init_at, timeline.building_at, timeline.ended_at(now)
            )
        booted = self.booted_at or self.created_at
        return Phases(self.state or "QUEUED", booted, self.building_at or booted, self.ended_at)

    @property
    def error_summary(self) -> str:
        """What `errorMessage` says once the build failed."""
        return self.error_message if self.mode == "real" else SIMULATED_ERROR_SUMMARY

    @property
    def timeline(self) -> Timeline:
        return Timeline(
            created=self.created_at,
            queued_ms=self.queued_ms,
            init_ms=self.init_ms,
            build_ms=self.build_ms,
            outcome=self.outcome,
            canceled_at=self.canceled_at,
        )

    @property
    def source(self) -> BuildSource:
        org = self.meta.get("githubOrg", "")
        repo = self.meta.get("githubRepo", "")
        return BuildSource(
            project_name=self.name,
            repo=f"{org}/{repo}" if org and repo else "",
            ref=self.meta.get("githubCommitRef", "main"),
            sha=self.meta.get("githubCommitSha", "0000000"),
            error_message=self.error_message,
            region=self.region,
            notice=self.notice,
        )


@dataclass(frozen=True)
class DomainRow:
    name: str
    project_id: str
    apex_name: str
    verified: bool
    txt_present: bool
    dns_configured: bool
    challenge: str
    redirect: str | None
    redirect_status: int | None
    git_branch: str | None
    created_at: int
    updated_at: int


def _json_or_none(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class VercelStore:
    """Typed access to the sandbox's SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # A build writes a row per output line: no fsync per line (a sandbox
        # may lose the last lines to a power cut, never to a crash).
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        self._add_missing_columns()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _add_missing_columns(self) -> None:
        with self.transaction() as conn:
            for table, column, declaration in _ADDED_COLUMNS:
                present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a read-modify-write sequence (one SQLite transaction)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    # --- projects ---------------------------------------------------------
    @staticmethod
    def _project(row: sqlite3.Row) -> ProjectRow:
        return ProjectRow(
            id=row["id"],
            name=row["name"],
            framework=row["framework"],
            link=_json_or_none(row["link"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            promoted_deployment_id=row["promoted_deployment_id"],
            promoted_at=row["promoted_at"],
            health_status=row["health_status"],
            region=row["region"],
            auto_assign=bool(row["auto_assign"]),
            last_alias_request=_json_or_none(row["last_alias_request"]),
        )

    def insert_project(self, project: ProjectRow) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO projects (id, name, framework, link, created_at, updated_at,"
                " promoted_deployment_id, promoted_at, health_status, region, auto_assign,"
                " last_alias_request) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project.id,
                    project.name,
                    project.framework,
                    None if project.link is None else json.dumps(project.link),
                    project.created_at,
                    project.updated_at,
                    project.promoted_deployment_id,
                    project.promoted_at,
                    project.health_status,
                    project.region,
                    int(project.auto_assign),
                    None
                    if project.last_alias_request is None
                    else json.dumps(project.last_alias_request),
                ),
            )

    def find_project(self, id_or_name: str) -> ProjectRow | None:
        row = self._one("SELECT * FROM projects WHERE id = ? OR name = ?", (id_or_name, id_or_name))
        return None if row is None else self._project(row)

    def linked_owners(self) -> list[str]:
        """The GitHub owners of the repositories projects are linked to."""
        rows = self._all(
            "SELECT DISTINCT json_extract(link, '$.org') AS org FROM projects"
            " WHERE link IS NOT NULL ORDER BY org"
        )
        return [str(r["org"]) for r in rows if r["org"]]

    def delete_project(self, project_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))

    def set_promoted(
        self,
        project_id: str,
        deployment_id: str,
        at: int,
        *,
        auto_assign: bool,
        alias_request: dict[str, Any] | None = None,
    ) -> None:
        """Production serves `deployment_id` from `at`; pinned there unless `auto_assign`."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE projects SET promoted_deployment_id = ?, promoted_at = ?, updated_at = ?,"
                " auto_assign = ?, last_alias_request = COALESCE(?, last_alias_request)"
                " WHERE id = ?",
                (
                    deployment_id,
                    at,
                    at,
                    int(auto_assign),
                    None if alias_request is None else json.dumps(alias_request),
                    project_id,
                ),
            )

    def set_health(self, project_id: str, status: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE projects SET health_status = ? WHERE id = ?", (status, project_id))

    # --- env --------------------------------------------------------------
    @staticmethod
    def _env(row: sqlite3.Row) -> EnvRow:
        return EnvRow(
            id=row["id"],
            project_id=row["project_id"],
            key=row["key"],
            value=row["value"],
            type=row["type"],
            targets=json.loads(row["targets"]),
            git_branch=row["git_branch"],
            comment=row["comment"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def list_envs(self, project_id: str) -> list[EnvRow]:
        rows = self._all(
            "SELECT * FROM envs WHERE project_id = ? ORDER BY created_at, rowid", (project_id,)
        )
        return [self._env(r) for r in rows]

    def upsert_env(self, env: EnvRow) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO envs (id, project_id, key, value, type, targets,"
                " git_branch, comment, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    env.id,
                    env.project_id,
                    env.key,
                    env.value,
                    env.type,
                    json.dumps(env.targets),
                    env.git_branch,
                    env.comment,
                    env.created_at,
                    env.updated_at,
                ),
            )

    # --- deployments ------------------------------------------------------
    @staticmethod
    def _deployment(row: sqlite3.Row) -> DeploymentRow:
        return DeploymentRow(
            id=row["id"],
            project_id=row["project_id"],
            name=row["name"],
            url=row["url"],
            target=row["target"],
            created_at=row["created_at"],
            queued_ms=row["queued_ms"],
            init_ms=row["init_ms"],
            build_ms=row["build_ms"],
            outcome=row["outcome"],
            error_message=row["error_message"],
            canceled_at=row["canceled_at"],
            git_source=_json_or_none(row["git_source"]),
            meta=json.loads(row["meta"]),
            build_id=row["build_id"],
            region=row["region"],
            mode=row["mode"],
            state=row["state"],
            booted_at=row["booted_at"],
            building_at=row["building_at"],
            ended_at=row["ended_at"],
            notice=row["notice"],
        )

    def insert_deployment(self, dep: DeploymentRow, events: Sequence[BuildEvent] = ()) -> None:
        """Add a deployment, with the first events of a real build."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deployments (id, project_id, name, url, target, created_at,"
                " queued_ms, init_ms, build_ms, outcome, error_message, canceled_at,"
                " git_source, meta, build_id, region, mode, state, booted_at, building_at,"
                " ended_at, notice)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dep.id,
                    dep.project_id,
                    dep.name,
                    dep.url,
                    dep.target,
                    dep.created_at,
                    dep.queued_ms,
                    dep.init_ms,
                    dep.build_ms,
                    dep.outcome,
                    dep.error_message,
                    dep.canceled_at,
                    None if dep.git_source is None else json.dumps(dep.git_source),
                    json.dumps(dep.meta),
                    dep.build_id,
                    dep.region,
                    dep.mode,
                    dep.state,
                    dep.booted_at,
                    dep.building_at,
                    dep.ended_at,
                    dep.notice,
                ),
            )
            self._insert_events(conn, dep.id, events)

    def find_deployment(self, id_or_url: str) -> DeploymentRow | None:
        host = id_or_url.removeprefix("https://").removeprefix("http://").rstrip("/")
        row = self._one("SELECT * FROM deployments WHERE id = ? OR url = ?", (id_or_url, host))
        return None if row is None else self._deployment(row)

    def list_deployments(self, project_id: str | None = None) -> list[DeploymentRow]:
        """Newest first."""
        if project_id is None:
            rows = self._all("SELECT * FROM deployments ORDER BY created_at DESC, rowid DESC")
        else:
            rows = self._all(
                "SELECT * FROM deployments WHERE project_id = ?"
                " ORDER BY created_at DESC, rowid DESC",
                (project_id,),
            )
        return [self._deployment(r) for r in rows]

    def next_queued(self) -> DeploymentRow | None:
        """The oldest real deployment waiting to build."""
        row = self._one(
            "SELECT * FROM deployments WHERE mode = 'real' AND state = 'QUEUED'"
            " ORDER BY created_at, rowid LIMIT 1"
        )
        return None if row is None else self._deployment(row)

    def unfinished_builds(self) -> list[DeploymentRow]:
        """Real deployments not yet READY, ERROR or CANCELED."""
        rows = self._all(
            "SELECT * FROM deployments WHERE mode = 'real'"
            f" AND state NOT IN ({_FINAL_SQL}) ORDER BY created_at, rowid"
        )
        return [self._deployment(r) for r in rows]

    def advance(
        self,
        deployment_id: str,
        state: ReadyState,
        at: int,
        events: Sequence[BuildEvent] = (),
        *,
        error_message: str | None = None,
    ) -> bool:
        """Move an unfinished real build to `state` at `at`, with its events.

        Returns:
            False (and nothing written) when the build had already ended (a
            cancel won the race) or is gone.
        """
        column = {"INITIALIZING": "booted_at", "BUILDING": "building_at"}.get(state, "ended_at")
        with self.transaction() as conn:
            changed = conn.execute(
                f"UPDATE deployments SET state = ?, {column} = ?,"
                " error_message = COALESCE(?, error_message),"
                " canceled_at = CASE WHEN ? = 'CANCELED' THEN ? ELSE canceled_at END"
                f" WHERE id = ? AND mode = 'real' AND state NOT IN ({_FINAL_SQL})",
                (state, at, error_message, state, at, deployment_id),
            ).rowcount
            if changed:
                self._insert_events(conn, deployment_id, events)
            return bool(changed)

    def append_events(self, deployment_id: str, events: Sequence[BuildEvent]) -> bool:
        """Add events to an unfinished real build; False (nothing written) once it ended."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT state FROM deployments WHERE id = ?", (deployment_id,)
            ).fetchone()
            if row is None or row["state"] in FINAL_STATES:
                return False
            self._insert_events(conn, deployment_id, events)
            return True

    @staticmethod
    def _insert_events(
        conn: sqlite3.Connection, deployment_id: str, events: Sequence[BuildEvent]
    ) -> None:
        """Append events; each one later than the one before (see `build_events`)."""
        if not events:
            return
        last = conn.execute(
            "SELECT MAX(seq), MAX(offset_ms) FROM build_events WHERE deployment_id = ?",
            (deployment_id,),
        ).fetchone()
        seq = -1 if last[0] is None else int(last[0])
        offset = -1 if last[1] is None else int(last[1])
        for event in events:
            seq += 1
            offset = max(event.offset, offset + 1)
            conn.execute(
                "INSERT INTO build_events (deployment_id, seq, offset_ms, type, text,"
                " ready_state, level) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    deployment_id,
                    seq,
                    offset,
                    event.type,
                    event.text,
                    event.ready_state,
                    event.level,
                ),
            )

    def build_events(self, deployment_id: str, start: int = 0) -> list[BuildEvent]:
        """A real build's events from the `start`-th on, in order.

        Their times strictly increase (a burst of lines within one millisecond
        is spread a millisecond apart), so a client reading `since` the last
        event it saw never skips one.
        """
        rows = self._all(
            "SELECT * FROM build_events WHERE deployment_id = ? AND seq >= ? ORDER BY seq",
            (deployment_id, start),
        )
        return [
            BuildEvent(r["offset_ms"], r["type"], r["text"], r["ready_state"], r["level"])
            for r in rows
        ]

    def cancel_deployment(self, deployment_id: str, at: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE deployments SET canceled_at = ? WHERE id = ?", (at, deployment_id))

    def set_outcome(self, deployment_id: str, outcome: Outcome, message: str | None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE deployments SET outcome = ?, error_message = COALESCE(?, error_message)"
                " WHERE id = ?",
                (outcome, message, deployment_id),
            )

    # --- build overrides (test controls) ----------------------------------
    def push_override(self, outcome: Outcome, message: str | None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO build_overrides (outcome, message) VALUES (?, ?)", (outcome, message)
            )

    def pop_override(self) -> tuple[Outcome, str | None] | None:
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT seq, outcome, message FROM build_overrides ORDER BY seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM build_overrides WHERE seq = ?", (row["seq"],))
            return row["outcome"], row["message"]

    # --- domains ----------------------------------------------------------
    @staticmethod
    def _domain(row: sqlite3.Row) -> DomainRow:
        return DomainRow(
            name=row["name"],
            project_id=row["project_id"],
            apex_name=row["apex_name"],
            verified=bool(row["verified"]),
            txt_present=bool(row["txt_present"]),
            dns_configured=bool(row["dns_configured"]),
            challenge=row["challenge"],
            redirect=row["redirect"],
            redirect_status=row["redirect_status"],
            git_branch=row["git_branch"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def insert_domain(self, domain: DomainRow) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO domains (name, project_id, apex_name, verified, txt_present,"
                " dns_configured, challenge, redirect, redirect_status, git_branch,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    domain.name,
                    domain.project_id,
                    domain.apex_name,
                    int(domain.verified),
                    int(domain.txt_present),
                    int(domain.dns_configured),
                    domain.challenge,
                    domain.redirect,
                    domain.redirect_status,
                    domain.git_branch,
                    domain.created_at,
                    domain.updated_at,
                ),
            )

    def find_domain(self, name: str) -> DomainRow | None:
        row = self._one("SELECT * FROM domains WHERE name = ?", (name.lower(),))
        return None if row is None else self._domain(row)

    def list_domains(self, project_id: str) -> list[DomainRow]:
        rows = self._all(
            "SELECT * FROM domains WHERE project_id = ? ORDER BY created_at, rowid", (project_id,)
        )
        return [self._domain(r) for r in rows]

    def delete_domain(self, name: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM domains WHERE name = ?", (name.lower(),))

    def update_domain(self, name: str, at: int, **fields: bool) -> None:
        allowed = {"verified", "txt_present", "dns_configured"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"can only update {sorted(allowed)}")
        assignments = ", ".join(f"{column} = ?" for column in fields)
        values = [int(value) for value in fields.values()]
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE domains SET {assignments}, updated_at = ? WHERE name = ?",
                (*values, at, name.lower()),
            )
