"""PublishService: a project's draft configuration to one commit on GitHub.

Everything before the push works offline: the draft `PublishConfig` is saved
in `publish_configs.config` (flat `PublishConfig.to_dict()` keys, beside the
keys `ProjectService` owns), the file set is the project's files with the
integration layer on top (`console.services.scaffold.compose`), and the secret
scan runs on that exact file set before any byte leaves the machine.

`publish()` then runs the steps below and reports them as typed progress
events (`StepStarted`/`StepProgress`/`StepFinished`/`StepFailed`):

1. ``files``: compose; 2. ``secrets``: scan, a hit blocks; 3. ``check``: the
   last build check built exactly this set (or the user overrode it);
4. ``limits``: the tier's builder-app limit (only for a project not yet
   counted on the platform); 5. ``repo``: create the repository, or reuse
   the one recorded for the project; 6. ``commit``: ONE atomic commit on top
   of the last published commit, refused when GitHub moved unless the user
   confirmed (`allow_diverged`); 7. ``platform``: the builder app learns its
   repository URL and the records the analyzer's "Link to an existing record"
   decisions chose are linked to it (``POST /builder-apps/{id}/links``).

The plan (tier) is the organization's, never the wizard's: the draft takes
it from the synced organization, and a publish takes the platform's current
one before composing (it decides the "Powered by l4yercak3" badge).

State that must survive a failure is written as soon as it exists: a
repository created in this run is recorded (``publish_state``) before the
commit, so a dropped connection leaves "created, no commit yet", which the
next attempt reuses instead of failing on "name taken". The published file
set is kept as content-addressed blobs (``published_files``) so the review
step diffs offline.

A publish asked for while offline is an outbox row of kind `KIND_PUBLISH`
delivered by `outbox_handler()`; it carries the build check it was queued
with, and is refused at delivery when the files changed since. It depends on
the project's queued builder-app create (if any): the outbox delivers the
create first, so the publish finds the app to link. A publish made while the
create still waits queues the linking instead (`KIND_LINK`, `link_handler()`),
on the same dependency.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import hashlib
import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.errors import (
    ConsoleError,
    NetworkError,
    NotFound,
    Unavailable,
    UserInputError,
    ValidationFailed,
)
from console.services.buildcheck import BuildSettings, plan_install
from console.services.buildcheck.lockfile import check_lockfile
from console.services.buildcheck.problems import BuildProblem
from console.services.deploy.events import (
    Progress,
    StepFailed,
    StepFinished,
    StepProgress,
    StepStarted,
    no_progress,
)
from console.services.github.models import CommitResult, Repo
from console.services.platform.models import OBJECT_TYPE_OF, ObjectType
from console.services.projects.models import CONFIG_DATA_NEEDS, DataNeed, Decision
from console.services.projects.rules.env import placeholder
from console.services.projects.sync import KIND_CREATE
from console.services.projects.sync import target_for as builder_app_target
from console.services.publish.check import (
    Builder,
    CheckReport,
    default_builder,
    fileset_hash,
    lockfile_key,
    placeholders,
)
from console.services.publish.model import (
    BRANCH,
    CHECK_KEY,
    CONFIG_KEYS,
    EXTRA_ENV_KEY,
    KIND_LINK,
    KIND_PUBLISH,
    LOCKFILES_KEY,
    PUBLISHED_FILES_KEY,
    STATE_KEY,
    STEPS,
    CheckRecord,
    CheckRequired,
    CustomEnvVar,
    Draft,
    FileChange,
    FileStatus,
    Plan,
    PublishResult,
    RepoNameTaken,
    Review,
    SecretsFound,
    TierLimitReached,
    custom_env_problems,
    target_for,
)
from console.services.publish.remotes import GitHubApi, PlatformApi
from console.services.publish.secrets import scan_secrets
from console.services.scaffold import (
    Category,
    ComposedFile,
    Composition,
    InvalidPublishConfig,
    PublishConfig,
    Tier,
    compose,
    env_vars,
)
from console.services.scaffold.webhook import WEBHOOK_PATH
from console.services.sync.outbox import Delivery, Handler, enqueue
from console.store.db import Store, Transaction
from console.store.models import Blob, Organization, OutboxEntry, Project, ProjectFile
from console.store.models import PublishConfig as PublishConfigRow

logger = logging.getLogger(__name__)

#: How many regenerated lockfiles a project keeps (one per recent package.json).
_KEPT_LOCKFILES = 3
#: Self-heal rounds per click: apply a fix, build again, at most this often.
HEAL_ROUNDS = 3


class Remedies(Protocol):
    """What the build check needs of `ProjectService` to fix what it finds."""

    async def propose_remedy(self, project_id: int, problem: BuildProblem) -> Any: ...

    async def apply_remedy(self, project_id: int, remedy: Any) -> Any: ...


class PublishService:
    """Drafts, file sets, the build check and the push of one project.

    Args:
        store: the console's store.
        github: the GitHub client, or None when no token is configured
            (`publish()` then raises `UserInputError`).
        platform: the platform client for the limit check and the builder
            app link; None skips both (offline-only setups, tests).
        workspace_root: where build check folders live (one per project).
        build_settings: caches and deadlines of the real build.
        builder: builds a file set (default: the real install and `next
            build`; tests inject small builders).
        remedies: proposes and applies the compatibility fix for a failed
            check (`ProjectService`); None offers no fixes.
    """

    def __init__(
        self,
        store: Store,
        github: GitHubApi | None,
        platform: PlatformApi | None = None,
        *,
        workspace_root: Path | None = None,
        build_settings: BuildSettings | None = None,
        builder: Builder | None = None,
        remedies: Remedies | None = None,
    ) -> None:
        self._store = store
        self._github = github
        self._platform = platform
        settings = build_settings or BuildSettings()
        self._workspace_root = workspace_root or settings.cache_root / "checks"
        self._builder = builder or default_builder(settings)
        self._remedies = remedies
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

    def set_remedies(self, remedies: Remedies) -> None:
        self._remedies = remedies

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
            plan = _plan_of(session, project.org_id, stored.get(STATE_KEY))
            values["tier"] = plan.tier.value  # the organization's, whatever was saved
            try:
                config = PublishConfig.from_dict(values)
            except InvalidPublishConfig:
                logger.info("publish draft of project %s unreadable; starting fresh", project_id)
                config = PublishConfig(
                    app_name=project.name,
                    repo_name=_repo_slug(project.name),
                    categories=detected,
                    tier=plan.tier,
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
                plan,
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
    async def build_files(self, project_id: int, config: PublishConfig) -> Composition:
        return await asyncio.to_thread(self.build_files_blocking, project_id, config)

    def build_files_blocking(self, project_id: int, config: PublishConfig) -> Composition:
        """The project's files with the integration layer on top: exactly what a push commits.

        Composed for the organization's plan, whatever `config.tier` says (the
        badge is the plan's). A lockfile the build check regenerated for this
        very manifest replaces the stale one (see `check`).
        """
        config = config.with_changes(tier=self._plan_blocking(project_id).tier)
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            stored = dict(row.config or {}) if row else {}
            project = {
                path: data
                for path, data in session.execute(
                    select(ProjectFile.path, Blob.data)
                    .join(Blob, Blob.sha256 == ProjectFile.sha256)
                    .where(ProjectFile.project_id == project_id)
                )
            }
            composition = compose(project, config, _extra_env(stored))
            update = (stored.get(LOCKFILES_KEY) or {}).get(lockfile_key(composition.files))
            if not update:
                return composition
            blob = session.get(Blob, update["sha"])
        if blob is None:
            return composition
        return _with_lockfile(composition, update["path"], blob.data)

    async def review(self, project_id: int, config: PublishConfig) -> Review:
        return await asyncio.to_thread(self.review_blocking, project_id, config)

    def review_blocking(self, project_id: int, config: PublishConfig) -> Review:
        """Files with their origin and diff against the last published commit, and what blocks."""
        problems = tuple(p.message for p in config.errors()) + tuple(
            custom_env_problems(config, self._extra_env_blocking(project_id))
        )
        composition = self.build_files_blocking(project_id, config) if not problems else None
        files = composition.files if composition else {}
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
            origin = composition.entry(path) if composition else None
            changes.append(FileChange(path, status, diff, origin))
        plan = plan_install(files) if files else None
        sync = check_lockfile(files, plan) if plan else None
        return Review(
            files,
            fileset_hash(files),
            tuple(changes),
            composition.conflicts if composition else (),
            tuple(scan_secrets(files)),
            problems,
            sha,
            install=plan.reason if plan else "",
            lockfile_stale=bool(sync and sync.in_sync is False),
            check=self._check_record_blocking(project_id),
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

    # ------------------------------------------------------------------ build check
    async def check(
        self, project_id: int, config: PublishConfig, progress: Progress = no_progress
    ) -> CheckReport:
        """Build exactly what a push of `config` would commit, as Vercel will build it.

        Streams the install and build as progress events; cancelling ends every
        process it started. A regenerated lockfile is kept and becomes part of
        the pushed set; the result is recorded against the set's hash.

        Raises:
            InvalidPublishConfig: the config has errors (nothing to build yet).
        """
        errors = [p.message for p in config.errors()]
        if errors:
            raise InvalidPublishConfig("; ".join(errors))
        composition = await self.build_files(project_id, config)
        env = await asyncio.to_thread(self._build_env_blocking, project_id, config)
        workdir = self._workspace_root / f"project-{project_id}"
        outcome = await self._builder(composition.files, workdir, env, progress)
        files = composition.files
        updated = None
        if outcome.lockfile_update is not None:
            path, content = outcome.lockfile_update
            await asyncio.to_thread(
                self._keep_lockfile_blocking, project_id, lockfile_key(files), path, content
            )
            files = _with_lockfile(composition, path, content).files
            updated = path
        record = CheckRecord(
            fileset_hash(files),
            outcome.ok,
            datetime.now(UTC),
            outcome.seconds,
            outcome.problem.headline() if outcome.problem else "",
            (await asyncio.to_thread(self._plan_blocking, project_id)).tier.value,
        )
        await asyncio.to_thread(self._record_check_blocking, project_id, record)
        remedy = None
        if outcome.problem is not None and self._remedies is not None:
            remedy = await self._remedies.propose_remedy(project_id, outcome.problem)
        logger.info(
            "build check of project %s: %s in %.1f s",
            project_id,
            "passed"
            if outcome.ok
            else f"failed ({outcome.problem.kind if outcome.problem else '?'})",
            outcome.seconds,
        )
        return CheckReport(
            outcome.ok,
            record.files_hash,
            outcome,
            outcome.problem,
            updated,
            remedy,
            tuple(sorted(env)),
        )

    async def heal(
        self,
        project_id: int,
        config: PublishConfig,
        remedy: Any,
        progress: Progress = no_progress,
        *,
        rounds: int = HEAL_ROUNDS,
    ) -> CheckReport:
        """Apply `remedy`, check again, and keep fixing what the next check names.

        Stops when the check passes, when nothing can fix the failure, or after
        `rounds` fixes; the last report says which.

        Raises:
            UserInputError: no remedies source is configured.
        """
        if self._remedies is None:
            raise UserInputError("Fixes are not available here.")
        report: CheckReport | None = None
        for _ in range(rounds):
            await self._remedies.apply_remedy(project_id, remedy)
            report = await self.check(project_id, config, progress)
            if report.ok or report.remedy is None:
                return report
            remedy = report.remedy
        assert report is not None  # rounds >= 1
        return report

    def _build_env_blocking(self, project_id: int, config: PublishConfig) -> dict[str, str]:
        """A placeholder for every variable the app reads: the project's and the integration's."""
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            stored = dict(row.config or {}) if row else {}
        compat_env = (stored.get("compat") or {}).get("env") or []
        names = [
            (str(e["name"]), str(e.get("placeholder") or placeholder(str(e["name"]))))
            for e in compat_env
            if isinstance(e, Mapping) and e.get("name")
        ]
        # Examples document a format; placeholders are shaped to pass the libraries' checks.
        names += [(v.name, placeholder(v.name)) for v in env_vars(config)]
        names += [(v.name, placeholder(v.name)) for v in _extra_env(stored) if v.name]
        return placeholders(names)

    def _keep_lockfile_blocking(self, project_id: int, key: str, path: str, data: bytes) -> None:
        sha = _sha(data)
        with self._write() as tx:
            tx.session.execute(
                sqlite_insert(Blob).on_conflict_do_nothing(index_elements=["sha256"]),
                [{"sha256": sha, "size": len(data), "data": data}],
            )
            tx.touch("blobs", sha)
            row = _config_row(tx, project_id)
            merged = dict(row.config or {})
            kept = dict(merged.get(LOCKFILES_KEY) or {})
            kept.pop(key, None)
            kept[key] = {"path": path, "sha": sha}
            merged[LOCKFILES_KEY] = dict(list(kept.items())[-_KEPT_LOCKFILES:])
            row.config = merged
            tx.touch("publish_configs", project_id)

    def _plan_blocking(self, project_id: int) -> Plan:
        """The organization's plan for the project (see `_plan_of`)."""
        with self._store.read() as session:
            project = session.get(Project, project_id)
            row = session.get(PublishConfigRow, project_id)
            state = (row.config or {}).get(STATE_KEY) if row else None
            return _plan_of(session, project.org_id if project else None, state)

    def _remember_plan_blocking(self, project_id: int, limits: Any) -> None:
        """The plan the platform reports: on the synced organization, or (never
        synced) in the project's publish state; the files are composed for it."""
        tier = Tier(limits.tier)
        flags = {"badge_required": limits.badge_required, "white_label": limits.white_label}
        with self._write() as tx:
            project = tx.session.get(Project, project_id)
            pool = _pool_org(tx.session, project.org_id if project else None)
            if pool is not None:
                pool.tier = tier.value
                pool.limits = {**(pool.limits or {}), **flags}
            else:
                _set_state(tx, project_id, plan={"tier": tier.value, **flags})

    def _record_check_blocking(self, project_id: int, record: CheckRecord) -> None:
        with self._write() as tx:
            row = _config_row(tx, project_id)
            row.config = {**dict(row.config or {}), CHECK_KEY: record.to_json()}
            tx.touch("publish_configs", project_id)

    def _check_record_blocking(self, project_id: int) -> CheckRecord | None:
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            raw = (row.config or {}).get(CHECK_KEY) if row else None
        return CheckRecord.from_json(raw) if isinstance(raw, Mapping) else None

    # ------------------------------------------------------------------ publish
    async def publish(
        self,
        project_id: int,
        config: PublishConfig,
        *,
        allow_diverged: bool = False,
        override_check: bool = False,
        progress: Progress = no_progress,
    ) -> PublishResult:
        """Push the project's file set to GitHub as one commit (see the module docstring).

        Args:
            override_check: push even though no passing build check built
                exactly these files (the user said so explicitly).

        Raises:
            InvalidPublishConfig: the config has errors.
            SecretsFound: the scan found secrets (nothing was sent).
            CheckRequired: the set is not the one a passing check built.
            TierLimitReached: the plan allows no further builder app.
            RepoNameTaken: the repository name exists and is not this project's.
            Conflict: GitHub changed since the last publish (retry with
                ``allow_diverged=True`` once the user confirmed).
            RemoteError: AuthError, RateLimited, NetworkError from GitHub.
        """
        steps = _Steps(progress)
        try:
            return await self._publish(project_id, config, allow_diverged, override_check, steps)
        except ConsoleError as error:
            steps.fail(error.user_text())
            raise

    async def _publish(
        self,
        project_id: int,
        config: PublishConfig,
        allow_diverged: bool,
        override_check: bool,
        steps: _Steps,
    ) -> PublishResult:
        errors = [p.message for p in config.errors()]
        errors += custom_env_problems(
            config, await asyncio.to_thread(self._extra_env_blocking, project_id)
        )
        if errors:
            raise InvalidPublishConfig("; ".join(errors))
        github = self._github
        if github is None:
            raise UserInputError("Add a GitHub token in Settings to publish.")
        project = await asyncio.to_thread(self._project_blocking, project_id)
        limits = await self._licensing(project)
        if limits is not None:  # the platform's plan now, even if the last sync is older
            await asyncio.to_thread(self._remember_plan_blocking, project_id, limits)
        await self.save_draft(project_id, config)

        steps.start("files")
        composition = await self.build_files(project_id, config)
        files = composition.files
        layer = sum(1 for e in composition.entries if e.origin in ("layer", "moved"))
        steps.finish(f"{len(files)} files, {layer} from the integration layer")

        steps.start("secrets")
        hits = await asyncio.to_thread(scan_secrets, files)
        if hits:
            raise SecretsFound(hits)
        steps.finish("no secrets")

        steps.start("check")
        plan = await asyncio.to_thread(self._plan_blocking, project_id)
        await self._match_check(project_id, files, override_check, steps, plan.tier)

        state = await asyncio.to_thread(self._state_blocking, project_id)

        steps.start("limits")
        self._check_limits(project, limits, steps)

        steps.start("repo")
        known = parse_repo_url(project.repo_url)
        created = False
        if project.repo_url and known is not None:
            owner, name = known
            url = project.repo_url
            parent: str | None = state.get("parent")
            if not state.get("uncommitted"):
                parent = await asyncio.to_thread(self._last_sha_blocking, project_id)
            steps.finish(f"reusing {owner}/{name}")
        else:
            repo, created = await self._create_repo(project_id, config, state, github)
            owner, name, parent, url = repo.owner, repo.name, repo.head, repo.html_url
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
                files,
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
        await asyncio.to_thread(
            self._record_commit_blocking,
            project_id,
            result,
            files,
            config,
            composition.webhook_path,
        )
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

    async def _match_check(
        self,
        project_id: int,
        files: Mapping[str, bytes],
        override: bool,
        steps: _Steps,
        tier: Tier,
    ) -> None:
        record = await asyncio.to_thread(self._check_record_blocking, project_id)
        matches = record is not None and record.files_hash == fileset_hash(files)
        if matches and record is not None and record.ok:
            steps.finish(f"passed for these exact files ({record.files_hash[:7]})")
            return
        if override:
            steps.finish("overridden: pushed without a passing build check")
            return
        if record is None:
            why = "The build check has not run for this project."
        elif not matches and record.tier and record.tier != tier.value:
            why = (
                f"Your organization's plan is {tier.value.capitalize()} now (the build check "
                f"ran for {record.tier.capitalize()}), which changes the app's badge."
            )
        elif not matches:
            why = "The files changed since the last build check."
        else:
            why = f"The build check failed: {record.problem or 'see its output'}."
        raise CheckRequired(f"{why} Nothing was pushed.")

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

    async def _licensing(self, project: Project) -> Any:
        """The platform's limits for the project's organization (tier, badge, usage).

        None without a platform connection, or while it is unreachable for a
        project already counted there (the synced plan then decides).
        """
        if self._platform is None:
            return None
        try:
            return await self._platform.get_licensing_limits(org_id=project.org_id)
        except (NetworkError, Unavailable):
            if project.remote_id is None:
                raise  # its builder-app limit must be checked first
            logger.info("publish of project %s: plan from the last sync", project.id)
            return None

    def _check_limits(self, project: Project, limits: Any, steps: _Steps) -> None:
        if project.remote_id is not None:
            steps.finish("already counted on the platform")
            return
        if limits is None:
            steps.finish("skipped (no platform connection)")
            return
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
        """The builder app learns its repository and linked records, now or once it exists."""
        with self._store.read() as session:
            project = session.get(Project, project_id)
            remote_id = project.remote_id if project else None
            org_id = project.org_id if project else None
        if self._platform is None:
            steps.finish("skipped (no platform connection)")
            return False
        if remote_id is None:
            if await asyncio.to_thread(self._queue_link_blocking, project_id, url):
                steps.finish("queued: linked once the builder app is created on the platform")
            else:
                steps.finish("not on the platform yet")
            return False
        try:
            linked = await self._link(project_id, remote_id, org_id, url)
        except ConsoleError as error:
            # The commit is on GitHub; a failed link is shown, not fatal.
            steps.note(f"The builder app was not updated: {error.user_text()}")
            steps.finish("not linked")
            return False
        steps.finish(f"linked{f', {linked} records linked' if linked else ''}")
        return True

    async def _link(self, project_id: int, app_id: str, org_id: str | None, url: str) -> int:
        """Repository URL and the chosen records on the builder app; returns how many records."""
        assert self._platform is not None
        await self._platform.update_builder_app(
            app_id, repo_url=url, org_id=org_id, status="published"
        )
        count = 0
        for object_type, ids in await asyncio.to_thread(self._link_decisions_blocking, project_id):
            digest = hashlib.sha256("\n".join([app_id, object_type, *ids]).encode()).hexdigest()
            await self._platform.link_objects(
                app_id,
                object_type,
                ids,
                idempotency_key=f"links-{digest[:32]}",
                org_id=org_id,
            )
            count += len(ids)
        logger.info("project %s: builder app %s linked to %d records", project_id, app_id, count)
        return count

    def _link_decisions_blocking(self, project_id: int) -> list[tuple[ObjectType, list[str]]]:
        """The analyzer's confirmed "Link to an existing record" decisions, by object type."""
        with self._store.read() as session:
            row = session.get(PublishConfigRow, project_id)
            raw = (row.config or {}).get(CONFIG_DATA_NEEDS) if row else None
        chosen: dict[ObjectType, list[str]] = {}
        for item in raw if isinstance(raw, list) else ():
            need = DataNeed.from_json(item) if isinstance(item, Mapping) else None
            if need is None or need.decision is not Decision.LINK or not need.confirmed:
                continue
            ids = chosen.setdefault(OBJECT_TYPE_OF[need.category], [])
            ids += [i for i in re.split(r"[,\s]+", need.link_id) if i and i not in ids]
        return [(kind, ids) for kind, ids in chosen.items() if ids]

    def _queue_link_blocking(self, project_id: int, url: str) -> bool:
        """Queue the linking behind the project's waiting builder-app create; False if none."""
        with self._write() as tx:
            create = _waiting_create(tx, project_id)
            if create is None:
                return False
            enqueue(
                tx,
                target_for(project_id),
                KIND_LINK,
                {"project_id": project_id, "repo_url": url},
                depends_on=create,
            )
        return True

    def link_handler(self) -> Handler:
        """The handler of `KIND_LINK` rows (register it with the OutboxProcessor)."""

        async def deliver(delivery: Delivery) -> int:
            project_id = int(delivery.payload["project_id"])
            project = await asyncio.to_thread(self._project_blocking, project_id)
            if project.remote_id is None or self._platform is None:
                raise UserInputError(f"{project.name} is not on the platform yet.")
            return await self._link(
                project_id, project.remote_id, project.org_id, str(delivery.payload["repo_url"])
            )

        return Handler(deliver)

    # ------------------------------------------------------------------ offline queue
    async def queue_publish(
        self,
        project_id: int,
        config: PublishConfig,
        *,
        allow_diverged: bool = False,
        override_check: bool = False,
    ) -> int:
        """Queue the publish for when GitHub is reachable; returns the outbox row id.

        The decision on the build check travels with it: at delivery the set
        must still be the one the check built, unless `override_check`.
        """
        return await asyncio.to_thread(
            self._queue_blocking, project_id, config, allow_diverged, override_check
        )

    def _queue_blocking(
        self, project_id: int, config: PublishConfig, allow_diverged: bool, override_check: bool
    ) -> int:
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
                    "override_check": override_check,
                },
                # The app must exist on the platform before the push, to learn its repository.
                depends_on=_waiting_create(tx, project_id),
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
                override_check=bool(payload.get("override_check")),
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
        self,
        project_id: int,
        result: CommitResult,
        files: Mapping[str, bytes],
        config: PublishConfig,
        webhook_path: str,
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
            state.update(
                uncommitted=False,
                parent=result.sha,
                queued=False,
                error=None,
                webhook_path=webhook_path,
                # What the pushed app was generated from: the deploy provides its variables.
                published_config=config.to_dict(),
            )
            merged[STATE_KEY] = state
            row.config = merged
            project = tx.session.get(Project, project_id)
            if project is not None and project.status == "draft":
                project.status = "published"
                tx.touch("projects", project_id)
            tx.touch("publish_configs", project_id)
        logger.info("published project %s as %s (%d files)", project_id, result.sha[:7], len(files))


def published_config(store: Store, project_id: int) -> tuple[PublishConfig, str] | None:
    """The configuration of the project's last publish and the webhook path its app serves.

    None for a project never published from this console (the deploy then
    works from the project's categories).
    """
    with store.read() as session:
        row = session.get(PublishConfigRow, project_id)
        state = dict((row.config or {}).get(STATE_KEY) or {}) if row else {}
    raw = state.get("published_config")
    if not isinstance(raw, Mapping):
        return None
    try:
        config = PublishConfig.from_dict(raw)
    except InvalidPublishConfig:
        logger.info("published config of project %s unreadable", project_id)
        return None
    return config, str(state.get("webhook_path") or WEBHOOK_PATH)


# --- helpers --------------------------------------------------------------------------------
def _with_lockfile(composition: Composition, path: str, content: bytes) -> Composition:
    """`composition` carrying the lockfile the build check regenerated for its manifest."""
    files = {**composition.files, path: content}
    note = "regenerated by the build check: the pushed package.json needs it (frozen install)"
    entries = tuple(
        replace(e, origin="merged", note=note) if e.path == path else e for e in composition.entries
    )
    if all(e.path != path for e in entries):
        entries = tuple(sorted((*entries, ComposedFile(path, "layer", note)), key=lambda e: e.path))
    return replace(composition, files=dict(sorted(files.items())), entries=entries)


def _extra_env(stored: Mapping[str, Any]) -> tuple[CustomEnvVar, ...]:
    raw = stored.get(EXTRA_ENV_KEY) or []
    return tuple(CustomEnvVar.from_dict(item) for item in raw if isinstance(item, Mapping))


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


def _waiting_create(tx: Transaction, project_id: int) -> int | None:
    """The outbox row still to create the project's builder app (pending or failed)."""
    return tx.session.scalar(
        select(OutboxEntry.id)
        .where(
            OutboxEntry.target == builder_app_target(project_id),
            OutboxEntry.kind == KIND_CREATE,
            OutboxEntry.status.in_(("pending", "failed")),
        )
        .order_by(OutboxEntry.id.desc())
    )


def _pool_org(session: Session, org_id: str | None) -> Organization | None:
    """The organization whose plan `org_id` has: its top one (a client's is its agency)."""
    orgs = {o.id: o for o in session.scalars(select(Organization))}
    org = orgs.get(org_id or "") or next((o for o in orgs.values() if o.parent_id is None), None)
    for _ in range(8):
        if org is None or org.parent_id is None or org.parent_id not in orgs:
            break
        org = orgs[org.parent_id]
    return org


def _plan_of(session: Session, org_id: str | None, state: Any) -> Plan:
    """The plan as last synced, else as the last publish learned it, else the free tier's."""
    org = _pool_org(session, org_id)
    if org is not None:
        tier_name, flags = org.tier, dict(org.limits or {})
    elif isinstance(state, Mapping) and isinstance(state.get("plan"), Mapping):
        flags = dict(state["plan"])
        tier_name = str(flags.get("tier"))
    else:
        return Plan()
    try:
        tier = Tier(tier_name)
    except ValueError:
        return Plan()
    return Plan(
        tier,
        bool(flags.get("badge_required", tier is Tier.FREE)),
        bool(flags.get("white_label", tier in (Tier.AGENCY, Tier.ENTERPRISE))),
        synced=True,
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
