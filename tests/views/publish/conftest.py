"""Fixtures of the publish wizard tests: a served GitHub sandbox, a store, the service.

The build check runs tiny Python commands through the service's
`prepare_preflight` seam (the real npm build is covered by the slow scaffold tests).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from console.sandbox.github import GitHubSandbox
from console.services.deploy.events import Progress, StepFinished, StepStarted
from console.services.github.client import GitHubClient
from console.services.http import RetryPolicy
from console.services.publish import PreflightCommand, PublishService
from console.services.scaffold import preflight as pf
from console.store.db import Store
from console.views.messages import MessageBridge
from console.views.tasks import TaskRunner


@dataclass
class FakeChecks:
    """The build check's seam: writes the app folder, then runs `script` per check."""

    scripts: dict[str, str] = field(
        default_factory=lambda: {
            "tsc": "print('tsc: 0 errors')",
            "build": "print('Compiled successfully'); print('Route (app) /')",
        }
    )
    prepared: list[Path] = field(default_factory=list)

    async def __call__(
        self, app_dir: Path, files: Mapping[str, bytes], progress: Progress
    ) -> Sequence[PreflightCommand]:
        progress(StepStarted("install", "npm install", 0, 1 + len(self.scripts)))
        pf.write_app(files, app_dir)
        self.prepared.append(app_dir)
        progress(StepFinished("install", "cached"))
        return [
            PreflightCommand(step, step, (sys.executable, "-u", "-c", script))
            for step, script in self.scripts.items()
        ]


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
def checks() -> FakeChecks:
    return FakeChecks()


@pytest.fixture
def github(sandbox: GitHubSandbox, policy: RetryPolicy) -> GitHubClient:
    return GitHubClient(sandbox.base_url, sandbox.token, policy=policy, timeout=10.0)


@pytest.fixture
def service(
    store: Store, github: GitHubClient, checks: FakeChecks, tmp_path: Path
) -> PublishService:
    return PublishService(
        store, github, workspace_root=tmp_path / "preflight", prepare_preflight=checks
    )


@pytest.fixture
def messages(qapp: object) -> MessageBridge:
    return MessageBridge()


@pytest.fixture
def tasks(messages: MessageBridge) -> TaskRunner:
    return TaskRunner(messages)
