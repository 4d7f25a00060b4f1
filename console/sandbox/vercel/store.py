"""SQLite state of the Vercel sandbox (stdlib sqlite3, one file, survives restarts).

Rows hold what a client created plus the fixed plan of each deployment
(`builds.Timeline`); states are computed from the clock on read. One
connection is shared by the server thread and the test thread behind a lock:
every operation is a few small statements.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.sandbox.vercel.builds import BuildSource, Outcome, Timeline

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
    health_status INTEGER NOT NULL DEFAULT 200
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
    build_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deployments_by_project ON deployments(project_id, created_at);
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


@dataclass(frozen=True)
class ProjectRow:
    id: str
    name: str
    framework: str | None
    link: dict[str, Any] | None
    created_at: int
    updated_at: int
    promoted_deployment_id: str | None
    promoted_at: int | None
    health_status: int


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
class DeploymentRow:
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
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

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
        )

    def insert_project(self, project: ProjectRow) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO projects (id, name, framework, link, created_at, updated_at,"
                " promoted_deployment_id, promoted_at, health_status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ),
            )

    def find_project(self, id_or_name: str) -> ProjectRow | None:
        row = self._one("SELECT * FROM projects WHERE id = ? OR name = ?", (id_or_name, id_or_name))
        return None if row is None else self._project(row)

    def delete_project(self, project_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))

    def set_promoted(self, project_id: str, deployment_id: str, at: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE projects SET promoted_deployment_id = ?, promoted_at = ?, updated_at = ?"
                " WHERE id = ?",
                (deployment_id, at, at, project_id),
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
        )

    def insert_deployment(self, dep: DeploymentRow) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deployments (id, project_id, name, url, target, created_at,"
                " queued_ms, init_ms, build_ms, outcome, error_message, canceled_at,"
                " git_source, meta, build_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ),
            )

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
