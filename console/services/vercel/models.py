"""Typed Vercel objects, parsed at the edge from the REST API's JSON.

Field names follow the contract (`tests/data/contracts/vercel.json`), in
snake_case. Only what the console uses is kept; environment variable values
are never kept (they are secrets, and Vercel returns them encrypted anyway).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from console.services.http import Reader

logger = logging.getLogger(__name__)

EnvTarget = Literal["production", "preview", "development"]
EnvType = Literal["system", "secret", "encrypted", "plain", "sensitive"]
ENV_TYPES: tuple[EnvType, ...] = ("system", "secret", "encrypted", "plain", "sensitive")


class ReadyState(StrEnum):
    """A deployment's state.

    `BLOCKED` is newer than our contract snapshot (Vercel's current SDK has
    it): a deployment held back (e.g. by a check or a plan limit) that has not
    failed, so it is not final. `DELETED` appears only in lists.
    """

    QUEUED = "QUEUED"
    INITIALIZING = "INITIALIZING"
    BUILDING = "BUILDING"
    BLOCKED = "BLOCKED"
    READY = "READY"
    ERROR = "ERROR"
    CANCELED = "CANCELED"
    DELETED = "DELETED"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self is ReadyState.READY


_FINAL_STATES = frozenset(
    {ReadyState.READY, ReadyState.ERROR, ReadyState.CANCELED, ReadyState.DELETED}
)


def _ready_state(r: Reader, key: str) -> ReadyState:
    value = r.choice(key, [s.value for s in ReadyState])
    return ReadyState(value)


def _opt_ready_state(r: Reader, key: str) -> ReadyState | None:
    return _ready_state(r, key) if r.has(key) else None


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True, slots=True)
class GitLink:
    """The Git repository a project is connected to."""

    type: str
    org: str | None
    repo: str | None
    repo_id: int | None
    production_branch: str | None

    @classmethod
    def parse(cls, r: Reader) -> GitLink:
        return cls(
            type=r.text("type"),
            org=r.opt_text("org"),
            repo=r.opt_text("repo"),
            repo_id=r.opt_integer("repoId"),
            production_branch=r.opt_text("productionBranch"),
        )


@dataclass(frozen=True, slots=True)
class Project:
    """A Vercel project (createProject, getProject).

    Attributes:
        regions: where its functions run (``resourceConfig.functionDefaultRegions``).
        production_deployment_id: the deployment production serves
            (``targets.production``), None before the first one.
        auto_assign_domains: whether a new production deployment takes over
            production when it is ready (``autoAssignCustomDomains``). A
            rollback turns it off: production stays pinned to the deployment
            rolled back to. Absent means on, Vercel's default.
    """

    id: str
    name: str
    account_id: str
    framework: str | None
    link: GitLink | None
    created_at: int | None
    updated_at: int | None
    regions: tuple[str, ...] = ()
    production_deployment_id: str | None = None
    auto_assign_domains: bool = True

    @property
    def production_pinned(self) -> bool:
        """Production serves a deployment that new production deployments do not replace."""
        return self.production_deployment_id is not None and not self.auto_assign_domains

    @classmethod
    def parse(cls, r: Reader) -> Project:
        link = r.opt_obj("link")
        resources = r.opt_obj("resourceConfig")
        targets = r.opt_obj("targets")
        production = targets.opt_obj("production") if targets is not None else None
        return cls(
            id=r.text("id"),
            name=r.text("name"),
            account_id=r.text("accountId"),
            framework=r.opt_text("framework"),
            link=GitLink.parse(link) if link is not None else None,
            created_at=r.opt_integer("createdAt"),
            updated_at=r.opt_integer("updatedAt"),
            regions=resources.texts("functionDefaultRegions") if resources else (),
            production_deployment_id=production.text("id") if production else None,
            auto_assign_domains=r.flag("autoAssignCustomDomains", default=True),
        )


@dataclass(frozen=True, slots=True)
class GitNamespace:
    """A Git owner (user or organization) Vercel's Git integration can see.

    From ``GET /v1/integrations/git-namespaces`` (listGitNamespaces, outside
    our contract subset; shape from Vercel's SDK).
    """

    id: str
    slug: str
    provider: str
    owner_type: str
    name: str | None

    @classmethod
    def parse(cls, r: Reader) -> GitNamespace:
        raw_id = r.raw("id")
        if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
            r.fail("field 'id' should be a string or a number")
        return cls(
            id=str(raw_id),
            slug=r.text("slug"),
            provider=r.text("provider"),
            owner_type=r.text("ownerType"),
            name=r.opt_text("name"),
        )


# --------------------------------------------------------------------------- env


@dataclass(frozen=True, slots=True)
class EnvVarInput:
    """One environment variable to set. The value never appears in repr()."""

    key: str
    value: str = field(repr=False)
    type: EnvType = "encrypted"
    target: tuple[EnvTarget, ...] = ("production", "preview")
    git_branch: str | None = None
    comment: str | None = None

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "key": self.key,
            "value": self.value,
            "type": self.type,
            "target": list(self.target),
        }
        if self.git_branch is not None:
            body["gitBranch"] = self.git_branch
        if self.comment is not None:
            body["comment"] = self.comment
        return body


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable as Vercel reports it (without its value)."""

    id: str | None
    key: str
    type: EnvType
    target: tuple[str, ...]
    git_branch: str | None

    @classmethod
    def parse(cls, r: Reader) -> EnvVar:
        target_raw = r.raw("target")
        if isinstance(target_raw, str):
            target: tuple[str, ...] = (target_raw,)
        else:
            target = r.texts("target")
        return cls(
            id=r.opt_text("id"),
            key=r.text("key"),
            type=r.literal("type", ENV_TYPES),
            target=target,
            git_branch=r.opt_text("gitBranch"),
        )


@dataclass(frozen=True, slots=True)
class EnvFailure:
    """A variable Vercel refused in a batch create."""

    key: str | None
    code: str
    message: str

    @classmethod
    def parse(cls, r: Reader) -> EnvFailure:
        err = r.obj("error")
        return cls(
            key=err.opt_text("key") or err.opt_text("envVarKey"),
            code=err.text("code"),
            message=err.text("message"),
        )


@dataclass(frozen=True, slots=True)
class EnvCreateResult:
    created: tuple[EnvVar, ...]
    failed: tuple[EnvFailure, ...]

    @classmethod
    def parse(cls, r: Reader) -> EnvCreateResult:
        created_raw = r.raw("created")
        if isinstance(created_raw, list):
            created = tuple(EnvVar.parse(x) for x in r.items("created"))
        else:
            created = (EnvVar.parse(r.obj("created")),)
        return cls(created=created, failed=tuple(EnvFailure.parse(x) for x in r.items("failed")))


def parse_env_list(r: Reader) -> tuple[EnvVar, ...]:
    """filterProjectEnvs: one variable, or ``{"envs": [...], "pagination"?}``."""
    if isinstance(r.data, dict) and "envs" in r.data:
        return tuple(EnvVar.parse(x) for x in r.items("envs"))
    return (EnvVar.parse(r),)


# --------------------------------------------------------------------------- deployments


@dataclass(frozen=True, slots=True)
class GitSource:
    """A GitHub commit to deploy (createDeployment's ``gitSource``)."""

    org: str
    repo: str
    ref: str
    sha: str | None = None

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "type": "github",
            "org": self.org,
            "repo": self.repo,
            "ref": self.ref,
        }
        if self.sha:
            body["sha"] = self.sha
        return body


@dataclass(frozen=True, slots=True)
class Deployment:
    """A deployment (createDeployment, getDeployment)."""

    id: str
    url: str
    name: str
    project_id: str | None
    ready_state: ReadyState
    target: str | None
    created_at: int
    building_at: int | None
    ready_at: int | None
    inspector_url: str | None
    alias: tuple[str, ...]
    error_code: str | None
    error_message: str | None
    git_ref: str | None
    git_sha: str | None
    creator_uid: str | None
    creator_username: str | None
    meta: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def duration_ms(self) -> int | None:
        if self.ready_at is None:
            return None
        start = self.building_at or self.created_at
        return max(0, self.ready_at - start)

    @classmethod
    def parse(cls, r: Reader) -> Deployment:
        git = r.opt_obj("gitSource")
        creator = r.opt_obj("creator")
        meta = r.string_map("meta")
        return cls(
            id=r.text("id"),
            url=r.text("url"),
            name=r.text("name"),
            project_id=r.opt_text("projectId"),
            ready_state=_ready_state(r, "readyState"),
            target=r.opt_text("target"),
            created_at=r.integer("createdAt"),
            building_at=r.opt_integer("buildingAt"),
            ready_at=r.opt_integer("ready"),
            inspector_url=r.opt_text("inspectorUrl"),
            alias=r.texts("alias"),
            error_code=r.opt_text("errorCode"),
            error_message=r.opt_text("errorMessage"),
            git_ref=(git.opt_text("ref") if git else None) or meta.get("githubCommitRef"),
            git_sha=(git.opt_text("sha") if git else None) or meta.get("githubCommitSha"),
            creator_uid=creator.opt_text("uid") if creator else None,
            creator_username=creator.opt_text("username") if creator else None,
            meta=meta,
        )


@dataclass(frozen=True, slots=True)
class DeploymentSummary:
    """One row of getDeployments (the list uses ``uid`` and ``created``)."""

    id: str
    url: str
    name: str
    project_id: str
    ready_state: ReadyState | None
    target: str | None
    created_at: int
    building_at: int | None
    ready_at: int | None
    inspector_url: str | None
    is_rollback_candidate: bool | None
    creator_uid: str
    creator_username: str | None
    git_ref: str | None
    git_sha: str | None
    error_message: str | None

    @property
    def duration_ms(self) -> int | None:
        if self.ready_at is None:
            return None
        return max(0, self.ready_at - (self.building_at or self.created_at))

    @classmethod
    def parse(cls, r: Reader) -> DeploymentSummary:
        creator = r.obj("creator")
        meta = r.string_map("meta")
        state = _opt_ready_state(r, "readyState") or _opt_ready_state(r, "state")
        return cls(
            id=r.text("uid"),
            url=r.text("url"),
            name=r.text("name"),
            project_id=r.text("projectId"),
            ready_state=state,
            target=r.opt_text("target"),
            created_at=r.integer("created"),
            building_at=r.opt_integer("buildingAt"),
            ready_at=r.opt_integer("ready"),
            inspector_url=r.opt_text("inspectorUrl"),
            is_rollback_candidate=r.opt_flag("isRollbackCandidate"),
            creator_uid=creator.text("uid"),
            creator_username=creator.opt_text("username"),
            git_ref=meta.get("githubCommitRef"),
            git_sha=meta.get("githubCommitSha"),
            error_message=r.opt_text("errorMessage"),
        )


@dataclass(frozen=True, slots=True)
class Page:
    """Vercel's timestamp pagination: pass `next` as `until` for older items."""

    count: int
    next: int | None
    prev: int | None

    @classmethod
    def parse(cls, r: Reader | None) -> Page:
        if r is None:
            return cls(count=0, next=None, prev=None)
        return cls(count=r.integer("count"), next=r.opt_integer("next"), prev=r.opt_integer("prev"))


@dataclass(frozen=True, slots=True)
class DeploymentList:
    deployments: tuple[DeploymentSummary, ...]
    page: Page

    @classmethod
    def parse(cls, r: Reader) -> DeploymentList:
        return cls(
            deployments=tuple(DeploymentSummary.parse(x) for x in r.items("deployments")),
            page=Page.parse(r.opt_obj("pagination")),
        )


@dataclass(frozen=True, slots=True)
class DeploymentEvent:
    """One build event (getDeploymentEvents); `text` is the log line if any.

    `key` tells events apart when reads overlap (a follow-up read from the
    last event's time returns that event again).
    """

    type: str
    created: int
    id: str | None
    serial: str | None
    text: str | None
    level: str | None
    ready_state: str | None

    @classmethod
    def parse(cls, r: Reader) -> DeploymentEvent:
        # Two shapes in the contract: fields nested in "payload", or flat.
        payload = r.opt_obj("payload") or r
        info = payload.opt_obj("info")
        return cls(
            type=r.text("type"),
            created=r.integer("created"),
            id=payload.opt_text("id"),
            serial=payload.opt_text("serial"),
            text=payload.opt_text("text"),
            level=r.opt_text("level"),
            ready_state=info.opt_text("readyState") if info else None,
        )

    @property
    def key(self) -> tuple[object, ...]:
        return (self.id or self.serial or "", self.created, self.type, self.text)


# --------------------------------------------------------------------------- domains


@dataclass(frozen=True, slots=True)
class DomainVerification:
    """A DNS record to set before Vercel can verify a domain."""

    type: str
    domain: str
    value: str
    reason: str

    @classmethod
    def parse(cls, r: Reader) -> DomainVerification:
        return cls(
            type=r.text("type"),
            domain=r.text("domain"),
            value=r.text("value"),
            reason=r.text("reason"),
        )


@dataclass(frozen=True, slots=True)
class ProjectDomain:
    name: str
    apex_name: str
    project_id: str
    verified: bool
    verification: tuple[DomainVerification, ...]
    redirect: str | None
    git_branch: str | None

    @classmethod
    def parse(cls, r: Reader) -> ProjectDomain:
        return cls(
            name=r.text("name"),
            apex_name=r.text("apexName"),
            project_id=r.text("projectId"),
            verified=r.flag("verified"),
            verification=tuple(
                DomainVerification.parse(x) for x in r.items("verification", required=False)
            ),
            redirect=r.opt_text("redirect"),
            git_branch=r.opt_text("gitBranch"),
        )


@dataclass(frozen=True, slots=True)
class RecommendedRecord:
    """A record Vercel recommends (A values or a CNAME), best rank first."""

    rank: int
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DomainConfig:
    """How a domain's DNS is set up (getDomainConfig)."""

    configured_by: str | None
    accepted_challenges: tuple[str, ...]
    recommended_ipv4: tuple[RecommendedRecord, ...]
    recommended_cname: tuple[RecommendedRecord, ...]
    misconfigured: bool

    @classmethod
    def parse(cls, r: Reader) -> DomainConfig:
        ipv4 = tuple(
            RecommendedRecord(rank=x.integer("rank"), values=x.texts("value", required=True))
            for x in r.items("recommendedIPv4", required=False)
        )
        cname = tuple(
            RecommendedRecord(rank=x.integer("rank"), values=(x.text("value"),))
            for x in r.items("recommendedCNAME", required=False)
        )
        return cls(
            configured_by=r.opt_text("configuredBy"),
            accepted_challenges=r.texts("acceptedChallenges"),
            recommended_ipv4=tuple(sorted(ipv4, key=lambda x: x.rank)),
            recommended_cname=tuple(sorted(cname, key=lambda x: x.rank)),
            misconfigured=r.flag("misconfigured"),
        )


@dataclass(frozen=True, slots=True)
class ProjectDomainList:
    domains: tuple[ProjectDomain, ...]
    page: Page

    @classmethod
    def parse(cls, r: Reader) -> ProjectDomainList:
        return cls(
            domains=tuple(ProjectDomain.parse(x) for x in r.items("domains")),
            page=Page.parse(r.opt_obj("pagination")),
        )
