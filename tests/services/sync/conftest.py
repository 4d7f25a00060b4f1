"""A served platform sandbox and a platform client for the sync tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.sandbox.host import ServedApp, serve
from console.sandbox.platform import PlatformSandbox, SeedScale
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import PlatformClient, api_base_url


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[PlatformSandbox, ServedApp]]:
    sandbox = PlatformSandbox(
        tmp_path / "platform.sqlite3", scale=SeedScale(conversations=60, builder_apps=12)
    )
    served = serve("platform", sandbox.asgi)
    yield sandbox, served
    served.stop()
    sandbox.close()


def make_client(url: str, key: str, *, attempts: int = 2) -> PlatformClient:
    http = build_client("platform", api_base_url(url), key)
    return PlatformClient(http, policy=RetryPolicy(attempts=attempts, base=0.01, cap=0.05))
