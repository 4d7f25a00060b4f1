"""A console stand-in that deploys one project (the SIGKILL test kills it mid-run).

python -m tests.services.deploy.deploy_worker DB VERCEL_URL PLATFORM_URL KEY PROJECT_ID
"""

from __future__ import annotations

import asyncio
import functools
import sys
from pathlib import Path

import httpx

from console.sandbox.vercel import DEFAULT_TOKEN, loopback_site_url
from console.services.deploy.deploy import DeployOptions, DeployService
from console.services.http import build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.vercel.client import VercelClient
from console.store.db import Store


async def main(db: str, vercel_url: str, platform_url: str, key: str, project_id: int) -> None:
    store = Store(Path(db))
    service = DeployService(
        store,
        VercelClient(build_client("vercel", vercel_url, DEFAULT_TOKEN)),
        PlatformClient(build_client("platform", api_base_url(platform_url), key)),
        httpx.AsyncClient(timeout=5.0),
        site_url=functools.partial(loopback_site_url, vercel_url),
        options=DeployOptions(poll_interval=0.05, build_timeout=30, health_interval=0.1),
    )
    await service.deploy(project_id)
    print("deployed", flush=True)


if __name__ == "__main__":
    db, vercel_url, platform_url, key, project_id = sys.argv[1:6]
    asyncio.run(main(db, vercel_url, platform_url, key, int(project_id)))
