"""Fixtures for the Vercel sandbox tests: a served sandbox on a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from console.sandbox.vercel import DEFAULT_TOKEN, BuildTiming, VercelSandbox


class ManualClock:
    """A clock tests move by hand (seconds since the epoch)."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def vercel(tmp_path: Path, clock: ManualClock) -> Iterator[VercelSandbox]:
    sandbox = VercelSandbox(tmp_path / "vercel", clock=clock, record=True, timing=BuildTiming())
    sandbox.serve()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def client(vercel: VercelSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=vercel.base_url,
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
        timeout=10.0,
    ) as http:
        yield http
