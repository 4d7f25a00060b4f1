"""Custom domains: tier-gated add, the DNS records to set, verification polling, removal.

Tier gate: Free and Pro have none, Agency 5, Enterprise
unlimited; the platform's licensing limits are the source of truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import delete, func, select

from console.errors import NotFound, UserInputError, ValidationFailed
from console.services.deploy.deploy import identity_url, vercel_name
from console.services.platform.client import PlatformClient
from console.services.vercel.client import VercelClient
from console.services.vercel.models import DomainConfig, ProjectDomain
from console.store.db import Store
from console.store.models import Domain, Project

logger = logging.getLogger(__name__)

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class DomainLimitReached(UserInputError):
    """The tier allows no (more) custom domains."""

    action = "Upgrade to Agency (5 domains) or Enterprise (unlimited), or remove one."


@dataclass(frozen=True)
class DnsRecord:
    """One record the domain owner must set."""

    type: str
    name: str
    value: str
    purpose: str

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "name": self.name, "value": self.value, "purpose": self.purpose}


def dns_records(domain: ProjectDomain, config: DomainConfig) -> list[DnsRecord]:
    """The records to show: TXT verification (if Vercel asks) and the A or CNAME record."""
    records = [DnsRecord(v.type, v.domain, v.value, "verification") for v in domain.verification]
    if domain.name == domain.apex_name and config.recommended_ipv4:
        for ip in config.recommended_ipv4[0].values:
            records.append(DnsRecord("A", domain.name, ip, "routing"))
    elif config.recommended_cname:
        records.append(
            DnsRecord("CNAME", domain.name, config.recommended_cname[0].values[0], "routing")
        )
    return records


class DomainService:
    """Adds custom domains to a project's Vercel project and follows their verification.

    A domain counts as verified (the `Domain.verified` flag) once Vercel has
    verified it, its A/CNAME record points at Vercel and, when `health_http`
    is given, ``https://<domain>/`` answers 200: Vercel issues the certificate
    only after DNS resolves, so that request is the SSL check.

    Args:
        store: the local store (`Domain` rows: verified flag and records).
        vercel: the Vercel client.
        platform: the platform client (licensing limits).
        health_http: the client for the HTTPS check (no base_url); None skips it.
        site_url: maps ``https://<domain>/`` to the URL to fetch (as for DeployService).
    """

    def __init__(
        self,
        store: Store,
        vercel: VercelClient,
        platform: PlatformClient,
        *,
        health_http: httpx.AsyncClient | None = None,
        site_url: Callable[[str], str] = identity_url,
    ) -> None:
        self.store = store
        self.vercel = vercel
        self.platform = platform
        self.health_http = health_http
        self.site_url = site_url

    async def allowance(self) -> tuple[int, int | None]:
        """(domains in use, the tier's limit or None for unlimited)."""
        limits = await self.platform.get_licensing_limits()
        with self.store.read() as session:
            local = session.scalar(select(func.count()).select_from(Domain)) or 0
        return max(int(local), limits.custom_domains.used), limits.custom_domains.limit

    async def add(self, project_id: int, name: str) -> list[DnsRecord]:
        """Add `name` to the project; returns the DNS records to set.

        Raises:
            DomainLimitReached: the tier allows no more custom domains.
            UserInputError: not a domain name, or the project is not deployed.
        """
        name = name.strip().lower().rstrip(".")
        if not _DOMAIN.match(name):
            raise UserInputError(f"{name!r} is not a domain name.")
        used, limit = await self.allowance()
        if limit is not None and used >= limit:
            if limit == 0:
                raise DomainLimitReached("Custom domains need the Agency or Enterprise tier.")
            raise DomainLimitReached(f"All {limit} custom domains of your tier are in use.")
        project = await self._vercel_project(project_id)
        domain = await self.vercel.add_domain(project, name)
        config = await self.vercel.get_domain_config(name, project=project)
        records = dns_records(domain, config)
        self._save(project_id, name, domain.verified and not config.misconfigured, records)
        logger.info("project %d: domain added (%d records to set)", project_id, len(records))
        return records

    async def check(self, project_id: int, name: str) -> bool:
        """Ask Vercel to verify `name` now; True once verified and DNS points at Vercel."""
        project = await self._vercel_project(project_id)
        try:
            domain = await self.vercel.verify_domain(project, name)
        except ValidationFailed:
            domain = await self.vercel.get_domain(project, name)
        config = await self.vercel.get_domain_config(name, project=project)
        ready = domain.verified and not config.misconfigured and await self._serves_https(name)
        self._save(project_id, name, ready, dns_records(domain, config))
        return ready

    async def remove(self, project_id: int, name: str) -> None:
        """Remove `name` from the project on Vercel, then from the store."""
        project = await self._vercel_project(project_id)
        with contextlib.suppress(NotFound):  # already gone on Vercel: drop our row too
            await self.vercel.remove_domain(project, name)
        with self.store.write() as tx:
            tx.session.execute(
                delete(Domain).where(Domain.name == name, Domain.project_id == project_id)
            )
            tx.touch("domains")
        logger.info("project %d: domain removed", project_id)

    async def poll(self, project_id: int, name: str, *, interval: float = 10.0) -> None:
        """`check` every `interval` seconds until verified (cancel the task to stop)."""
        while not await self.check(project_id, name):
            await asyncio.sleep(interval)

    def domains(self, project_id: int) -> list[Domain]:
        with self.store.read() as session:
            return list(
                session.scalars(
                    select(Domain).where(Domain.project_id == project_id).order_by(Domain.name)
                )
            )

    # ------------------------------------------------------------------ helpers

    async def _serves_https(self, name: str) -> bool:
        if self.health_http is None:
            return True
        try:
            response = await self.health_http.get(self.site_url(f"https://{name}/"))
        except httpx.HTTPError as exc:
            logger.info("domain %s: no HTTPS answer yet (%s)", name, type(exc).__name__)
            return False
        return response.status_code == 200

    async def _vercel_project(self, project_id: int) -> str:
        with self.store.read() as session:
            row = session.get(Project, project_id)
            if row is None:
                raise UserInputError(f"No project {project_id}.")
            name = vercel_name(row.slug or row.name)
        try:
            return (await self.vercel.get_project(name)).id
        except NotFound as exc:
            raise UserInputError("Deploy the project before adding a domain.") from exc

    def _save(self, project_id: int, name: str, verified: bool, records: list[DnsRecord]) -> None:
        payload: list[Any] = [r.to_json() for r in records]
        with self.store.write() as tx:
            tx.session.merge(
                Domain(
                    name=name,
                    project_id=project_id,
                    verified=verified,
                    records=payload,
                    updated_at=datetime.now(UTC),
                )
            )
