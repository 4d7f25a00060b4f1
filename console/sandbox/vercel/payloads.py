"""Turn sandbox rows into JSON shaped like Vercel's responses (vercel.json contract).

Only the fields the contract requires plus the ones the console reads are
filled; everything else Vercel sends is left out (the contract's objects are
open, so that is still valid).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from console.sandbox.vercel.builds import BuildEvent, ReadyState
from console.sandbox.vercel.store import DeploymentRow, DomainRow, EnvRow, Phases, ProjectRow

logger = logging.getLogger(__name__)

JSON = dict[str, Any]

NODE_VERSION = "22.x"
RECOMMENDED_IPV4 = "76.76.21.21"
RECOMMENDED_CNAME = "cname.vercel-dns.com."


@dataclass(frozen=True)
class Account:
    """The one sandbox user that owns everything."""

    uid: str = "sbx0user0l4yercak3sandbox00"
    username: str = "l4yercak3-sandbox"
    email: str = "sandbox@l4yercak3.invalid"
    scope_slug: str = "l4yercak3-sandbox"

    @property
    def creator(self) -> JSON:
        return {"uid": self.uid, "username": self.username, "email": self.email}


@dataclass(frozen=True)
class DeploymentView:
    """A deployment row with its state at one instant."""

    row: DeploymentRow
    phases: Phases
    aliases: list[str]  # production alias + verified domains, when it serves them

    @property
    def state(self) -> ReadyState:
        return self.phases.state

    @property
    def ended_at(self) -> int | None:
        return self.phases.ended_at

    @property
    def ready_at(self) -> int | None:
        return self.ended_at if self.state == "READY" else None


def is_rollback_candidate(view: DeploymentView) -> bool:
    return view.row.target == "production" and view.state == "READY"


def production_alias(project_name: str) -> str:
    """The `<project>.vercel.app` alias that follows the production deployment."""
    return f"{project_name}.vercel.app"


def encrypt(value: str) -> str:
    """An opaque stand-in for Vercel's encrypted value (not reversible)."""
    return "enc_" + hashlib.sha256(value.encode()).hexdigest()[:40]


def env_payload(env: EnvRow, *, decrypt: bool) -> JSON:
    """One env var as filterProjectEnvs/createProjectEnv return it.

    Sensitive values are never returned (empty string), encrypted values only
    with `decrypt=true`, plain values always.
    """
    if env.type == "sensitive":
        value, decrypted = "", False
    elif env.type == "plain" or (decrypt and env.type == "encrypted"):
        value, decrypted = env.value, env.type == "encrypted"
    else:
        value, decrypted = encrypt(env.value), False
    payload: JSON = {
        "id": env.id,
        "key": env.key,
        "value": value,
        "type": env.type,
        "target": env.targets,
        "configurationId": None,
        "createdAt": env.created_at,
        "updatedAt": env.updated_at,
        "createdBy": Account().uid,
        "updatedBy": None,
        "decrypted": decrypted,
    }
    if env.git_branch:
        payload["gitBranch"] = env.git_branch
    if env.comment is not None:
        payload["comment"] = env.comment
    return payload


def deployment_summary(view: DeploymentView, account: Account) -> JSON:
    """The short deployment shape used in project.latestDeployments/targets."""
    row = view.row
    summary: JSON = {
        "id": row.id,
        "alias": view.aliases,
        "aliasAssigned": bool(view.aliases),
        "aliasError": None,
        "createdAt": row.created_at,
        "createdIn": row.region,
        "creator": account.creator,
        "deploymentHostname": row.url.removesuffix(".vercel.app"),
        "name": row.name,
        "meta": row.meta,
        "plan": "hobby",
        "private": True,
        "readyState": view.state,
        "target": row.target,
        "type": "LAMBDAS",
        "url": row.url,
        "userId": account.uid,
        "buildingAt": view.phases.building_at,
    }
    if view.ready_at is not None:
        summary["readyAt"] = view.ready_at
    return summary


def project_payload(
    project: ProjectRow,
    account: Account,
    latest: list[DeploymentView],
    production: DeploymentView | None,
) -> JSON:
    payload: JSON = {
        "accountId": account.uid,
        "id": project.id,
        "name": project.name,
        "framework": project.framework,
        "nodeVersion": NODE_VERSION,
        "directoryListing": False,
        "resourceConfig": {"functionDefaultRegions": [project.region]},
        "defaultResourceConfig": {"functionDefaultRegions": [project.region]},
        "createdAt": project.created_at,
        "updatedAt": project.updated_at,
        "buildCommand": None,
        "devCommand": None,
        "installCommand": None,
        "outputDirectory": None,
        "rootDirectory": None,
        "live": production is not None,
        "autoAssignCustomDomains": project.auto_assign,
        "latestDeployments": [deployment_summary(v, account) for v in latest],
        "targets": {}
        if production is None
        else {"production": deployment_summary(production, account)},
    }
    if project.link is not None:
        payload["link"] = project.link
    if project.last_alias_request is not None:
        payload["lastAliasRequest"] = project.last_alias_request
    return _without_none(payload, "framework")


def git_namespace_payload(slug: str, namespace_id: int, owner_type: str) -> JSON:
    """One listGitNamespaces item (outside the contract subset; shape of Vercel's SDK)."""
    return {
        "provider": "github",
        "slug": slug,
        "id": namespace_id,
        "ownerType": owner_type,
        "name": slug,
    }


def rate_limit_body(reset: int, total: int) -> JSON:
    """Vercel's 429 body: the limit and when its window resets (epoch seconds)."""
    return error_body(
        "rate_limited",
        "Rate limit exceeded",
        limit={"remaining": 0, "reset": reset, "resetMs": reset * 1000, "total": total},
    )


def deployment_payload(
    view: DeploymentView, project: ProjectRow, account: Account, base: str
) -> JSON:
    """The full (owner) deployment, as createDeployment/getDeployment return it."""
    row = view.row
    payload: JSON = {
        "id": row.id,
        "url": row.url,
        "name": row.name,
        "projectId": row.project_id,
        "ownerId": account.uid,
        "createdAt": row.created_at,
        "createdIn": row.region,
        "bootedAt": view.phases.booted_at,
        "buildingAt": view.phases.building_at,
        "readyState": view.state,
        "status": view.state,
        "type": "LAMBDAS",
        "version": 2,
        "plan": "hobby",
        "public": False,
        "alias": view.aliases,
        "aliasAssigned": bool(view.aliases),
        "aliasError": None,
        "automaticAliases": [f"{row.name}-{account.username}.vercel.app"],
        "build": {"env": []},
        "env": [],
        "inspectorUrl": f"{base}/_inspect/{row.id}",
        "isInConcurrentBuildsQueue": False,
        "isInSystemBuildsQueue": False,
        "projectSettings": _without_none(
            {"framework": project.framework, "buildCommand": None}, "framework"
        ),
        "buildSkipped": False,
        "creator": {"uid": account.uid, "username": account.username},
        "meta": row.meta,
        "regions": [row.region],
        "routes": None,
        "target": row.target,
        "project": {"id": project.id, "name": project.name, "framework": project.framework},
        "errorMessage": None,
    }
    if row.git_source is not None:
        payload["gitSource"] = row.git_source
    if view.ready_at is not None:
        payload["ready"] = view.ready_at
    if view.state == "ERROR":
        payload["errorCode"] = "BUILD_FAILED"
        payload["errorMessage"] = row.error_summary
        payload["errorStep"] = "build"
        if view.ended_at is not None:
            payload["buildErrorAt"] = view.ended_at
    if view.state == "CANCELED" and row.canceled_at is not None:
        payload["canceledAt"] = row.canceled_at
    return _without_none(payload, "target")


def deployment_list_item(view: DeploymentView, account: Account, base: str) -> JSON:
    """One entry of getDeployments."""
    row = view.row
    item: JSON = {
        "uid": row.id,
        "name": row.name,
        "projectId": row.project_id,
        "url": row.url,
        "created": row.created_at,
        "createdAt": row.created_at,
        "buildingAt": view.phases.building_at,
        "type": "LAMBDAS",
        "creator": account.creator,
        "inspectorUrl": f"{base}/_inspect/{row.id}",
        "state": view.state,
        "readyState": view.state,
        "target": row.target,
        "meta": row.meta,
        "aliasAssigned": bool(view.aliases),
        "aliasError": None,
        "isRollbackCandidate": is_rollback_candidate(view),
    }
    if view.ready_at is not None:
        item["ready"] = view.ready_at
    if view.state == "ERROR":
        item["errorCode"] = "BUILD_FAILED"
        item["errorMessage"] = row.error_summary
    return _without_none(item, "target")


def event_payload(row: DeploymentRow, event: BuildEvent, index: int) -> JSON:
    """One getDeploymentEvents item (the `{type, created, payload}` variant)."""
    date = row.created_at + event.offset
    info: JSON = {"type": "build", "name": row.build_id, "entrypoint": "."}
    if event.ready_state is not None:
        info["readyState"] = event.ready_state
    payload: JSON = {
        "deploymentId": row.id,
        "id": f"{date}{index:06d}",
        "date": date,
        "created": date,
        "serial": f"{date}{index:06d}",
        "text": event.text,
        "info": info,
    }
    return {"type": event.type, "created": date, "payload": payload}


def domain_payload(domain: DomainRow) -> JSON:
    payload: JSON = {
        "name": domain.name,
        "apexName": domain.apex_name,
        "projectId": domain.project_id,
        "redirect": domain.redirect,
        "redirectStatusCode": domain.redirect_status,
        "gitBranch": domain.git_branch,
        "customEnvironmentId": None,
        "createdAt": domain.created_at,
        "updatedAt": domain.updated_at,
        "verified": domain.verified,
    }
    if not domain.verified:
        payload["verification"] = [verification_record(domain)]
    return _without_none(payload, "redirectStatusCode")


def verification_record(domain: DomainRow) -> JSON:
    """The TXT record the owner must add before verifyProjectDomain succeeds."""
    return {
        "type": "TXT",
        "domain": f"_vercel.{domain.apex_name}",
        "value": f"vc-domain-verify={domain.name},{domain.challenge}",
        "reason": "pending_domain_verification",
    }


def domain_config_payload(name: str, domain: DomainRow | None) -> JSON:
    """getDomainConfig. `configuredBy` is null while DNS does not point at Vercel."""
    configured = domain is not None and domain.dns_configured
    apex = domain is not None and domain.name == domain.apex_name
    configured_by = ("A" if apex else "CNAME") if configured else None
    return {
        "configuredBy": configured_by,
        "acceptedChallenges": ["dns-01", "http-01"] if configured else ["dns-01"],
        "recommendedIPv4": [{"rank": 1, "value": [RECOMMENDED_IPV4]}],
        "recommendedCNAME": [{"rank": 1, "value": RECOMMENDED_CNAME}],
        "misconfigured": not configured,
    }


def _without_none(payload: JSON, *keys: str) -> JSON:
    """Leave out optional fields whose schema is a nullable enum when they are null.

    The contract marks them `nullable` beside an `enum` without `null`; omitting
    them is valid either way and is what the console must cope with anyway.
    """
    for key in keys:
        if payload.get(key, "") is None:
            del payload[key]
    return payload


def error_body(code: str, message: str, **extra: Any) -> JSON:
    """Vercel's error shape."""
    return {"error": {"code": code, "message": message, **extra}}
