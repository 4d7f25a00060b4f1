"""The deploy view tests reuse the served sandboxes of the deploy service tests."""

from __future__ import annotations

from tests.services.deploy.conftest import github, remotes, store

__all__ = ["github", "remotes", "store"]
