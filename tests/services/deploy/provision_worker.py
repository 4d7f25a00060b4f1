"""A console stand-in that provisions one client (the SIGKILL test kills it mid-run).

python -m tests.services.deploy.provision_worker DB VERCEL PLATFORM KEY GITHUB GH_TOKEN [SLUG]
"""

from __future__ import annotations

import asyncio
import functools
import sys
from pathlib import Path

import httpx

from console.sandbox.vercel import DEFAULT_TOKEN, loopback_site_url
from console.services.deploy.deploy import DeployOptions, DeployService
from console.services.deploy.provisioning import NewClient, ProvisioningService
from console.services.github.client import GitHubClient
from console.services.http import build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.vercel.client import VercelClient
from console.store.db import Store

CLIENT = NewClient("Plastimed", "plastimed", "ops@plastimed.test", "#0E7490")


async def main(
    db: str, vercel: str, platform_url: str, key: str, gh: str, token: str, slug: str = ""
) -> None:
    store = Store(Path(db))
    platform = PlatformClient(build_client("platform", api_base_url(platform_url), key))
    deploy = DeployService(
        store,
        VercelClient(build_client("vercel", vercel, DEFAULT_TOKEN)),
        platform,
        httpx.AsyncClient(timeout=5.0),
        site_url=functools.partial(loopback_site_url, vercel),
        options=DeployOptions(poll_interval=0.05, build_timeout=30, health_interval=0.1),
    )
    service = ProvisioningService(
        store, platform, GitHubClient(gh, token), deploy, github_owner="northwind-digital"
    )
    client = CLIENT if not slug else NewClient(slug.title(), slug, f"ops@{slug}.test", "#0E7490")
    await service.provision(client)
    print("provisioned", flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:8]))
