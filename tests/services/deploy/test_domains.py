"""Custom domains: tier gate, DNS records, verification polling."""

from __future__ import annotations

import asyncio

import pytest

from console.services.deploy.domains import DomainLimitReached, DomainService
from console.store.db import Store
from console.store.models import Domain
from tests.services.deploy.conftest import Remotes, add_project


async def test_add_domain_records_and_poll(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    deploy = remotes.service(store)
    domains = DomainService(
        store,
        remotes.vercel_client(),
        remotes.platform_client(),
        health_http=deploy.health_http,
        site_url=deploy.site_url,
    )
    try:
        await deploy.deploy(project_id)
        records = await domains.add(project_id, "Shop.Acme.test")
        kinds = {(r.type, r.purpose) for r in records}
        assert ("CNAME", "routing") in kinds
        assert ("TXT", "verification") in kinds
        (row,) = domains.domains(project_id)
        assert row.name == "shop.acme.test"
        assert not row.verified
        assert await domains.check(project_id, "shop.acme.test") is False

        poller = asyncio.ensure_future(domains.poll(project_id, "shop.acme.test", interval=0.05))
        await asyncio.sleep(0.2)
        assert not poller.done()
        remotes.vercel.mark_domain_verified("shop.acme.test")
        await asyncio.wait_for(poller, 5)
        (row,) = domains.domains(project_id)
        assert row.verified

        # Verified but the site does not answer over HTTPS: not active (no certificate yet).
        remotes.vercel.fail_health_check("acme-shop", 502)
        assert await domains.check(project_id, "shop.acme.test") is False
        remotes.vercel.restore_health_check("acme-shop")
        assert await domains.check(project_id, "shop.acme.test") is True

        await domains.remove(project_id, "shop.acme.test")
        assert domains.domains(project_id) == []
        assert remotes.vercel.list_domains("acme-shop") == []
        await domains.remove(project_id, "shop.acme.test")  # again: already gone, no error
        assert remotes.check_vercel_contract() > 10
    finally:
        for client in (deploy.vercel, deploy.platform, domains.vercel, domains.platform):
            await client.aclose()
        await deploy.health_http.aclose()


async def test_tier_gate(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    domains = DomainService(store, remotes.vercel_client(), remotes.platform_client())
    try:
        remotes.platform.set_tier("pro")
        with pytest.raises(DomainLimitReached, match="Agency"):
            await domains.add(project_id, "shop.acme.test")
        remotes.platform.set_tier("agency")
        used, limit = await domains.allowance()
        assert limit == 5
        assert used == 0
        with store.write() as tx:
            for n in range(5):
                tx.session.add(Domain(name=f"d{n}.acme.test", project_id=project_id))
        with pytest.raises(DomainLimitReached, match="All 5"):
            await domains.add(project_id, "shop.acme.test")
    finally:
        await domains.vercel.aclose()
        await domains.platform.aclose()
