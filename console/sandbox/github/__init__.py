"""Local GitHub sandbox: the console's subset of GitHub's REST API over real git repositories."""

from __future__ import annotations

from console.sandbox.github.app import (
    API_PREFIX,
    API_VERSION,
    DEFAULT_LOGIN,
    DEFAULT_ORGS,
    DEFAULT_SCOPES,
    DEFAULT_TOKEN,
    GitHubSandbox,
    StripPrefix,
)
from console.sandbox.github.state import GitHubApiError, GitHubState

__all__ = [
    "API_PREFIX",
    "API_VERSION",
    "DEFAULT_LOGIN",
    "DEFAULT_ORGS",
    "DEFAULT_SCOPES",
    "DEFAULT_TOKEN",
    "GitHubApiError",
    "GitHubSandbox",
    "GitHubState",
    "StripPrefix",
]
