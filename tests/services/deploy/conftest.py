"""Served Vercel and platform sandboxes, a store and a DeployService wired to them."""

from __future__ import annotations

import contextlib
import functools
import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from console.sandbox.github import GitHubSandbox
from console.sandbox.github.app import DEFAULT_SCOPES
from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox
from console.sandbox.vercel import (
    DEFAULT_TOKEN,
    BuildTiming,
    VercelSandbox,
    is_sandbox_extension,
    loopback_site_url,
)
from console.services.deploy.deploy import DeployOptions, DeployService
from console.services.deploy.provisioning import ProvisioningService
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.platform.models import CategoryId
from console.services.vercel.client import VercelClient
from console.store.db import Store
from console.store.models import Project
from tests.contract_check import check_all

FAST = BuildTiming(queued=0.15, initializing=0.15, building=0.3)
FAST_OPTIONS = DeployOptions(
    poll_interval=0.05,
    build_timeout=10.0,
    health_attempts=2,
    health_interval=0.05,
    triggered_by="Sam Operator",
)


def fast_policy() -> RetryPolicy:
    return RetryPolicy(attempts=3, base=0.005, cap=0.02, retry_after_cap=1.0, rng=random.Random(3))


@dataclass
class Remotes:
    """The sandboxes, served on loopback, and what a deploy needs."""

    root: Path
    vercel: VercelSandbox
    platform: PlatformSandbox
    platform_server: ServedApp

    @property
    def platform_url(self) -> str:
        return self.platform_server.url

    def vercel_client(self) -> VercelClient:
        http = build_client("vercel", self.vercel.base_url, DEFAULT_TOKEN)
        return VercelClient(http, team_id="team_sandbox", policy=fast_policy())

    def platform_client(self) -> PlatformClient:
        http = build_client("platform", api_base_url(self.platform_url), self.platform.api_key)
        return PlatformClient(http, policy=fast_policy())

    def service(self, store: Store, options: DeployOptions = FAST_OPTIONS) -> DeployService:
        return DeployService(
            store,
            self.vercel_client(),
            self.platform_client(),
            httpx.AsyncClient(timeout=5.0),
            site_url=functools.partial(loopback_site_url, self.vercel.base_url),
            options=options,
        )

    def vercel_projects(self) -> list[str]:
        """Names of every project the Vercel sandbox holds (read from its SQLite file)."""
        with contextlib.closing(sqlite3.connect(self.root / "vercel" / "vercel.sqlite3")) as db:
            return sorted(r[0] for r in db.execute("SELECT name FROM projects"))

    def provisioning(self, store: Store, github: GitHubSandbox) -> ProvisioningService:
        deploy = self.service(store)
        gh = GitHubClient(github.base_url, github.token, policy=fast_policy())
        return ProvisioningService(
            store, deploy.platform, gh, deploy, github_owner="northwind-digital"
        )

    def check_vercel_contract(self) -> int:
        exchanges = [
            ex
            for ex in self.vercel.recorder.exchanges
            if not is_sandbox_extension(ex.path, ex.method)
        ]
        return check_all("vercel", exchanges)

    async def builder_app(self, name: str, categories: Sequence[CategoryId]) -> str:
        client = self.platform_client()
        try:
            app = await client.create_builder_app(name=name, categories=categories)
        finally:
            await client.aclose()
        return app.id


@pytest.fixture
def remotes(tmp_path: Path) -> Iterator[Remotes]:
    vercel = VercelSandbox(tmp_path / "vercel", timing=FAST)
    vercel.serve()
    platform = PlatformSandbox(tmp_path / "platform.db", keepalive_seconds=0.2)
    server = serve("platform", platform.asgi)
    yield Remotes(tmp_path, vercel, platform, server)
    server.stop(timeout=3.0)
    platform.close()
    vercel.stop()


#: The provisioning token may delete repositories (a rollback removes the one it made).
GITHUB_SCOPES = (*DEFAULT_SCOPES, "delete_repo")


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitHubSandbox]:
    sandbox = GitHubSandbox(tmp_path / "github", scopes=GITHUB_SCOPES)
    sandbox.serve()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "console.sqlite3")
    yield db
    db.close()


async def add_project(
    store: Store,
    remotes: Remotes,
    name: str = "Acme Shop",
    categories: Sequence[CategoryId] = ("forms", "crm"),
) -> int:
    """A published project: a builder app on the platform sandbox, a repo URL."""
    cats = list(categories)
    app_id = await remotes.builder_app(name, cats)
    with store.write() as tx:
        row = Project(
            remote_id=app_id,
            name=name,
            slug=name.lower().replace(" ", "-"),
            status="published",
            categories=cats,
            repo_url=f"https://github.com/acme/{name.lower().replace(' ', '-')}",
        )
        tx.session.add(row)
        tx.session.flush()
        return row.id
