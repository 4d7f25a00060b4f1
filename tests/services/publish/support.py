"""Shared helpers of the publish tests: a stored project, a fake platform, padding files."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.services.scaffold import PublishConfig, compose
from console.store.db import Store
from console.store.models import Blob, Project, ProjectFile

LOGIN = "sandbox-agency"

V0_FILES: dict[str, bytes] = {
    "app/page.tsx": b"export default function Home() {\n  return <main>Shop</main>;\n}\n",
    "components/hero.tsx": b"export function Hero() {\n  return <h1>Flowers</h1>;\n}\n",
}


def add_project(
    store: Store,
    files: Mapping[str, bytes] = V0_FILES,
    *,
    name: str = "Flower Shop",
    categories: tuple[str, ...] = ("products", "forms"),
    remote_id: str | None = None,
    org_id: str = "org_agency",
) -> int:
    """A stored project with v0 files, as the Projects import leaves it."""
    with store.write() as tx:
        project = Project(
            name=name,
            slug="flower-shop",
            description="Bouquets to order",
            categories=list(categories),
            remote_id=remote_id,
            org_id=org_id,
            source="v0",
        )
        tx.session.add(project)
        tx.session.flush()
        project_id = int(project.id)
    for path, data in files.items():
        add_file(store, project_id, path, data)
    return project_id


def add_file(store: Store, project_id: int, path: str, data: bytes) -> None:
    """One more file in a stored project (as an import or "open in editor" leaves it)."""
    sha = hashlib.sha256(data).hexdigest()
    with store.write() as tx:
        if tx.session.get(Blob, sha) is None:
            tx.session.add(Blob(sha256=sha, size=len(data), data=data))
            tx.session.flush()
        tx.session.add(ProjectFile(project_id=project_id, path=path, sha256=sha))


def padding_to(config: PublishConfig, total: int) -> dict[str, bytes]:
    """v0 files that make the merged file set exactly `total` text files."""
    files = dict(V0_FILES)
    base = len(compose(files, config).files)
    for i in range(total - base):
        files[f"components/gen/item-{i:03d}.tsx"] = (
            f"export function Item{i}() {{\n  return <p>Item {i} · ü</p>;\n}}\n".encode()
        )
    return files


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int | None


@dataclass(frozen=True)
class Limits:
    tier: str
    builder_apps: Usage

    @property
    def badge_required(self) -> bool:
        return self.tier == "free"

    @property
    def white_label(self) -> bool:
        return self.tier in ("agency", "enterprise")


@dataclass
class FakePlatform:
    """Implements `PlatformApi`: limits, builder-app updates and links, recorded.

    Its plan is the free tier, as a store that never synced its organization assumes.
    """

    tier: str = "free"
    used: int = 0
    limit: int | None = 1
    updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    links: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    limit_calls: int = 0

    async def get_licensing_limits(self, *, org_id: str | None = None) -> Limits:
        self.limit_calls += 1
        return Limits(self.tier, Usage(self.used, self.limit))

    async def update_builder_app(self, app_id: str, **fields: Any) -> Any:
        self.updates.append((app_id, fields))
        return None

    async def link_objects(
        self, app_id: str, object_type: str, object_ids: Sequence[str], **options: Any
    ) -> Any:
        self.links.append((app_id, object_type, tuple(object_ids)))
        return None
