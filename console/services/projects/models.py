"""Typed objects of the projects service: list rows, details, detections, patches.

Plain frozen dataclasses (no Qt, no ORM objects): the views render them and
the JSON kept in `publish_configs.config` is read and written only through
the `to_json`/`from_json` helpers here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from console.services.platform.models import ARCHITECTURES, CATEGORY_IDS, Architecture, CategoryId

logger = logging.getLogger(__name__)

__all__ = [
    "ARCHITECTURES",
    "CATEGORY_IDS",
    "Architecture",
    "CategoryId",
]

#: What the console calls each API category in the UI.
CATEGORY_LABELS: dict[CategoryId, str] = {
    "forms": "Forms",
    "products": "Products",
    "events": "Events",
    "crm": "Contacts (CRM)",
    "invoices": "Invoices",
    "tickets": "Tickets",
    "bookings": "Bookings",
    "workflows": "Workflows",
    "checkout": "Checkout",
    "conversations": "Conversations",
}

ARCHITECTURE_LABELS: dict[Architecture, str] = {
    "thin_client": "Thin client",
    "full_stack": "Full stack",
    "hybrid": "Hybrid",
}

#: Where a stored file came from (`project_files.origin`).
FileOrigin = Literal["v0", "template", "scaffold", "patch", "user"]

#: Keys this service owns inside `publish_configs.config`; the publish wizard
#: owns the others and this service never touches them.
CONFIG_CATEGORIES = "categories"
CONFIG_DATA_NEEDS = "data_needs"
CONFIG_COMPAT = "compat"
CONFIG_IMPORT = "import"
CONFIG_SYNC = "sync"


class ProjectState(StrEnum):
    """The one state a project shows in lists, derived from status and deployment."""

    DRAFT = "draft"
    PUBLISHED = "published"
    DEPLOYING = "deploying"
    DEPLOYED = "deployed"
    FAILING = "failing"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def of(cls, status: str, deployment_status: str | None) -> ProjectState:
        if status == "failed" or deployment_status == "failed":
            return cls.FAILING
        if deployment_status == "deploying":
            return cls.DEPLOYING
        if status == "deployed" or deployment_status == "deployed":
            return cls.DEPLOYED
        if status == "published":
            return cls.PUBLISHED
        return cls.DRAFT


class Decision(StrEnum):
    """What the user wants for one detected data need."""

    CREATE = "create"
    LINK = "link"
    SKIP = "skip"

    @property
    def label(self) -> str:
        return {"create": "Create", "link": "Link to existing", "skip": "Skip"}[self.value]


class SyncState(StrEnum):
    """How far the project's local changes got towards the platform."""

    LOCAL = "local"  # created here, the create is queued
    PENDING = "pending"  # on the platform, local edits queued
    SYNCED = "synced"
    FAILED = "failed"  # the platform refused a change


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """One project as the list shows it (a flat read of projects + organizations)."""

    id: int
    remote_id: str | None
    name: str
    slug: str
    description: str
    org_id: str | None
    client_name: str
    is_agency: bool
    status: str
    deployment_status: str | None
    architecture: str
    categories: tuple[str, ...]
    repo_url: str | None
    production_url: str | None
    source: str
    created_at: datetime
    updated_at: datetime

    @property
    def state(self) -> ProjectState:
        return ProjectState.of(self.status, self.deployment_status)

    @property
    def is_local_draft(self) -> bool:
        """A draft that never reached the platform: the only kind the console may delete."""
        return self.remote_id is None and self.status == "draft"


@dataclass(frozen=True, slots=True)
class OrgOption:
    """An organization a project can belong to (the agency or one of its clients)."""

    id: str
    name: str
    is_agency: bool


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the analyzer believes a data need exists: one line of one file."""

    path: str
    line: int
    signal: str
    excerpt: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "signal": self.signal,
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            str(data.get("path", "")),
            int(data.get("line", 0)),
            str(data.get("signal", "")),
            str(data.get("excerpt", "")),
        )


@dataclass(frozen=True, slots=True)
class Detection:
    """One of the 10 ontology types found in the source, with its evidence.

    Attributes:
        category: the API category it maps to.
        confidence: 0..1, from the distinct signals seen.
        signals: the distinct signal names that fired.
        evidence: file/line/signal, a few per signal.
    """

    category: CategoryId
    confidence: float
    signals: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


@dataclass(frozen=True, slots=True)
class DataNeed:
    """A detection and the user's decision about it."""

    detection: Detection
    decision: Decision
    link_id: str = ""
    confirmed: bool = False

    @property
    def category(self) -> CategoryId:
        return self.detection.category

    def to_json(self) -> dict[str, Any]:
        d = self.detection
        return {
            "category": d.category,
            "confidence": round(d.confidence, 3),
            "signals": list(d.signals),
            "evidence": [e.to_json() for e in d.evidence],
            "decision": self.decision.value,
            "link_id": self.link_id,
            "confirmed": self.confirmed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DataNeed | None:
        category = data.get("category")
        if category not in CATEGORY_IDS:
            logger.info("ignoring stored data need of unknown category %r", category)
            return None
        try:
            decision = Decision(str(data.get("decision", "skip")))
        except ValueError:
            decision = Decision.SKIP
        detection = Detection(
            category=category,
            confidence=float(data.get("confidence", 0.0)),
            signals=tuple(str(s) for s in data.get("signals", ())),
            evidence=tuple(Evidence.from_json(e) for e in data.get("evidence", ())),
        )
        return cls(detection, decision, str(data.get("link_id", "")), bool(data.get("confirmed")))


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A stored project file (content in the blob `sha256`)."""

    path: str
    sha256: str
    size: int
    origin: str


@dataclass(frozen=True, slots=True)
class FileContent:
    """One file's content for the viewer: text, or None when binary."""

    path: str
    origin: str
    size: int
    text: str | None


@dataclass(frozen=True, slots=True)
class DeploymentInfo:
    id: str
    state: str
    target: str
    url: str | None
    commit_sha: str | None
    trigger: str
    triggered_by: str | None
    created_at: datetime
    ready_at: datetime | None
    error: str | None

    @property
    def duration_seconds(self) -> float | None:
        if self.ready_at is None:
            return None
        return max(0.0, (self.ready_at - self.created_at).total_seconds())


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable the app reads, with a value safe for a local build."""

    name: str
    placeholder: str
    files: tuple[str, ...]
    checked_at_import: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "placeholder": self.placeholder,
            "files": list(self.files),
            "checked_at_import": self.checked_at_import,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EnvVar:
        return cls(
            str(data.get("name", "")),
            str(data.get("placeholder", "")),
            tuple(str(f) for f in data.get("files", ())),
            bool(data.get("checked_at_import")),
        )


#: How bad a finding is, worst first: "blocker" breaks the build as the project
#: stands, "error" needs a fix before publishing, "warning" may misbehave,
#: "info" says what a rule changed.
Severity = Literal["blocker", "error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("blocker", "error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a rule saw, fixed, or could not (or should not) change by itself.

    Attributes:
        blocker: for a fix (severity "info"): what breaks the build without
            it, so a report of the rule turned off can say so; "" otherwise.
    """

    rule: str
    path: str
    line: int
    message: str
    severity: Severity = "warning"
    blocker: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def unfixed(self) -> Finding:
        """This finding as it stands when its rule does not run: a fix becomes its blocker."""
        if not self.blocker:
            return self
        return Finding(self.rule, self.path, self.line, self.blocker, "blocker")

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "severity": self.severity,
            "blocker": self.blocker,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        severity = data.get("severity")
        return cls(
            str(data.get("rule", "")),
            str(data.get("path", "")),
            int(data.get("line", 0)),
            str(data.get("message", "")),
            severity if severity in SEVERITIES else "warning",
            str(data.get("blocker", "")),
        )


@dataclass(frozen=True, slots=True)
class FileDiff:
    """What one rule did to one file (`before`/`after` None: absent)."""

    path: str
    before: str | None
    after: str | None
    diff: str

    @property
    def kind(self) -> Literal["added", "deleted", "changed"]:
        if self.before is None:
            return "added"
        if self.after is None:
            return "deleted"
        return "changed"


@dataclass(frozen=True, slots=True)
class RuleReport:
    """One compatibility rule's effect on a project."""

    rule_id: str
    title: str
    description: str
    enabled: bool
    diffs: tuple[FileDiff, ...]
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> bool:
        return bool(self.diffs)

    @property
    def summary(self) -> str:
        parts = []
        if self.diffs:
            parts.append(f"{len(self.diffs)} file{'s' if len(self.diffs) != 1 else ''}")
        if self.findings:
            n = len(self.findings)
            parts.append(f"{n} finding{'s' if n != 1 else ''}")
        return ", ".join(parts) if parts else "nothing to do"


@dataclass(frozen=True, slots=True)
class CompatReport:
    """All rules over a project: what each changes (or would), and what it flags."""

    rules: tuple[RuleReport, ...]
    env: tuple[EnvVar, ...]

    def rule(self, rule_id: str) -> RuleReport:
        for report in self.rules:
            if report.rule_id == rule_id:
                return report
        raise KeyError(rule_id)

    @property
    def disabled(self) -> frozenset[str]:
        return frozenset(r.rule_id for r in self.rules if not r.enabled)


@dataclass(frozen=True, slots=True)
class PublishSummary:
    """The publish configuration as stored (read-only here; the wizard edits it)."""

    configured: bool
    fields: tuple[tuple[str, str], ...]
    categories: tuple[str, ...]
    env: tuple[EnvVar, ...]
    last_published_sha: str | None
    last_published_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProjectDetail:
    """Everything the detail view shows about one project."""

    row: ProjectRow
    files: tuple[FileInfo, ...]
    data_needs: tuple[DataNeed, ...]
    publish: PublishSummary
    deployments: tuple[DeploymentInfo, ...]
    sync_state: SyncState
    sync_error: str | None
    queued_changes: int
    findings: tuple[Finding, ...]
    workdir: str | None
    import_notes: tuple[str, ...] = field(default=())

    @property
    def linked_records(self) -> tuple[DataNeed, ...]:
        return tuple(n for n in self.data_needs if n.decision is Decision.LINK and n.link_id)

    @property
    def last_deployment(self) -> DeploymentInfo | None:
        return self.deployments[0] if self.deployments else None

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True, slots=True)
class ProjectEdit:
    """Fields the user can change offline; None leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    architecture: Architecture | None = None
    org_id: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class PickupResult:
    """Files picked up from the working folder into the store."""

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.deleted)
