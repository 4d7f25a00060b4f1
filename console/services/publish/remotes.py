"""What publishing needs of the remote clients, as Protocols (the real clients and fakes fit)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from console.services.github.models import CommitResult, GitHubUser, Repo
from console.services.platform.models import ObjectType

logger = logging.getLogger(__name__)


class GitHubApi(Protocol):
    """What publishing needs of `GitHubClient`."""

    async def create_repo(
        self, owner: str | None, name: str, private: bool = True, description: str | None = None
    ) -> Repo: ...

    async def get_user(self) -> GitHubUser: ...

    async def get_repo(self, owner: str, name: str) -> Repo: ...

    async def get_head(self, owner: str, name: str, branch: str) -> str | None: ...

    async def commit_files(
        self,
        owner: str,
        name: str,
        branch: str,
        files: Mapping[str, bytes],
        message: str,
        expected_parent: str | None,
        *,
        allow_diverged: bool = False,
        head_known: bool = False,
    ) -> CommitResult: ...


class UsageLike(Protocol):
    @property
    def used(self) -> int: ...

    @property
    def limit(self) -> int | None: ...


class LimitsLike(Protocol):
    @property
    def tier(self) -> str: ...

    @property
    def builder_apps(self) -> UsageLike: ...

    @property
    def badge_required(self) -> bool: ...

    @property
    def white_label(self) -> bool: ...


class PlatformApi(Protocol):
    """What publishing needs of `PlatformClient`."""

    async def get_licensing_limits(self, *, org_id: str | None = None) -> Any: ...

    async def update_builder_app(
        self,
        app_id: str,
        *,
        status: Literal["published"] | None = None,
        repo_url: str | None = None,
        org_id: str | None = None,
    ) -> Any: ...

    async def link_objects(
        self,
        app_id: str,
        object_type: ObjectType,
        object_ids: Sequence[str],
        *,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> Any: ...
