"""Fixtures for the GitHub sandbox tests: a served sandbox and a PyGithub client.

Every exchange a test leaves in the recorder is checked against the official
contract when the test ends (see `support.check_exchange`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Github

from console.sandbox.github import GitHubSandbox
from tests.sandbox.github.support import check_exchange, client


@pytest.fixture
def github_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHubSandbox]:
    sandbox = GitHubSandbox(tmp_path_factory.mktemp("github"))
    sandbox.serve()
    yield sandbox
    sandbox.stop()
    for exchange in sandbox.recorder.exchanges:
        if not exchange.path.startswith("/_sandbox"):
            check_exchange(exchange)


@pytest.fixture
def gh(github_sandbox: GitHubSandbox) -> Github:
    return client(github_sandbox)
