"""A projects page over a real store and ProjectService, with sandbox-like platform data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from console.services.projects import ProjectService
from console.store.db import Store
from console.store.models import Deployment, Organization, Project
from console.views.bridge import StoreBridge
from console.views.messages import MessageBridge
from console.views.projects import ProjectsPage
from console.views.tasks import TaskRunner

V0 = Path(__file__).resolve().parents[2] / "data" / "v0"
NOW = datetime.now(UTC)

#: (name, org, status, deployment status, architecture, categories, days since update)
PLATFORM_APPS: list[tuple[str, str, str, str, str, list[str], int]] = [
    (
        "Online Shop",
        "org_crumb",
        "deployed",
        "deployed",
        "thin_client",
        ["products", "checkout"],
        2,
    ),
    ("Wholesale Portal", "org_crumb", "failed", "failed", "full_stack", ["tickets"], 5),
    ("Flower Shop", "org_leaf", "deployed", "deployed", "full_stack", ["products", "events"], 9),
    ("Wedding Enquiries", "org_leaf", "published", "deploying", "thin_client", ["crm", "forms"], 1),
    ("Retreat Booking", "org_lotus", "deployed", "deployed", "thin_client", ["bookings"], 30),
    ("Member Portal", "org_lotus", "draft", "none", "hybrid", ["products", "crm"], 60),
    ("Northwind Agency Site", "org_agency", "deployed", "deployed", "thin_client", [], 3),
    ("Appointment Booking", "org_smile", "published", "failed", "thin_client", ["bookings"], 12),
]


@dataclass
class Env:
    store: Store
    service: ProjectService
    messages: MessageBridge
    tasks: TaskRunner
    bridge: StoreBridge
    opened: list[QUrl] = field(default_factory=list)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    store = Store(tmp_path / "db.sqlite3")
    service = ProjectService(store, workspace_root=tmp_path / "workspaces")
    messages = MessageBridge()
    bridge = StoreBridge(store)
    yield Env(store, service, messages, TaskRunner(messages), bridge)
    bridge.detach()
    store.close()


def fill_platform(store: Store) -> dict[str, int]:
    """Organizations and builder apps as the sync engine stores them; name -> project id."""
    ids: dict[str, int] = {}
    with store.write() as tx:
        for org_id, parent, name in (
            ("org_agency", None, "Northwind Digital"),
            ("org_crumb", "org_agency", "Crumb & Co. Bakery"),
            ("org_leaf", "org_agency", "Green Leaf Florist"),
            ("org_lotus", "org_agency", "Lotus Flow Yoga"),
            ("org_smile", "org_agency", "Brightsmile Dental"),
        ):
            tx.session.add(Organization(id=org_id, parent_id=parent, name=name, tier="agency"))
        for n, (name, org, status, deployment, arch, cats, days) in enumerate(PLATFORM_APPS):
            slug = name.lower().replace(" ", "-")
            project = Project(
                remote_id=f"app_{n:03d}",
                org_id=org,
                name=name,
                slug=slug,
                description=f"{name} built by Northwind Digital.",
                status=status,
                deployment_status=deployment,
                architecture=arch,
                categories=cats,
                repo_url=None if status == "draft" else f"https://github.com/northwind/{slug}",
                production_url=f"https://{slug}.vercel.app" if deployment == "deployed" else None,
                source="platform",
                created_at=NOW - timedelta(days=days + 40),
                updated_at=NOW - timedelta(days=days),
            )
            tx.session.add(project)
            tx.session.flush()
            ids[name] = project.id
        tx.session.add(
            Deployment(
                id="dpl_1",
                project_id=ids["Online Shop"],
                state="READY",
                url="https://online-shop-abc.vercel.app",
                commit_sha="0a1b2c3d4e5f",
                triggered_by="Sam Operator",
                created_at=NOW - timedelta(days=2, minutes=3),
                ready_at=NOW - timedelta(days=2),
            )
        )
    return ids


@pytest.fixture
def make_page(qtbot: QtBot, qloop: object, env: Env) -> Callable[..., ProjectsPage]:
    def make(**kwargs: Any) -> ProjectsPage:
        page = ProjectsPage(
            env.service, env.bridge, env.tasks, env.messages, open_url=_recorder(env), **kwargs
        )
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        qtbot.waitUntil(lambda: page.is_loaded, timeout=5000)
        return page

    return make


def _recorder(env: Env) -> Callable[[QUrl], bool]:
    def open_url(url: QUrl) -> bool:
        env.opened.append(url)
        return True

    return open_url
