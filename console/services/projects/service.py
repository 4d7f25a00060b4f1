"""ProjectService: the projects of the agency and its clients, prepared offline.

Everything here works without a network: importing a v0 export or starting
from a template, analysing the data it needs, applying the compatibility
rules, editing name and categories, and round-tripping files through a
working folder for an external editor. Each change is one store transaction;
changes the platform must know about (builder app create/update) carry their
outbox row in that same transaction (`console.services.projects.sync`
delivers them).

`publish_configs.config` keys this service owns: "categories" (confirmed API
categories, the publish wizard's input), "data_needs", "compat", "import",
"workdir" and "sync". It never touches the wizard's keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.errors import UserInputError
from console.services.buildcheck.problems import BuildProblem
from console.services.projects import analyzer
from console.services.projects.heal import Remedy, remedy_for
from console.services.projects.importer import (
    IGNORED_DIRS,
    MAX_FILE_BYTES,
    ExportFiles,
    check_text_blocking,
    is_binary_path,
    read_export_blocking,
)
from console.services.projects.models import (
    ARCHITECTURE_LABELS,
    ARCHITECTURES,
    CATEGORY_IDS,
    CATEGORY_LABELS,
    CONFIG_CATEGORIES,
    CONFIG_COMPAT,
    CONFIG_DATA_NEEDS,
    CONFIG_IMPORT,
    CONFIG_SYNC,
    CompatReport,
    DataNeed,
    Decision,
    DeploymentInfo,
    EnvVar,
    FileContent,
    FileInfo,
    Finding,
    OrgOption,
    PickupResult,
    ProjectDetail,
    ProjectEdit,
    ProjectRow,
    PublishSummary,
    RuleReport,
    SyncState,
    TemplateInfo,
)
from console.services.projects.rules import ALL_RULES, Rule, run_rules
from console.services.projects.sync import (
    KIND_CREATE,
    KIND_UPDATE,
    BuilderAppsApi,
    builder_app_handlers,
    target_for,
)
from console.services.sync.outbox import Handler, enqueue
from console.store.db import Store, Transaction
from console.store.models import (
    Blob,
    Deployment,
    Organization,
    OutboxEntry,
    Project,
    ProjectFile,
    PublishConfig,
)

logger = logging.getLogger(__name__)

CONFIG_WORKDIR = "workdir"
MAX_NAME = 120
MAX_DESCRIPTION = 2000
#: Templates for "New from template": folder in `starters/` -> (title, description).
TEMPLATES: dict[str, tuple[str, str]] = {
    "nextjs-blank": (
        "Blank Next.js app",
        "Next.js 15, React 19, Tailwind 3 and Geist: a clean start that builds offline.",
    ),
    "landing-contact": (
        "Landing page with contact form",
        "A one-page site and a contact form, ready for the Forms category.",
    ),
}
#: Labels of the publish wizard's keys, shown read-only in the detail view.
PUBLISH_LABELS = {
    "appName": "App name",
    "repoName": "Repository",
    "isPrivate": "Private repository",
    "architecture": "Architecture",
    "backend": "Backend",
    "auth": "Auth",
    "payments": "Payments",
}
OWN_KEYS = frozenset(
    {
        CONFIG_CATEGORIES,
        CONFIG_DATA_NEEDS,
        CONFIG_COMPAT,
        CONFIG_IMPORT,
        CONFIG_SYNC,
        CONFIG_WORKDIR,
    }
)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:63].strip("-") or "project"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Stored:
    """A file as stored: where its content is and where it came from."""

    sha: str
    origin: str


@dataclass(frozen=True)
class _CompatSettings:
    """The project's choices about its rules: which are off, and their targets."""

    disabled: frozenset[str] = frozenset()
    targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> _CompatSettings:
        compat = config.get(CONFIG_COMPAT, {})
        targets = compat.get("targets", {})
        return cls(
            frozenset(str(r) for r in compat.get("disabled", ())),
            {
                str(rule): tuple(str(t) for t in items)
                for rule, items in (targets.items() if isinstance(targets, dict) else ())
                if isinstance(items, list)
            },
        )

    def with_remedy(self, remedy: Remedy) -> _CompatSettings:
        have = self.targets.get(remedy.rule_id, ())
        added = tuple(t for t in remedy.add_targets if t not in have)
        targets = {**self.targets, remedy.rule_id: (*have, *added)} if added else self.targets
        disabled = self.disabled - {remedy.rule_id} if remedy.enable_rule else self.disabled
        return _CompatSettings(disabled, targets)


class ProjectService:
    """Projects in the store: list, detail, offline import/create/edit, patches, working folders.

    Args:
        store: the local store.
        workspace_root: where "open in editor" writes each project's files.
        rules: the compatibility rules, in order (the default: all of them).
        clock: "now" (aware UTC).
        on_queued: called on the loop after a change was queued for the platform
            (production: the sync engine's `outbox_changed`, to deliver it now).
    """

    def __init__(
        self,
        store: Store,
        *,
        workspace_root: Path,
        rules: Sequence[Rule] = ALL_RULES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._on_queued = on_queued
        self._workspace_root = workspace_root
        self._rules = tuple(rules)
        self._clock = clock
        #: project id -> {path: (mtime_ns, size)} of files as last written or read.
        self._snapshots: dict[int, dict[str, tuple[int, int]]] = {}

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def outbox_handlers(self, platform: BuilderAppsApi) -> dict[str, Handler]:
        """Register these with the OutboxProcessor: builder-app create and update, by kind.

        Args:
            platform: the platform client (`PlatformClient`) that delivers them.
        """
        return builder_app_handlers(platform, self._store)

    # ------------------------------------------------------------------ reading

    async def list_rows(self, ids: Collection[int] | None = None) -> list[ProjectRow]:
        """Every project (or only `ids`) as list rows, clients' names resolved."""
        return await asyncio.to_thread(self.list_rows_blocking, ids)

    def list_rows_blocking(self, ids: Collection[int] | None = None) -> list[ProjectRow]:
        with self._store.read() as session:
            orgs = {
                org_id: (name, parent)
                for org_id, name, parent in session.execute(
                    select(Organization.id, Organization.name, Organization.parent_id)
                )
            }
            agency = next((name for name, parent in orgs.values() if parent is None), "Agency")
            query = select(
                Project.id,
                Project.remote_id,
                Project.name,
                Project.slug,
                Project.description,
                Project.org_id,
                Project.status,
                Project.deployment_status,
                Project.architecture,
                Project.categories,
                Project.repo_url,
                Project.production_url,
                Project.source,
                Project.created_at,
                Project.updated_at,
            )
            if ids is not None:
                query = query.where(Project.id.in_(list(ids)))
            rows = []
            for r in session.execute(query):
                org = orgs.get(r.org_id) if r.org_id else None
                is_agency = org is None or org[1] is None
                rows.append(
                    ProjectRow(
                        id=r.id,
                        remote_id=r.remote_id,
                        name=r.name,
                        slug=r.slug,
                        description=r.description or "",
                        org_id=r.org_id,
                        client_name=org[0] if org else agency,
                        is_agency=is_agency,
                        status=r.status,
                        deployment_status=r.deployment_status,
                        architecture=r.architecture,
                        categories=tuple(str(c) for c in (r.categories or ())),
                        repo_url=r.repo_url,
                        production_url=r.production_url,
                        source=r.source,
                        created_at=_aware(r.created_at) or self._clock(),
                        updated_at=_aware(r.updated_at) or self._clock(),
                    )
                )
        return rows

    async def organizations(self) -> list[OrgOption]:
        """The agency and its clients, agency first, then by name."""
        return await asyncio.to_thread(self._organizations_blocking)

    def _organizations_blocking(self) -> list[OrgOption]:
        with self._store.read() as session:
            orgs = [
                OrgOption(o.id, o.name, o.parent_id is None)
                for o in session.scalars(select(Organization))
            ]
        return sorted(orgs, key=lambda o: (not o.is_agency, o.name.casefold()))

    async def detail(self, project_id: int) -> ProjectDetail:
        """Everything the detail view shows.

        Raises:
            UserInputError: the project no longer exists.
        """
        return await asyncio.to_thread(self._detail_blocking, project_id)

    def _detail_blocking(self, project_id: int) -> ProjectDetail:
        rows = self.list_rows_blocking([project_id])
        if not rows:
            raise UserInputError("This project no longer exists; it may have been deleted.")
        row = rows[0]
        with self._store.read() as session:
            files = tuple(
                FileInfo(path, sha, size, origin)
                for path, sha, size, origin in session.execute(
                    select(ProjectFile.path, ProjectFile.sha256, Blob.size, ProjectFile.origin)
                    .join(Blob, Blob.sha256 == ProjectFile.sha256)
                    .where(ProjectFile.project_id == project_id)
                    .order_by(ProjectFile.path)
                )
            )
            config_row = session.get(PublishConfig, project_id)
            config: dict[str, Any] = dict(config_row.config) if config_row else {}
            deployments = tuple(
                DeploymentInfo(
                    d.id,
                    d.state,
                    d.target,
                    d.url,
                    d.commit_sha,
                    d.trigger,
                    d.triggered_by,
                    _aware(d.created_at) or self._clock(),
                    _aware(d.ready_at),
                    d.error,
                )
                for d in session.scalars(
                    select(Deployment)
                    .where(Deployment.project_id == project_id)
                    .order_by(Deployment.created_at.desc())
                )
            )
            outbox = list(
                session.execute(
                    select(OutboxEntry.status, OutboxEntry.last_error).where(
                        OutboxEntry.target == target_for(project_id),
                        OutboxEntry.status.in_(("pending", "failed")),
                    )
                )
            )
        failed = [error for status, error in outbox if status == "failed"]
        pending = sum(1 for status, _ in outbox if status == "pending")
        if failed:
            state = SyncState.FAILED
        elif pending and row.remote_id is None:
            state = SyncState.LOCAL
        elif pending:
            state = SyncState.PENDING
        else:
            state = SyncState.SYNCED
        publish = _publish_summary(config, config_row)
        compat = config.get(CONFIG_COMPAT, {})
        findings = tuple(
            Finding.from_json(f) for f in compat.get("findings", ()) if isinstance(f, dict)
        )
        return ProjectDetail(
            row=row,
            files=files,
            data_needs=_needs(config),
            publish=publish,
            deployments=deployments,
            sync_state=state,
            sync_error=failed[-1] if failed else None,
            queued_changes=pending,
            findings=findings,
            workdir=config.get(CONFIG_WORKDIR),
            import_notes=tuple(config.get(CONFIG_IMPORT, {}).get("skipped", ())),
        )

    async def read_file(self, project_id: int, path: str) -> FileContent:
        """One file for the viewer (text decoded; None for binary assets)."""
        return await asyncio.to_thread(self._read_file_blocking, project_id, path)

    def _read_file_blocking(self, project_id: int, path: str) -> FileContent:
        with self._store.read() as session:
            found = session.execute(
                select(ProjectFile.origin, Blob.data, Blob.size)
                .join(Blob, Blob.sha256 == ProjectFile.sha256)
                .where(ProjectFile.project_id == project_id, ProjectFile.path == path)
            ).first()
        if found is None:
            raise UserInputError(f"{path} is no longer part of this project.")
        origin, data, size = found
        text = None if is_binary_path(path) else data.decode("utf-8", errors="replace")
        return FileContent(path, origin, size, text)

    def templates(self) -> tuple[TemplateInfo, ...]:
        return tuple(TemplateInfo(key, title, text) for key, (title, text) in TEMPLATES.items())

    # ------------------------------------------------------------------ creating

    async def import_export(
        self,
        source: Path,
        *,
        name: str | None = None,
        org_id: str | None = None,
        initiator: object | None = None,
    ) -> int:
        """Import a v0 export (zip or folder) as a local draft; returns the project id.

        Validates everything before writing; then one transaction stores the
        files (content-addressed), the draft, the analysis, the patched files
        and the builder-app create for the outbox.

        Raises:
            UserInputError: the source cannot be imported (the store is unchanged).
        """
        export = await asyncio.to_thread(read_export_blocking, source)
        project_id = await asyncio.to_thread(
            self._create_blocking,
            export,
            name or _title_from(export.source_name),
            org_id,
            "v0",
            "",
            initiator,
        )
        self._queued()
        return project_id

    async def create_from_template(
        self,
        template_id: str,
        *,
        name: str,
        org_id: str | None = None,
        description: str = "",
        initiator: object | None = None,
    ) -> int:
        """Create a local draft from one of `templates()`; returns the project id.

        Raises:
            UserInputError: unknown template or an empty name.
        """
        if template_id not in TEMPLATES:
            raise UserInputError(f"There is no template called {template_id!r}.")
        export = await asyncio.to_thread(_template_files, template_id, name, description)
        project_id = await asyncio.to_thread(
            self._create_blocking, export, name, org_id, "template", description, initiator
        )
        self._queued()
        return project_id

    def _create_blocking(
        self,
        export: ExportFiles,
        name: str,
        org_id: str | None,
        origin: str,
        description: str,
        initiator: object | None,
    ) -> int:
        name = _clean_name(name)
        description = description.strip()[:MAX_DESCRIPTION]
        detections = analyzer.analyze(export.texts)
        needs = analyzer.default_needs(detections)
        binaries = [p for p in export.files if p not in export.texts]
        result = run_rules(export.texts, binaries, self._rules)
        final: dict[str, bytes] = {p: export.files[p] for p in binaries}
        final.update({p: t.encode("utf-8") for p, t in result.texts.items()})
        base: dict[str, dict[str, Any]] = {}
        origins: dict[str, str] = {}
        for path in export.files.keys() | final.keys():
            before, after = export.files.get(path), final.get(path)
            if before != after:
                base[path] = {
                    "sha": sha256(before) if before is not None else None,
                    "origin": origin,
                }
            if after is not None:
                origins[path] = "patch" if before != after else origin
        categories = _categories(needs)
        now = self._clock()
        with self._store.write(initiator) as tx:
            project = Project(
                name=name,
                slug=slugify(name),
                description=description,
                org_id=org_id,
                status="draft",
                architecture="thin_client",
                categories=categories,
                source=origin,
                created_at=now,
                updated_at=now,
            )
            tx.session.add(project)
            tx.session.flush()
            contents = {sha256(data): data for data in final.values()}
            contents.update({sha256(d): d for d in export.files.values()})
            _put_blobs(tx, contents)
            tx.session.add_all(
                ProjectFile(
                    project_id=project.id, path=path, sha256=sha256(data), origin=origins[path]
                )
                for path, data in sorted(final.items())
            )
            tx.session.add(
                PublishConfig(
                    project_id=project.id,
                    config={
                        CONFIG_IMPORT: {
                            "source": export.source_name,
                            "origin": origin,
                            "imported_at": now.isoformat(),
                            "skipped": list(export.skipped),
                        },
                        CONFIG_DATA_NEEDS: [n.to_json() for n in needs],
                        CONFIG_CATEGORIES: categories,
                        CONFIG_COMPAT: _compat_json(
                            _CompatSettings(), base, CompatReport(result.reports, result.env), now
                        ),
                        CONFIG_SYNC: {"state": SyncState.LOCAL.value},
                    },
                    updated_at=now,
                )
            )
            enqueue(
                tx,
                target_for(project.id),
                KIND_CREATE,
                {
                    "project_id": project.id,
                    "org_id": org_id,
                    "name": name,
                    "description": description,
                    "architecture": "thin_client",
                    "categories": categories,
                },
            )
            project_id = project.id
        logger.info(
            "created project %s from %s: %d files, %d patched",
            project_id,
            origin,
            len(final),
            sum(1 for o in origins.values() if o == "patch"),
        )
        return project_id

    # ------------------------------------------------------------------ editing

    async def update_project(
        self, project_id: int, edit: ProjectEdit, *, initiator: object | None = None
    ) -> None:
        """Change name, description, architecture or client, offline; queued for the platform.

        Raises:
            UserInputError: empty name, unknown architecture, a client change after the
                project reached the platform, or the project is gone.
        """
        if await asyncio.to_thread(self._update_blocking, project_id, edit, initiator):
            self._queued()

    def _update_blocking(
        self, project_id: int, edit: ProjectEdit, initiator: object | None
    ) -> bool:
        with self._store.write(initiator) as tx:
            project = _project(tx.session, project_id)
            changes: dict[str, Any] = {}
            if edit.name is not None and _clean_name(edit.name) != project.name:
                project.name = changes["name"] = _clean_name(edit.name)
                if project.remote_id is None:
                    project.slug = slugify(project.name)
            if edit.description is not None:
                text = edit.description.strip()[:MAX_DESCRIPTION]
                if text != project.description:
                    project.description = changes["description"] = text
            if edit.architecture is not None and edit.architecture != project.architecture:
                if edit.architecture not in ARCHITECTURES:
                    raise UserInputError(f"Unknown architecture {edit.architecture!r}.")
                project.architecture = changes["architecture"] = edit.architecture
            if edit.org_id is not None and edit.org_id != project.org_id:
                if project.remote_id is not None:
                    raise UserInputError("A project on the platform cannot move to another client.")
                project.org_id = edit.org_id
                changes["org_id"] = edit.org_id
            if not changes:
                return False
            project.updated_at = self._clock()
            _queue_change(tx, project, changes)
        return True

    async def delete_draft(self, project_id: int, *, initiator: object | None = None) -> None:
        """Delete a draft that never reached the platform, its files and queued changes.

        Raises:
            UserInputError: the project is on the platform or not a draft.
        """
        workdir = await asyncio.to_thread(self._delete_blocking, project_id, initiator)
        self._queued()  # its queued rows are gone: the backlog count changed
        if workdir is not None:
            await asyncio.to_thread(shutil.rmtree, workdir, True)

    def _delete_blocking(self, project_id: int, initiator: object | None) -> Path | None:
        with self._store.write(initiator) as tx:
            project = _project(tx.session, project_id)
            if project.remote_id is not None or project.status != "draft":
                raise UserInputError(
                    f"{project.name} is on the platform; only local drafts can be deleted here."
                )
            config = tx.session.get(PublishConfig, project_id)
            workdir = config.config.get(CONFIG_WORKDIR) if config else None
            tx.session.execute(
                delete(OutboxEntry).where(
                    OutboxEntry.target == target_for(project_id),
                    OutboxEntry.status.in_(("pending", "failed")),
                )
            )
            tx.session.delete(project)
            tx.touch("project_files", project_id)
            tx.touch("publish_configs", project_id)
        self._snapshots.pop(project_id, None)
        logger.info("deleted local draft %s", project_id)
        return Path(workdir) if workdir else None

    # ------------------------------------------------------------------ data needs

    async def analyze(
        self, project_id: int, *, initiator: object | None = None
    ) -> tuple[DataNeed, ...]:
        """Re-run the analyzer on the project's current files; keeps confirmed decisions."""
        return await asyncio.to_thread(self._analyze_blocking, project_id, initiator)

    def _analyze_blocking(self, project_id: int, initiator: object | None) -> tuple[DataNeed, ...]:
        texts = self._texts_blocking(project_id)
        detections = analyzer.analyze(texts)
        with self._store.write(initiator) as tx:
            config = _config(tx.session, project_id)
            needs = analyzer.merge_needs(detections, _needs(config.config))
            _set_config(config, {CONFIG_DATA_NEEDS: [n.to_json() for n in needs]}, self._clock())
        return needs

    async def save_data_needs(
        self, project_id: int, needs: Sequence[DataNeed], *, initiator: object | None = None
    ) -> None:
        """Store the user's decisions; the confirmed categories go to the platform and wizard.

        Raises:
            UserInputError: "Link to existing" without a record id.
        """
        for need in needs:
            if need.decision is Decision.LINK and not need.link_id.strip():
                raise UserInputError(
                    f"{need.detection.label}: enter the id of the existing record to link, "
                    "or choose Create or Skip."
                )
        if await asyncio.to_thread(self._save_needs_blocking, project_id, tuple(needs), initiator):
            self._queued()

    def _save_needs_blocking(
        self, project_id: int, needs: tuple[DataNeed, ...], initiator: object | None
    ) -> bool:
        confirmed = tuple(
            DataNeed(n.detection, n.decision, n.link_id.strip(), confirmed=True) for n in needs
        )
        categories = _categories(confirmed)
        with self._store.write(initiator) as tx:
            project = _project(tx.session, project_id)
            config = _config(tx.session, project_id)
            _set_config(
                config,
                {
                    CONFIG_DATA_NEEDS: [n.to_json() for n in confirmed],
                    CONFIG_CATEGORIES: categories,
                },
                self._clock(),
            )
            if list(project.categories or []) == categories:
                return False
            project.categories = categories
            project.updated_at = self._clock()
            _queue_change(tx, project, {"categories": categories})
        return True

    # ------------------------------------------------------------------ compatibility

    async def compat_report(self, project_id: int) -> CompatReport:
        """What each rule changes (enabled ones) or would change (disabled ones)."""
        return await asyncio.to_thread(self._compat_report_blocking, project_id)

    def _compat_report_blocking(self, project_id: int) -> CompatReport:
        base, _stored, binaries, config = self._base_blocking(project_id)
        return self._report(base, binaries, _CompatSettings.of(config))

    def _report(
        self, base: Mapping[str, str], binaries: Iterable[str], settings: _CompatSettings
    ) -> CompatReport:
        """The rules' reports; a disabled rule's shows what it would do, its fixes as blockers."""
        binaries = list(binaries)
        applied = run_rules(
            base, binaries, self._rules, disabled=settings.disabled, targets=settings.targets
        )
        by_id = {r.rule_id: r for r in applied.reports}
        preview = (
            run_rules(base, binaries, self._rules, targets=settings.targets)
            if settings.disabled
            else applied
        )
        reports = []
        for rule in self._rules:
            if rule.id in by_id:
                reports.append(by_id[rule.id])
            else:
                would = next(r for r in preview.reports if r.rule_id == rule.id)
                reports.append(
                    RuleReport(
                        would.rule_id,
                        would.title,
                        would.description,
                        False,
                        would.diffs,
                        tuple(f.unfixed() for f in would.findings),
                    )
                )
        return CompatReport(tuple(reports), applied.env)

    async def apply_compat(
        self, project_id: int, disabled: Collection[str], *, initiator: object | None = None
    ) -> CompatReport:
        """Re-apply the rules except `disabled` to the project's unpatched files.

        Files a rule changes are stored with origin "patch"; turning a rule off
        and applying again restores what it had changed. The rules' targets
        (from applied remedies) stay as they are.
        """
        chosen = frozenset(disabled)
        return await self._apply(
            project_id, lambda settings: replace(settings, disabled=chosen), initiator
        )

    async def propose_remedy(self, project_id: int, problem: BuildProblem) -> Remedy | None:
        """The rule that fixes a failed build of this project, with its diffs (see `heal`)."""
        return await asyncio.to_thread(self._propose_remedy_blocking, project_id, problem)

    def _propose_remedy_blocking(self, project_id: int, problem: BuildProblem) -> Remedy | None:
        base, _stored, binaries, config = self._base_blocking(project_id)
        settings = _CompatSettings.of(config)
        return remedy_for(problem, base, binaries, settings.disabled, settings.targets)

    async def apply_remedy(
        self, project_id: int, remedy: Remedy, *, initiator: object | None = None
    ) -> CompatReport:
        """Enable the remedy's rule and add its targets, re-run the rules and store the files.

        One store transaction, like `apply_compat`; the targets are kept in the
        project's compat config beside the disabled rules.
        """
        return await self._apply(
            project_id, lambda settings: settings.with_remedy(remedy), initiator
        )

    async def _apply(
        self,
        project_id: int,
        change: Callable[[_CompatSettings], _CompatSettings],
        initiator: object | None,
    ) -> CompatReport:
        if self.workdir_of(project_id) is not None:
            await self.pick_up_changes(project_id)
        report, written = await asyncio.to_thread(
            self._apply_blocking, project_id, change, initiator
        )
        if written:
            await asyncio.to_thread(self._write_workdir_files_blocking, project_id, written)
        return report

    def _apply_blocking(
        self,
        project_id: int,
        change: Callable[[_CompatSettings], _CompatSettings],
        initiator: object | None,
    ) -> tuple[CompatReport, dict[str, bytes | None]]:
        base_texts, stored, binaries, config_data = self._base_blocking(project_id)
        settings = change(_CompatSettings.of(config_data))
        base_origin = {p: s.origin for p, s in stored.items()}
        report = self._report(base_texts, binaries, settings)
        result = run_rules(
            base_texts, binaries, self._rules, disabled=settings.disabled, targets=settings.targets
        )
        with self._store.write(initiator) as tx:
            current = {
                f.path: f
                for f in tx.session.scalars(
                    select(ProjectFile).where(ProjectFile.project_id == project_id)
                )
            }
            base_bytes = {p: t.encode("utf-8") for p, t in base_texts.items()}
            final = {p: t.encode("utf-8") for p, t in result.texts.items()}
            _put_blobs(tx, {sha256(d): d for d in final.values()})
            new_base: dict[str, dict[str, Any]] = {}
            written: dict[str, bytes | None] = {}
            binary = set(binaries)
            for path in (base_bytes.keys() | final.keys() | current.keys()) - binary:
                before, after = base_bytes.get(path), final.get(path)
                if before != after:
                    new_base[path] = {
                        "sha": stored[path].sha if path in stored else None,
                        "origin": base_origin.get(path, "v0"),
                    }
                row = current.get(path)
                if after is None:
                    if row is not None:
                        tx.session.delete(row)
                        written[path] = None
                    continue
                origin = "patch" if before != after else base_origin.get(path, "v0")
                digest = sha256(after)
                if row is None:
                    tx.session.add(
                        ProjectFile(project_id=project_id, path=path, sha256=digest, origin=origin)
                    )
                    written[path] = after
                elif row.sha256 != digest or row.origin != origin:
                    if row.sha256 != digest:
                        written[path] = after
                    row.sha256, row.origin = digest, origin
            config = _config(tx.session, project_id)
            _set_config(
                config,
                {CONFIG_COMPAT: _compat_json(settings, new_base, report, self._clock())},
                self._clock(),
            )
        logger.info("applied compatibility rules to %s: %d files written", project_id, len(written))
        return report, written

    def _base_blocking(
        self, project_id: int
    ) -> tuple[dict[str, str], dict[str, _Stored], list[str], dict[str, Any]]:
        """The project's files before any rule: texts, where each is stored, binary paths."""
        with self._store.read() as session:
            _project(session, project_id)
            config_row = session.get(PublishConfig, project_id)
            config = dict(config_row.config) if config_row else {}
            stored = {
                path: _Stored(sha, origin)
                for path, sha, origin in session.execute(
                    select(ProjectFile.path, ProjectFile.sha256, ProjectFile.origin).where(
                        ProjectFile.project_id == project_id
                    )
                )
            }
            base_map: dict[str, Any] = config.get(CONFIG_COMPAT, {}).get("base", {})
            for path, entry in base_map.items():
                if not isinstance(entry, dict):
                    continue
                if entry.get("sha") is None:
                    stored.pop(path, None)
                else:
                    stored[path] = _Stored(str(entry["sha"]), str(entry.get("origin", "v0")))
            blobs = {
                sha: data
                for sha, data in session.execute(
                    select(Blob.sha256, Blob.data).where(
                        Blob.sha256.in_({s.sha for s in stored.values()})
                    )
                )
            }
        texts: dict[str, str] = {}
        binaries: list[str] = []
        for path, entry in stored.items():
            if is_binary_path(path):
                binaries.append(path)
            else:
                texts[path] = blobs[entry.sha].decode("utf-8", errors="replace")
        return texts, stored, binaries, config

    def _texts_blocking(self, project_id: int) -> dict[str, str]:
        with self._store.read() as session:
            _project(session, project_id)
            return {
                path: data.decode("utf-8", errors="replace")
                for path, data in session.execute(
                    select(ProjectFile.path, Blob.data)
                    .join(Blob, Blob.sha256 == ProjectFile.sha256)
                    .where(ProjectFile.project_id == project_id)
                )
                if not is_binary_path(path)
            }

    # ------------------------------------------------------------------ working folder

    def workdir_of(self, project_id: int) -> Path | None:
        """The project's working folder if "open in editor" created one."""
        with self._store.read() as session:
            config = session.get(PublishConfig, project_id)
            path = config.config.get(CONFIG_WORKDIR) if config else None
        return Path(path) if path else None

    async def open_workdir(self, project_id: int) -> Path:
        """Write the project's files to its working folder (created once) and return it.

        Files already there that differ from the store are picked up first, so
        edits made while the console was closed are kept.
        """
        existing = self.workdir_of(project_id)
        if existing is not None and existing.is_dir():
            await self.pick_up_changes(project_id)
        return await asyncio.to_thread(self._open_workdir_blocking, project_id)

    def _open_workdir_blocking(self, project_id: int) -> Path:
        with self._store.read() as session:
            project = _project(session, project_id)
            folder = self._workspace_root / f"{project_id}-{project.slug or 'project'}"
            files = list(
                session.execute(
                    select(ProjectFile.path, Blob.data)
                    .join(Blob, Blob.sha256 == ProjectFile.sha256)
                    .where(ProjectFile.project_id == project_id)
                )
            )
        folder.mkdir(parents=True, exist_ok=True)
        snapshot: dict[str, tuple[int, int]] = {}
        for path, data in files:
            target = _inside(folder, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
            stat = target.stat()
            snapshot[path] = (stat.st_mtime_ns, stat.st_size)
        self._snapshots[project_id] = snapshot
        with self._store.write() as tx:
            config = _config(tx.session, project_id)
            if config.config.get(CONFIG_WORKDIR) != str(folder):
                _set_config(config, {CONFIG_WORKDIR: str(folder)}, self._clock())
        logger.info("project %s written to %s (%d files)", project_id, folder, len(files))
        return folder

    async def pick_up_changes(
        self, project_id: int, *, initiator: object | None = None
    ) -> PickupResult:
        """Store what changed in the working folder (origin "user") in one transaction."""
        return await asyncio.to_thread(self._pick_up_blocking, project_id, initiator)

    def _pick_up_blocking(self, project_id: int, initiator: object | None) -> PickupResult:
        folder = self.workdir_of(project_id)
        if folder is None or not folder.is_dir():
            return PickupResult()
        snapshot = self._snapshots.setdefault(project_id, {})
        with self._store.read() as session:
            stored = {
                path: sha
                for path, sha in session.execute(
                    select(ProjectFile.path, ProjectFile.sha256).where(
                        ProjectFile.project_id == project_id
                    )
                )
            }
        on_disk = dict(_walk(folder))
        changed: dict[str, bytes] = {}
        rejected: list[str] = []
        for path, (full, stat) in on_disk.items():
            key = (stat.st_mtime_ns, stat.st_size)
            if snapshot.get(path) == key and path in stored:
                continue
            if stat.st_size > MAX_FILE_BYTES:
                rejected.append(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
                continue
            data = full.read_bytes()
            try:
                check_text_blocking(path, data)
            except UserInputError as error:
                rejected.append(error.user_text())
                snapshot[path] = key  # reported once, until the file changes again
                continue
            snapshot[path] = key
            if stored.get(path) != sha256(data):
                changed[path] = data
        deleted = sorted(set(stored) - set(on_disk))
        if not changed and not deleted:
            return PickupResult(rejected=tuple(rejected))
        with self._store.write(initiator) as tx:
            _put_blobs(tx, {sha256(d): d for d in changed.values()})
            rows = {
                f.path: f
                for f in tx.session.scalars(
                    select(ProjectFile).where(ProjectFile.project_id == project_id)
                )
            }
            for path, data in changed.items():
                row = rows.get(path)
                if row is None:
                    tx.session.add(
                        ProjectFile(
                            project_id=project_id, path=path, sha256=sha256(data), origin="user"
                        )
                    )
                else:
                    row.sha256, row.origin = sha256(data), "user"
            for path in deleted:
                tx.session.delete(rows[path])
                snapshot.pop(path, None)
            config = _config(tx.session, project_id)
            compat = dict(config.config.get(CONFIG_COMPAT, {}))
            base = {
                p: e
                for p, e in compat.get("base", {}).items()
                if p not in changed and p not in deleted
            }
            compat["base"] = base
            _set_config(config, {CONFIG_COMPAT: compat}, self._clock())
            project = _project(tx.session, project_id)
            project.updated_at = self._clock()
        result = PickupResult(
            changed=tuple(sorted(p for p in changed if p in stored)),
            added=tuple(sorted(p for p in changed if p not in stored)),
            deleted=tuple(deleted),
            rejected=tuple(rejected),
        )
        logger.info(
            "picked up %d changed, %d added, %d deleted files of project %s",
            len(result.changed),
            len(result.added),
            len(result.deleted),
            project_id,
        )
        return result

    async def watch(self, project_id: int, *, interval: float = 1.0) -> AsyncIterator[PickupResult]:
        """Poll the working folder (mtime and size) and yield each batch picked up.

        Runs until cancelled. Polling is deliberate: a project has a few hundred
        files, and it works the same on every platform and on network drives.
        """
        while True:
            result = await self.pick_up_changes(project_id)
            if result or result.rejected:
                yield result
            await asyncio.sleep(interval)

    async def follow(
        self,
        project_id: int,
        on_result: Callable[[PickupResult], None],
        *,
        interval: float = 1.0,
    ) -> None:
        """`watch()` with a plain callback per batch, until cancelled (for views)."""
        async for result in self.watch(project_id, interval=interval):
            on_result(result)

    def _write_workdir_files_blocking(
        self, project_id: int, files: Mapping[str, bytes | None]
    ) -> None:
        folder = self.workdir_of(project_id)
        if folder is None or not folder.is_dir():
            return
        snapshot = self._snapshots.setdefault(project_id, {})
        for path, data in files.items():
            target = _inside(folder, path)
            if data is None:
                target.unlink(missing_ok=True)
                snapshot.pop(path, None)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            stat = target.stat()
            snapshot[path] = (stat.st_mtime_ns, stat.st_size)

    # ------------------------------------------------------------------ helpers

    def _queued(self) -> None:
        if self._on_queued is not None:
            self._on_queued()

    def count_blocking(self) -> int:
        with self._store.read() as session:
            return int(session.scalar(select(func.count()).select_from(Project)) or 0)


# --- module helpers ----------------------------------------------------------------


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise UserInputError("This project no longer exists; it may have been deleted.")
    return project


def _config(session: Session, project_id: int) -> PublishConfig:
    config = session.get(PublishConfig, project_id)
    if config is None:
        config = PublishConfig(project_id=project_id, config={})
        session.add(config)
    return config


def _set_config(config: PublishConfig, values: Mapping[str, Any], now: datetime) -> None:
    # Assign a new dict: the JSON column does not track in-place mutation.
    merged = dict(config.config or {})
    merged.update(values)
    config.config = merged
    config.updated_at = now


def _put_blobs(tx: Transaction, contents: Mapping[str, bytes]) -> None:
    if not contents:
        return
    statement = sqlite_insert(Blob).on_conflict_do_nothing(index_elements=["sha256"])
    tx.session.execute(
        statement,
        [{"sha256": sha, "size": len(data), "data": data} for sha, data in contents.items()],
    )
    tx.touch("blobs", *contents)


def _queue_change(tx: Transaction, project: Project, changes: dict[str, Any]) -> None:
    """Queue a builder-app update (delivered after the project's create, if still queued)."""
    payload = {"project_id": project.id, "org_id": project.org_id, "changes": changes}
    enqueue(tx, target_for(project.id), KIND_UPDATE, payload)
    config = _config(tx.session, project.id)
    state = SyncState.LOCAL if project.remote_id is None else SyncState.PENDING
    _set_config(config, {CONFIG_SYNC: {"state": state.value}}, project.updated_at)


def _needs(config: Mapping[str, Any]) -> tuple[DataNeed, ...]:
    needs = []
    for data in config.get(CONFIG_DATA_NEEDS, ()):
        if isinstance(data, dict):
            need = DataNeed.from_json(data)
            if need is not None:
                needs.append(need)
    return tuple(needs)


def _categories(needs: Iterable[DataNeed]) -> list[str]:
    chosen = {n.category for n in needs if n.decision in (Decision.CREATE, Decision.LINK)}
    return [c for c in CATEGORY_IDS if c in chosen]


def _compat_json(
    settings: _CompatSettings,
    base: dict[str, dict[str, Any]],
    report: CompatReport,
    now: datetime,
) -> dict[str, Any]:
    """The "compat" config: settings, unpatched files, what each rule changed and flagged.

    Findings of disabled rules are kept only when they block the build, so
    the overview counts what stands between the project and a build.
    """
    return {
        "disabled": sorted(settings.disabled),
        "targets": {rule: list(t) for rule, t in sorted(settings.targets.items()) if t},
        "base": base,
        "applied_at": now.isoformat(),
        "rules": {r.rule_id: [d.path for d in r.diffs] for r in report.rules if r.enabled},
        "findings": [
            f.to_json()
            for r in report.rules
            for f in r.findings
            if r.enabled or f.severity == "blocker"
        ],
        "env": [e.to_json() for e in report.env],
    }


def _publish_summary(config: Mapping[str, Any], row: PublishConfig | None) -> PublishSummary:
    fields: list[tuple[str, str]] = []
    for key, label in PUBLISH_LABELS.items():
        if key in config:
            fields.append((label, _display(key, config[key])))
    for key, value in sorted(config.items()):
        if key in OWN_KEYS or key in PUBLISH_LABELS or isinstance(value, dict | list):
            continue
        fields.append((key, _display(key, value)))
    env = tuple(
        EnvVar.from_json(e)
        for e in config.get(CONFIG_COMPAT, {}).get("env", ())
        if isinstance(e, dict)
    )
    return PublishSummary(
        configured=any(key not in OWN_KEYS for key in config),
        fields=tuple(fields),
        categories=tuple(str(c) for c in config.get(CONFIG_CATEGORIES, ())),
        env=env,
        last_published_sha=row.last_published_sha if row else None,
        last_published_at=_aware(row.last_published_at) if row else None,
    )


def _display(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "architecture" and value in ARCHITECTURE_LABELS:
        return ARCHITECTURE_LABELS[value]
    if isinstance(value, dict):
        on = [k for k, v in value.items() if v]
        return ", ".join(on) if on else "None"
    return str(value)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserInputError("A project needs a name.")
    return cleaned[:MAX_NAME]


def _title_from(source_name: str) -> str:
    words = re.sub(r"[-_]+", " ", source_name).strip()
    words = re.sub(r"\s*\(\d+\)$", "", words)
    return words[:1].upper() + words[1:] if words else "Imported project"


def _inside(folder: Path, path: str) -> Path:
    target = (folder / path).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise UserInputError(f"{path} points outside the project's folder.")
    return target


def _walk(folder: Path) -> Iterable[tuple[str, tuple[Path, os.stat_result]]]:
    for current, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
        for name in names:
            full = Path(current) / name
            if full.is_symlink() or (name.startswith(".env") and not name.endswith(".example")):
                continue
            if name in (".DS_Store", "Thumbs.db") or name.endswith((".swp", "~")):
                continue
            yield full.relative_to(folder).as_posix(), (full, full.stat())


def _template_files(template_id: str, name: str, description: str) -> ExportFiles:
    root = resources.files("console.services.projects").joinpath("starters", template_id)
    safe_name = re.sub(r'["{}<>\\`]', "", " ".join(name.split())) or "New project"
    safe_text = re.sub(r'["{}<>\\`]', "", " ".join(description.split())) or (
        f"{safe_name}, prepared with the L4YERCAK3 console."
    )
    files: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            else:
                text = child.read_text(encoding="utf-8")
                text = (
                    text.replace("__APP_SLUG__", slugify(name))
                    .replace("__APP_NAME__", safe_name)
                    .replace("__APP_DESCRIPTION__", safe_text)
                )
                files[rel] = text.encode("utf-8")

    walk(root, "")
    texts = {p: d.decode("utf-8") for p, d in files.items()}
    return ExportFiles(files, texts, (), template_id)


__all__ = ["CATEGORY_LABELS", "TEMPLATES", "ProjectService", "slugify"]
