"""PublishService: a project's draft configuration to one commit on GitHub (DESIGN.md 4).

Everything before the push works offline: the draft `PublishConfig` is saved
in `publish_configs.config` (flat `PublishConfig.to_dict()` keys, beside the
keys `ProjectService` owns), the file set is the rendered scaffold with the
project's stored v0 files merged over it, and the secret scan runs on that
exact file set before any byte leaves the machine.

`publish()` then runs the steps below and reports them as typed progress
events (`StepStarted`/`StepProgress`/`StepFinished`/`StepFailed`):

1. ``files``: render + merge; 2. ``secrets``: scan, a hit blocks;
3. ``limits``: the tier's builder-app limit (only for a project not yet
   counted on the platform); 4. ``repo``: create the repository, or reuse
   the one recorded for the project; 5. ``commit``: ONE atomic commit on
   top of the last published commit, refused when GitHub moved unless the
   user confirmed (`allow_diverged`); 6. ``platform``: the builder app learns
   its repository URL.

State that must survive a failure is written as soon as it exists: a
repository created in this run is recorded (``publish_state``) before the
commit, so a dropped connection leaves "created, no commit yet", which the
next attempt reuses instead of failing on "name taken". The published file
set is kept as content-addressed blobs (``published_files``) so the review
step diffs offline.

A publish asked for while offline is an outbox row of kind `KIND_PUBLISH`
delivered by `outbox_handler()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from console.errors import (
    ConsoleError,
    NetworkError,
    NotFound,
    UserInputError,
    ValidationFailed,
)
from console.services.deploy.events import (
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
    no_progress,
)
from console.services.github.models import CommitResult, GitHubUser, Repo
from console.services.scaffold import (
    Category,
    InvalidPublishConfig,
    MergeConflict,
    PublishConfig,
    env_vars,
    merge_v0,
    render_scaffold,
)
from console.services.scaffold import preflight as pf
from console.services.scaffold.config import ENV_VAR_NAME
from console.services.scaffold.versions import all_packages
from console.services.sync.outbox import Delivery, Handler, enqueue
from console.store.db import Store, Transaction
from console.store.models import Blob, Project, ProjectFile
from console.store.models import PublishConfig as PublishConfigRow

logger = logging.getLogger(__name__)

KIND_PUBLISH = "project.publish"
BRANCH = "main"
#: Keys of `publish_configs.config` this service owns besides the `PublishConfig` fields.
STATE_KEY = "publish_state"
PUBLISHED_FILES_KEY = "published_files"
EXTRA_ENV_KEY = "extra_env"
ENV_EXAMPLE = ".env.example"
CONFIG_KEYS = frozenset(PublishConfig("", "").to_dict())
STEPS: tuple[tuple[str, str], ...] = (
    ("files", "Build the file set"),
    ("secrets", "Scan for secrets"),
    ("limits", "Check the plan's builder-app limit"),
    ("repo", "Create or reuse the repository"),
    ("commit", "Push one commit"),
    ("platform", "Link the builder app"),
)
TIER_LIMITS = {"free": 1, "pro": 10, "agency": 100}


def target_for(project_id: int) -> str:
    """Outbox target of a project's publishes (delivered in order)."""
    return f"publish:{project_id}"


# --- protocols of the remotes ------------------------------------------------------
class GitHubApi(Protocol):
    """What publishing needs of `GitHubClient`."""

    async def create_repo(
        self, owner: str | None, name: str, private: bool = True, description: str | None = None
    ) -> Repo: ...

    async def get_user(self) -> GitHubUser: ...

    async def get_repo(self, owner: str, name: str) -> Repo: ...

    async def get_head(self, owner: str, name: str, branch: str) -> str | None: ...

    async def commit_files(
        self,
        owner: str,
        name: str,
        branch: str,
        files: Mapping[str, bytes],
        message: str,
        expected_parent: str | None,
        *,
        allow_diverged: bool = False,
        head_known: bool = False,
    ) -> CommitResult: ...


class UsageLike(Protocol):
    @property
    def used(self) -> int: ...

    @property
    def limit(self) -> int | None: ...


class LimitsLike(Protocol):
    @property
    def tier(self) -> str: ...

    @property
    def builder_apps(self) -> UsageLike: ...


class PlatformApi(Protocol):
    """What publishing needs of `PlatformClient`."""

    async def get_licensing_limits(self, *, org_id: str | None = None) -> Any: ...

    async def update_builder_app(
        self,
        app_id: str,
        *,
        status: Literal["published"] | None = None,
        repo_url: str | None = None,
        org_id: str | None = None,
    ) -> Any: ...


# --- results and errors -------------------------------------------------------------
@dataclass(frozen=True)
class SecretHit:
    """One secret found in the file set: where, and what kind."""

    path: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}"


class SecretsFound(UserInputError):
    """The file set holds secrets; nothing was sent."""

    action = "Remove the secrets from these files (use environment variables) and try again."

    def __init__(self, hits: Sequence[SecretHit]) -> None:
        self.hits = tuple(hits)
        listed = "; ".join(str(h) for h in self.hits[:10])
        more = f" and {len(self.hits) - 10} more" if len(self.hits) > 10 else ""
        super().__init__(f"Secrets found, nothing was pushed: {listed}{more}")


class TierLimitReached(UserInputError):
    """The plan's builder-app limit is reached."""

    action = "Upgrade the plan in the Credits section (Pro: 10 apps, Agency: 100)."


class RepoNameTaken(UserInputError):
    """GitHub already has a repository with that name for the owner."""

    action = "Choose another repository name in the App info step."


class PreflightFailed(UserInputError):
    """The local build failed; the push needs an explicit override."""

    action = "Fix the errors shown in the build output, or push anyway with the override."


@dataclass(frozen=True)
class Draft:
    """What the wizard loads: the config, the project's detection and the publish state."""

    project_id: int
    config: PublishConfig
    detected: tuple[Category, ...]
    repo_url: str | None
    last_published_sha: str | None
    pending_repo: str | None  # "owner/name" created by a run that did not commit yet
    extra_env: tuple[CustomEnvVar, ...] = ()
    queued: bool = False  # a "publish when online" waits in the outbox
    last_error: str | None = None  # why the last queued publish was refused


@dataclass(frozen=True)
class FileSet:
    files: dict[str, bytes]
    conflicts: tuple[MergeConflict, ...]
    from_v0: tuple[str, ...]


FileStatus = Literal["added", "modified", "unchanged", "removed"]


@dataclass(frozen=True)
class FileChange:
    path: str
    status: FileStatus
    diff: str = ""


@dataclass(frozen=True)
class Review:
    """Everything the review step shows."""

    files: dict[str, bytes]
    changes: tuple[FileChange, ...]
    conflicts: tuple[MergeConflict, ...]
    secrets: tuple[SecretHit, ...]
    problems: tuple[str, ...]
    last_published_sha: str | None

    @property
    def text_count(self) -> int:
        return sum(1 for data in self.files.values() if _is_text(data))


@dataclass(frozen=True)
class PublishResult:
    repo_full_name: str
    repo_url: str
    sha: str
    files: int
    requests: int
    created_repo: bool
    diverged: bool
    platform_linked: bool


@dataclass(frozen=True)
class PreflightReport:
    ok: bool
    steps: tuple[pf.CheckResult, ...] = ()
    skipped: str = ""


@dataclass(frozen=True)
class PreflightCommand:
    """One check of the preflight, run in the app folder with its output streamed."""

    step: str
    title: str
    argv: tuple[str, ...]


#: Readies the app folder (files, node_modules) as step 0 (``install``, its own events)
#: and answers the checks to run in it. The default is `PublishService.prepare_npm`;
#: tests inject tiny commands here.
PreparePreflight = Callable[
    [Path, Mapping[str, bytes], Progress], Awaitable[Sequence[PreflightCommand]]
]


@dataclass(frozen=True)
class CustomEnvVar:
    """A variable the publisher adds beside the scaffold's own (wizard step 7).

    Kept as typed, even when invalid, so nothing typed is lost; values are
    never stored here (they are set at deploy time, secrets via keyring).
    """

    name: str
    description: str = ""
    secret: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "secret": self.secret}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CustomEnvVar:
        return cls(
            str(raw.get("name", "")), str(raw.get("description", "")), bool(raw.get("secret"))
        )


def custom_env_problems(config: PublishConfig, extra: Sequence[CustomEnvVar]) -> list[str]:
    """What is wrong with the added variables, one message per problem, naming the row."""
    problems: list[str] = []
    scaffold = {v.name for v in env_vars(config)}
    seen: set[str] = set()
    for number, var in enumerate(extra, start=1):
        label = f"Variable {number}"
        if not var.name:
            problems.append(f"{label}: give it a name.")
        elif not ENV_VAR_NAME.match(var.name):
            problems.append(
                f"{label}: “{var.name}” is not a valid name: use capital letters, digits "
                "and '_', starting with a letter (e.g. MY_API_URL)."
            )
        elif var.name in scaffold:
            problems.append(f"{label}: {var.name} is already set by the scaffold.")
        elif var.name in seen:
            problems.append(f"{label}: {var.name} is listed twice.")
        seen.add(var.name)
        if any(ord(ch) < 32 for ch in var.description):
            problems.append(f"{label}: the description cannot contain control characters.")
    return problems


def with_custom_env(files: Mapping[str, bytes], extra: Sequence[CustomEnvVar]) -> dict[str, bytes]:
    """`files` with the added variables listed (names only) at the end of .env.example."""
    out = dict(files)
    if not extra:
        return out
    lines = ["", "", "# Added in the publish wizard"]
    for var in extra:
        kind = "secret, " if var.secret else ""
        lines.append(f"# {var.description or var.name} ({kind}set it in the deployment)")
        lines.append(f"{var.name}=")
    base = out.get(ENV_EXAMPLE, b"").decode("utf-8").rstrip("\n")
    out[ENV_EXAMPLE] = (base + "\n".join(lines) + "\n").encode("utf-8")
    return out


# --- secret scan ------------------------------------------------------------------------
_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("live Stripe secret key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{10,}")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
    (
        "Vercel token",
        re.compile(
            r"(?i)\bvercel[_-]?(?:api[_-]?)?(?:access[_-]?)?token\b[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9]{20,}"
        ),
    ),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_ENV_TEMPLATES = (".example", ".sample", ".template", ".dist")


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if not (name == ".env" or name.startswith(".env.")):
        return False
    return not name.endswith(_ENV_TEMPLATES)


def scan_secrets(files: Mapping[str, bytes]) -> list[SecretHit]:
    """Secrets in a file set: live Stripe keys, GitHub/Vercel tokens, private keys, .env values.

    Binary files are skipped. Values are never logged or returned, only where they are.
    """
    hits: list[SecretHit] = []
    for path in sorted(files):
        try:
            text = files[path].decode("utf-8")
        except UnicodeDecodeError:
            continue
        env_file = _is_env_file(path)
        for number, line in enumerate(text.splitlines(), start=1):
            for kind, pattern in _SECRET_PATTERNS:
                if pattern.search(line):
                    hits.append(SecretHit(path, number, kind))
                    break
            else:
                if env_file:
                    match = _ENV_LINE.match(line)
                    if match and match.group(2).strip("\"'"):
                        hits.append(SecretHit(path, number, f".env value of {match.group(1)}"))
    if hits:
        logger.info("secret scan: %d hit(s) in %d file(s)", len(hits), len({h.path for h in hits}))
    return hits


# --- helpers --------------------------------------------------------------------------------
def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _repo_slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-.").lower()
    return slug[:100] or "app"


def parse_repo_url(url: str | None) -> tuple[str, str] | None:
    """(owner, name) of a GitHub html URL, or None."""
    if not url:
        return None
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) < 2:
        return None
    return parts[-2], parts[-1].removesuffix(".git")


def unified_diff(path: str, old: bytes | None, new: bytes | None) -> str:
    """A unified diff of one file (binary files are summarised)."""
    if (old is not None and not _is_text(old)) or (new is not None and not _is_text(new)):
        return f"Binary file {path}: {len(old or b'')} -> {len(new or b'')} bytes\n"
    a = (old or b"").decode("utf-8").splitlines(keepends=True)
    b = (new or b"").decode("utf-8").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(
            a,
            b,
            fromfile=f"a/{path}" if old is not None else "/dev/null",
            tofile=f"b/{path}" if new is not None else "/dev/null",
        )
    )


class _Steps:
    """Emits the step events and remembers which step is running (for StepFailed)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self.current: str | None = None

    def start(self, step: str) -> None:
        index = next(i for i, (key, _) in enumerate(STEPS) if key == step)
        self.current = step
        self._progress(StepStarted(step, STEPS[index][1], index, len(STEPS)))

    def note(self, message: str) -> None:
        if self.current:
            self._progress(StepProgress(self.current, message))

    def finish(self, detail: str = "") -> None:
        if self.current:
            self._progress(StepFinished(self.current, detail))
        self.current = None

    def fail(self, error: str) -> None:
        if self.current:
            self._progress(StepFailed(self.current, error))
        self.current = None


# --- the service ------------------------------------------------------------------------
class PublishService:
    """Drafts, file sets, checks and the push of one project.

    Args:
        store: the console's store.
        github: the GitHub client, or None when no token is configured
            (`publish()` then raises `UserInputError`).
        platform: the platform client for the limit check and the builder
            app link; None skips both (offline-only setups, tests).
        workspace_root: where preflight app folders live (one per project).
        npm_cache: the shared node_modules cache root (preflight default if None).
        prepare_preflight: readies the app folder and names the checks
            (default `prepare_npm`; tests inject tiny commands).
    """

    def __init__(
        self,
        store: Store,
        github: GitHubApi | None,
        platform: PlatformApi | None = None,
        *,
        workspace_root: Path | None = None,
        npm_cache: Path | None = None,
        prepare_preflight: PreparePreflight | None = None,
    ) -> None:
        self._store = store
        self._github = github
        self._platform = platform
        self._workspace_root = workspace_root
        self._npm_cache = npm_cache
        self._prepare: PreparePreflight = prepare_preflight or self.prepare_npm
        self._write_lock = threading.Lock()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Transaction]:
        """A store write, one at a time: drafts are read-modify-write of one JSON
        column, and the wizard saves while a push or the outbox may record state."""
        with self._write_lock, self._store.write(initiator=self) as tx:
            yield tx

    def set_remotes(self, github: GitHubApi | None, platform: PlatformApi | None = None) -> None:
        """Use these clients from now on (the console went online, or a token changed)."""
        self._github = github
        if platform is not None:
            self._platform = platform

    # ------------------------------------------------------------------ drafts
    async def load_draft(self, project_id: int) -> Draft:
        return await asyncio.to_thread(self.load_draft_blocking, project_id)

    def load_draft_blocking(self, project_id: int) -> Draft:
        """The saved draft, or one prefilled from the project and its detection."""
        with self._store.read() as session:
            project = session.get(Project, project_id)
            if project is None:
                raise NotFound(f"Project {project_id} no longer exists.")
            row = session.get(PublishConfigRow, project_id)
            stored: dict[str, Any] = dict(row.config or {}) if row else {}
            raw = {str(c) for c in (stored.get("categories") or project.categories or [])}
            detected = tuple(c for c in Category if c.value in raw)  # canonical order
            values = {k: v for k, v in stored.items() if k in CONFIG_KEYS}
            values.setdefault("app_name", project.name)
            values.setdefault("repo_name", _repo_slug(project.slug or project.name))
            values.setdefault("description", project.description or "")
            values.setdefault("architecture", project.architecture or "thin_client")
            if "app_name" not in stored:  # never saved by the wizard: prefill from detection
                values["categories"] = [c.value for c in detected]
            if project.org_id:
                values.setdefault("org_id", project.org_id)
            try:
                config = PublishConfig.from_dict(values)
            except InvalidPublishConfig:
                logger.info("publish draft of project %s unreadable; starting fresh", project_id)
                config = PublishConfig(
                    app_name=project.name,
                    repo_name=_repo_slug(project.name),
                    categories=detected,
                )
            state = stored.get(STATE_KEY) or {}
            pending = state.get("repo") if state.get("uncommitted") else None
            return Draft(
                project_id,
                config,
                detected,
                project.repo_url,
                row.last_published_sha if row else None,
                pending,
                _extra_env(stored),
                bool(state.get("queued")),
                state.get("error"),
            )

    async def save_draft(
        self,
        project_id: int,
        config: PublishConfig,
        extra_env: Sequence[CustomEnvVar] | None = None,
    ) -> None:
        await asyncio.to_thread(self.save_draft_blocking, project_id, config, extra_env)

    def save_draft_blocking(
        self,
        project_id: int,
        config: PublishConfig,
        extra_env: Sequence[CustomEnvVar] | None = None,
    ) -> None:
        """Store the wizard's configuration (invalid drafts too: nothing typed is lost).

        `extra_env` None keeps the stored added variables.
        """
        with self._write() as tx:
            row = _config_row(tx, project_id)
            merged = dict(row.config or {})
            merged.update(config.to_dict())
            if extra_env is not None:
                merged[EXTRA_ENV_KEY] = [v.to_dict() for v in extra_env]
            row.config = merged
            row.updated_at = datetime.now(UTC)
            tx.touch("publish_configs", project_id)

    # ------------------------------------------------------------------ files and review
    async def build_files(self, project_id: int, config: PublishConfig) -> FileSet:
        return await asyncio.to_thread(self.build_files_blocking, project_id, config)

    def build_files_blocking(self, project_id: int, config: PublishConfig) -> FileSet:
        """The scaffold with the project's stored files merged over it."""
        scaffold = render_scaffold(config)
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            extra = _extra_env(row.config or {}) if row else ()
            v0 = {
                path: data
                for path, data in session.execute(
                    select(ProjectFile.path, Blob.data)
                    .join(Blob, Blob.sha256 == ProjectFile.sha256)
                    .where(ProjectFile.project_id == project_id)
                )
            }
        merged = merge_v0(scaffold, v0, config=config)
        files = with_custom_env(merged.files, extra)
        return FileSet(files, tuple(merged.conflicts), tuple(merged.from_v0))

    async def review(self, project_id: int, config: PublishConfig) -> Review:
        return await asyncio.to_thread(self.review_blocking, project_id, config)

    def review_blocking(self, project_id: int, config: PublishConfig) -> Review:
        """Files, their diff against the last published commit, conflicts, secrets, problems."""
        problems = tuple(p.message for p in config.errors()) + tuple(
            custom_env_problems(config, self._extra_env_blocking(project_id))
        )
        fileset = self.build_files_blocking(project_id, config) if not problems else None
        files = fileset.files if fileset else {}
        published, sha = self._published_blocking(project_id)
        changes: list[FileChange] = []
        for path in sorted(set(files) | set(published)):
            old, new = published.get(path), files.get(path)
            if old is None:
                status: FileStatus = "added"
            elif new is None:
                status = "removed"
            elif old == new:
                status = "unchanged"
            else:
                status = "modified"
            diff = "" if status == "unchanged" else unified_diff(path, old, new)
            changes.append(FileChange(path, status, diff))
        return Review(
            files,
            tuple(changes),
            fileset.conflicts if fileset else (),
            tuple(scan_secrets(files)),
            problems,
            sha,
        )

    def _published_blocking(self, project_id: int) -> tuple[dict[str, bytes], str | None]:
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            if row is None:
                return {}, None
            index: dict[str, str] = dict((row.config or {}).get(PUBLISHED_FILES_KEY) or {})
            blobs = {
                b.sha256: b.data
                for b in session.scalars(select(Blob).where(Blob.sha256.in_(set(index.values()))))
            }
            return {p: blobs[s] for p, s in index.items() if s in blobs}, row.last_published_sha

    # ------------------------------------------------------------------ preflight
    async def preflight(
        self, project_id: int, files: Mapping[str, bytes], progress: Progress = no_progress
    ) -> PreflightReport:
        """Ready the app folder, then type-check and build it, streaming the output.

        Progress events: ``install`` (the shared, cached node_modules), then one
        step per check (``tsc``, ``build``), each output line as a
        `StepProgress.log_line` as soon as the tool prints it. Cancelling the
        coroutine kills the running tool.
        """
        root = self._workspace_root or Path(pf.default_cache_root()).parent / "preflight"
        app_dir = root / f"project-{project_id}"
        try:
            commands = await self._prepare(app_dir, files, progress)
        except pf.PreflightError as error:
            return PreflightReport(False, skipped=str(error).splitlines()[0])
        results: list[pf.CheckResult] = []
        total = len(commands) + 1  # step 0 is the preparation (``install``)
        for index, command in enumerate(commands, start=1):
            progress(StepStarted(command.step, command.title, index, total))
            result = await _stream(command, app_dir, progress)
            results.append(result)
            if not result.ok:
                progress(StepFailed(command.step, f"{command.title} failed"))
                return PreflightReport(False, tuple(results))
            progress(StepFinished(command.step, f"{result.seconds:.1f} s"))
        return PreflightReport(True, tuple(results))

    async def prepare_npm(
        self, app_dir: Path, files: Mapping[str, bytes], progress: Progress
    ) -> list[PreflightCommand]:
        """The default preparation: shared npm install, app files, then tsc and next build.

        Raises:
            pf.PreflightError: Node.js/npm missing or the install failed (shown as
                the ``install`` step's failure).
        """
        progress(StepStarted("install", "npm install", 0, 3))
        tools = await asyncio.to_thread(pf.NodeTools.find)
        if tools is None:
            progress(StepFailed("install", "Node.js and npm were not found."))
            raise pf.PreflightError("Node.js and npm were not found.")
        try:
            modules = await pf.ensure_node_modules(
                all_packages(), tools, cache_root=self._npm_cache
            )
        except pf.PreflightError as error:
            for line in str(error).splitlines():
                progress(StepProgress("install", "output", log_line=line))
            progress(StepFailed("install", "npm install failed"))
            raise
        await asyncio.to_thread(pf.write_app, dict(files), app_dir, modules)
        progress(StepFinished("install", str(modules)))
        bins = app_dir / "node_modules"
        return [
            PreflightCommand(
                "tsc",
                "Type-check",
                (tools.node, str(bins / "typescript/bin/tsc"), "-b", ".", "--pretty", "false"),
            ),
            PreflightCommand(
                "build", "next build", (tools.node, str(bins / "next/dist/bin/next"), "build")
            ),
        ]

    # ------------------------------------------------------------------ publish
    async def publish(
        self,
        project_id: int,
        config: PublishConfig,
        *,
        allow_diverged: bool = False,
        progress: Progress = no_progress,
    ) -> PublishResult:
        """Push the project's file set to GitHub as one commit (see the module docstring).

        Raises:
            InvalidPublishConfig: the config has errors.
            SecretsFound: the scan found secrets (nothing was sent).
            TierLimitReached: the plan allows no further builder app.
            RepoNameTaken: the repository name exists and is not this project's.
            Conflict: GitHub changed since the last publish (retry with
                ``allow_diverged=True`` once the user confirmed).
            RemoteError: AuthError, RateLimited, NetworkError from GitHub.
        """
        steps = _Steps(progress)
        try:
            return await self._publish(project_id, config, allow_diverged, steps)
        except ConsoleError as error:
            steps.fail(error.user_text())
            raise

    async def _publish(
        self, project_id: int, config: PublishConfig, allow_diverged: bool, steps: _Steps
    ) -> PublishResult:
        errors = [p.message for p in config.errors()]
        errors += custom_env_problems(
            config, await asyncio.to_thread(self._extra_env_blocking, project_id)
        )
        if errors:
            raise InvalidPublishConfig("; ".join(errors))
        await self.save_draft(project_id, config)
        github = self._github
        if github is None:
            raise UserInputError("Add a GitHub token in Settings to publish.")

        steps.start("files")
        fileset = await self.build_files(project_id, config)
        conflicts = len(fileset.conflicts)
        steps.finish(
            f"{len(fileset.files)} files, {conflicts} conflict{'' if conflicts == 1 else 's'}"
        )

        steps.start("secrets")
        hits = await asyncio.to_thread(scan_secrets, fileset.files)
        if hits:
            raise SecretsFound(hits)
        steps.finish("no secrets")

        project = await asyncio.to_thread(self._project_blocking, project_id)
        state = await asyncio.to_thread(self._state_blocking, project_id)

        steps.start("limits")
        await self._check_limits(project, steps)

        steps.start("repo")
        known = parse_repo_url(project.repo_url)
        created = False
        if known is not None:
            owner, name = known
            parent: str | None = state.get("parent")
            if not state.get("uncommitted"):
                parent = await asyncio.to_thread(self._last_sha_blocking, project_id)
            steps.finish(f"reusing {owner}/{name}")
        else:
            repo, created = await self._create_repo(project_id, config, state, github)
            owner, name, parent = repo.owner, repo.name, repo.head
            # Recorded before the commit: a failure below leaves a known, reusable repo.
            await asyncio.to_thread(self._record_repo_blocking, project_id, repo)
            steps.finish(f"{'created' if created else 'reusing'} {repo.full_name}")

        steps.start("commit")
        message = "Publish from l4yercak3 console" if parent else "Initial publish"
        try:
            result = await github.commit_files(
                owner,
                name,
                BRANCH,
                fileset.files,
                f"{message}: {config.app_name}",
                parent,
                allow_diverged=allow_diverged,
                head_known=created,
            )
        except ConsoleError as error:
            if created or state.get("uncommitted"):
                steps.note(
                    f"The repository {owner}/{name} exists but holds no published commit yet; "
                    "publishing again retries into it."
                )
                logger.info(
                    "publish of project %s: repo %s/%s uncommitted", project_id, owner, name
                )
            raise error
        url = project.repo_url or f"https://github.com/{owner}/{name}"
        await asyncio.to_thread(self._record_commit_blocking, project_id, result, fileset.files)
        steps.finish(f"{result.sha[:7]}, {result.files} files, {result.requests} requests")

        steps.start("platform")
        linked = await self._link_platform(project_id, url, steps)
        return PublishResult(
            f"{owner}/{name}",
            url,
            result.sha,
            result.files,
            result.requests,
            created,
            result.diverged,
            linked,
        )

    async def _create_repo(
        self, project_id: int, config: PublishConfig, state: Mapping[str, Any], github: GitHubApi
    ) -> tuple[Repo, bool]:
        """Create the repository; adopt it when an earlier run's create lost its answer."""
        await asyncio.to_thread(self._set_state_blocking, project_id, creating=config.repo_name)
        try:
            repo = await github.create_repo(
                None,
                config.repo_name,
                private=config.private,
                description=config.description or None,
            )
        except NetworkError:
            raise  # GitHub may have made it: the next attempt adopts it ("creating" stays)
        except ValidationFailed as error:
            if state.get("creating") != config.repo_name:
                await asyncio.to_thread(self._set_state_blocking, project_id, creating=None)
                raise RepoNameTaken(
                    f"A repository named “{config.repo_name}” already exists on GitHub "
                    f"({error.user_text()})."
                ) from error
            # The previous attempt's create was cut off after GitHub made the repository.
            login = (await github.get_user()).login
            found = await github.get_repo(login, config.repo_name)
            head = await github.get_head(login, config.repo_name, found.default_branch)
            repo = replace(found, head=head)
            created = False
        except ConsoleError:
            await asyncio.to_thread(self._set_state_blocking, project_id, creating=None)
            raise
        else:
            created = True
        return repo, created

    async def _check_limits(self, project: Project, steps: _Steps) -> None:
        if self._platform is None:
            steps.finish("skipped (no platform connection)")
            return
        if project.remote_id is not None:
            steps.finish("already counted on the platform")
            return
        limits = await self._platform.get_licensing_limits(org_id=project.org_id)
        usage = limits.builder_apps
        if usage.limit is not None and usage.used >= usage.limit:
            tier = str(limits.tier)
            raise TierLimitReached(
                f"Your {tier.capitalize()} plan allows {usage.limit} builder "
                f"app{'s' if usage.limit != 1 else ''} and {usage.used} "
                f"{'is' if usage.used == 1 else 'are'} in use. Upgrade to "
                + ("Pro (10 apps) or Agency (100 apps)" if tier == "free" else "Agency (100 apps)")
                + " to publish this one."
            )
        steps.finish(f"{usage.used} of {usage.limit if usage.limit is not None else '∞'} used")

    async def _link_platform(self, project_id: int, url: str, steps: _Steps) -> bool:
        with self._store.read() as session:
            project = session.get(Project, project_id)
            remote_id = project.remote_id if project else None
            org_id = project.org_id if project else None
        if self._platform is None or remote_id is None:
            steps.finish("not on the platform yet; the project sync links it")
            return False
        try:
            await self._platform.update_builder_app(
                remote_id, repo_url=url, org_id=org_id, status="published"
            )
        except ConsoleError as error:
            # The commit is on GitHub; a failed link is shown, not fatal.
            steps.note(f"The builder app was not updated: {error.user_text()}")
            steps.finish("not linked")
            return False
        steps.finish("linked")
        return True

    # ------------------------------------------------------------------ offline queue
    async def queue_publish(
        self, project_id: int, config: PublishConfig, *, allow_diverged: bool = False
    ) -> int:
        """Queue the publish for when GitHub is reachable; returns the outbox row id."""
        return await asyncio.to_thread(self._queue_blocking, project_id, config, allow_diverged)

    def _queue_blocking(self, project_id: int, config: PublishConfig, allow_diverged: bool) -> int:
        with self._write() as tx:
            row = _config_row(tx, project_id)
            merged = dict(row.config or {})
            merged.update(config.to_dict())
            merged[STATE_KEY] = {**(merged.get(STATE_KEY) or {}), "queued": True, "error": None}
            row.config = merged
            tx.touch("publish_configs", project_id)
            entry = enqueue(
                tx,
                target_for(project_id),
                KIND_PUBLISH,
                {
                    "project_id": project_id,
                    "config": config.to_dict(),
                    "allow_diverged": allow_diverged,
                },
            )
            tx.session.flush()
            return int(entry.id)

    def outbox_handler(self, progress: Progress = no_progress) -> Handler:
        """The handler of `KIND_PUBLISH` rows (register it with the OutboxProcessor)."""

        async def deliver(delivery: Delivery) -> PublishResult:
            payload = delivery.payload
            config = PublishConfig.from_dict(payload["config"])
            return await self.publish(
                int(payload["project_id"]),
                config,
                allow_diverged=bool(payload.get("allow_diverged")),
                progress=progress,
            )

        def delivered(tx: Transaction, delivery: Delivery, _result: Any) -> None:
            _set_state(tx, int(delivery.payload["project_id"]), queued=False, error=None)

        def rejected(tx: Transaction, delivery: Delivery, error: ConsoleError) -> None:
            _set_state(
                tx, int(delivery.payload["project_id"]), queued=False, error=error.user_text()
            )

        return Handler(deliver, delivered, rejected)

    # ------------------------------------------------------------------ store helpers
    def _project_blocking(self, project_id: int) -> Project:
        with self._store.read() as session:
            project = session.get(Project, project_id)
            if project is None:
                raise NotFound(f"Project {project_id} no longer exists.")
            session.expunge(project)
            return project

    def _extra_env_blocking(self, project_id: int) -> tuple[CustomEnvVar, ...]:
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            return _extra_env(row.config or {}) if row else ()

    def _state_blocking(self, project_id: int) -> dict[str, Any]:
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            return dict((row.config or {}).get(STATE_KEY) or {}) if row else {}

    def _last_sha_blocking(self, project_id: int) -> str | None:
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            return row.last_published_sha if row else None

    def _set_state_blocking(self, project_id: int, **values: Any) -> None:
        with self._write() as tx:
            _set_state(tx, project_id, **values)

    def _record_repo_blocking(self, project_id: int, repo: Repo) -> None:
        with self._write() as tx:
            project = tx.session.get(Project, project_id)
            if project is None:
                return
            project.repo_url = repo.html_url
            tx.touch("projects", project_id)
            _set_state(
                tx,
                project_id,
                repo=repo.full_name,
                uncommitted=True,
                parent=repo.head,
                creating=None,
            )

    def _record_commit_blocking(
        self, project_id: int, result: CommitResult, files: Mapping[str, bytes]
    ) -> None:
        now = datetime.now(UTC)
        index = {path: _sha(data) for path, data in files.items()}
        with self._write() as tx:
            if index:
                statement = sqlite_insert(Blob).on_conflict_do_nothing(index_elements=["sha256"])
                tx.session.execute(
                    statement,
                    [
                        {"sha256": sha, "size": len(files[path]), "data": files[path]}
                        for path, sha in index.items()
                    ],
                )
                tx.touch("blobs", *set(index.values()))
            row = _config_row(tx, project_id)
            row.last_published_sha = result.sha
            row.last_published_at = now
            merged = dict(row.config or {})
            merged[PUBLISHED_FILES_KEY] = index
            state = dict(merged.get(STATE_KEY) or {})
            state.update(uncommitted=False, parent=result.sha, queued=False, error=None)
            merged[STATE_KEY] = state
            row.config = merged
            project = tx.session.get(Project, project_id)
            if project is not None and project.status == "draft":
                project.status = "published"
                tx.touch("projects", project_id)
            tx.touch("publish_configs", project_id)
        logger.info("published project %s as %s (%d files)", project_id, result.sha[:7], len(files))


def _extra_env(stored: Mapping[str, Any]) -> tuple[CustomEnvVar, ...]:
    raw = stored.get(EXTRA_ENV_KEY) or []
    return tuple(CustomEnvVar.from_dict(item) for item in raw if isinstance(item, Mapping))


#: Longest output line read whole (bundlers print long ones; the default is 64 KiB).
_MAX_LINE = 4 * 1024 * 1024


async def _stream(command: PreflightCommand, cwd: Path, progress: Progress) -> pf.CheckResult:
    """Run one check, each output line a progress event as it comes; cancel kills it."""
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *command.argv,
        cwd=str(cwd),
        env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        limit=_MAX_LINE,
    )
    assert proc.stdout is not None  # PIPE was asked for
    lines: list[str] = []
    try:
        async for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append(line)
            progress(
                StepProgress(
                    command.step, "output", log_line=line, elapsed=time.monotonic() - started
                )
            )
        await proc.wait()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        logger.info("preflight %s cancelled", command.step)
        raise
    return pf.CheckResult(
        proc.returncode == 0, time.monotonic() - started, "\n".join(lines), command.argv
    )


def _config_row(tx: Transaction, project_id: int) -> PublishConfigRow:
    row = tx.session.get(PublishConfigRow, project_id)
    if row is None:
        row = PublishConfigRow(project_id=project_id, config={})
        tx.session.add(row)
    return row


def _set_state(tx: Transaction, project_id: int, **values: Any) -> None:
    row = _config_row(tx, project_id)
    merged = dict(row.config or {})
    state = dict(merged.get(STATE_KEY) or {})
    state.update(values)
    merged[STATE_KEY] = state
    row.config = merged
    tx.touch("publish_configs", project_id)


__all__ = [
    "KIND_PUBLISH",
    "CustomEnvVar",
    "Draft",
    "FileChange",
    "FileSet",
    "GitHubApi",
    "PlatformApi",
    "PreflightCommand",
    "PreflightFailed",
    "PreflightReport",
    "PreparePreflight",
    "PublishResult",
    "PublishService",
    "RepoNameTaken",
    "Review",
    "SecretHit",
    "SecretsFound",
    "TierLimitReached",
    "custom_env_problems",
    "parse_repo_url",
    "scan_secrets",
    "target_for",
    "unified_diff",
    "with_custom_env",
]
