"""Fixtures of the publish wizard tests: a served GitHub sandbox, a store, the service.

The build check runs through the service's `builder` seam with `FakeBuilder`
(the real install and `next build` are covered by the slow tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.sandbox.github import GitHubSandbox
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy
from console.services.publish import PublishService
from console.store.db import Store
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner
from tests.fakes.builds import FakeBuilder


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[GitHubSandbox]:
    box = GitHubSandbox(tmp_path / "github")
    box.serve()
    yield box
    box.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "db.sqlite3")
    yield s
    s.close()


@pytest.fixture
def policy() -> RetryPolicy:
    return RetryPolicy(attempts=3, base=0.005, cap=0.02, retry_after_cap=2.0)


@pytest.fixture
def builder() -> FakeBuilder:
    return FakeBuilder()


@pytest.fixture
def github(sandbox: GitHubSandbox, policy: RetryPolicy) -> GitHubClient:
    return GitHubClient(sandbox.base_url, sandbox.token, policy=policy, timeout=10.0)


@pytest.fixture
def service(
    store: Store, github: GitHubClient, builder: FakeBuilder, tmp_path: Path
) -> PublishService:
    return PublishService(store, github, workspace_root=tmp_path / "checks", builder=builder)


@pytest.fixture
def messages(qapp: object) -> MessageBridge:
    return MessageBridge()


@pytest.fixture
def tasks(messages: MessageBridge) -> TaskRunner:
    return TaskRunner(messages)
