"""Minimal Vercel response bodies that satisfy the contract (checked in the tests)."""

from __future__ import annotations

from typing import Any


def project(pid: str = "prj_1", name: str = "acme-portal", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "accountId": "team_1",
        "directoryListing": False,
        "id": pid,
        "name": name,
        "nodeVersion": "22.x",
        "resourceConfig": {"functionDefaultRegions": ["iad1"]},
        "defaultResourceConfig": {"functionDefaultRegions": ["iad1"]},
        "framework": "nextjs",
        "createdAt": 1_700_000_000_000,
        "updatedAt": 1_700_000_000_500,
        "link": {
            "type": "github",
            "org": "acme",
            "repo": "portal",
            "repoId": 42,
            "gitCredentialId": "cred_1",
            "productionBranch": "main",
            "deployHooks": [],
        },
    }
    body.update(extra)
    return body


def deployment(did: str = "dpl_1", state: str = "QUEUED", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "build": {"env": []},
        "env": [],
        "inspectorUrl": f"https://vercel.com/acme/portal/{did}",
        "isInConcurrentBuildsQueue": False,
        "isInSystemBuildsQueue": False,
        "projectSettings": {},
        "aliasAssigned": False,
        "bootedAt": 1_700_000_000_000,
        "buildingAt": 1_700_000_001_000,
        "buildSkipped": False,
        "creator": {"uid": "usr_1", "username": "staff"},
        "public": False,
        "status": state,
        "id": did,
        "createdAt": 1_700_000_000_000,
        "readyState": state,
        "name": "acme-portal",
        "type": "LAMBDAS",
        "meta": {"githubCommitSha": "abc123"},
        "regions": ["iad1"],
        "url": f"acme-portal-{did}.vercel.app",
        "version": 2,
        "projectId": "prj_1",
        "plan": "pro",
        "createdIn": "iad1",
        "ownerId": "team_1",
        "routes": None,
        "alias": [],
        "gitSource": {
            "type": "github",
            "org": "acme",
            "repo": "portal",
            "ref": "main",
            "sha": "abc123",
        },
    }
    body.update(extra)
    return body


def deployment_row(did: str, state: str, created: int) -> dict[str, Any]:
    return {
        "uid": did,
        "name": "acme-portal",
        "projectId": "prj_1",
        "url": f"acme-portal-{did}.vercel.app",
        "created": created,
        "createdAt": created,
        "ready": created + 30_000,
        "buildingAt": created + 1_000,
        "type": "LAMBDAS",
        "state": state,
        "readyState": state,
        "target": "production",
        "creator": {"uid": "usr_1", "username": "staff"},
        "inspectorUrl": f"https://vercel.com/acme/portal/{did}",
        "meta": {"githubCommitSha": "abc123", "githubCommitRef": "main"},
        "isRollbackCandidate": True,
    }


def env_var(key: str, eid: str, target: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "encrypted",
        "value": "ENCRYPTED-BLOB",
        "key": key,
        "id": eid,
        "target": target or ["production", "preview"],
        "createdAt": 1_700_000_000_000,
    }


def domain(name: str = "portal.acme.test", verified: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "apexName": "acme.test",
        "projectId": "prj_1",
        "verified": verified,
        "createdAt": 1_700_000_000_000,
    }
    if not verified:
        body["verification"] = [
            {
                "type": "TXT",
                "domain": f"_vercel.{name}",
                "value": "vc-domain-verify=portal.acme.test,abc",
                "reason": "pending_domain_verification",
            }
        ]
    return body


def domain_config() -> dict[str, Any]:
    return {
        "configuredBy": "A",  # null is real but fails the contract (nullable beside enum)
        "acceptedChallenges": ["dns-01"],
        "recommendedIPv4": [
            {"rank": 2, "value": ["76.76.21.22"]},
            {"rank": 1, "value": ["76.76.21.21"]},
        ],
        "recommendedCNAME": [{"rank": 1, "value": "cname.vercel-dns.com."}],
        "misconfigured": True,
    }


def events() -> list[dict[str, Any]]:
    return [
        {
            "type": "stdout",
            "created": 1_700_000_001_000,
            "payload": {
                "deploymentId": "dpl_1",
                "id": "evt_1",
                "date": 1_700_000_001_000,
                "serial": "1",
                "text": "Running build",
            },
        },
        {
            "type": "stderr",
            "created": 1_700_000_002_000,
            "date": 1_700_000_002_000,
            "deploymentId": "dpl_1",
            "id": "evt_2",
            "info": {"type": "build", "name": "bld_1", "readyState": "BUILDING"},
            "serial": "2",
            "text": "warn: something",
            "level": "warning",
        },
    ]
