"""ProjectService offline: import, template, edit, decisions, patches, working folder, delete."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from console.changes import ChangeSet
from console.errors import UserInputError
from console.services.projects import KIND_CREATE, KIND_UPDATE, ProjectService, target_for
from console.services.projects.models import (
    DataNeed,
    Decision,
    ProjectEdit,
    ProjectState,
    SyncState,
)
from console.store.db import Store
from console.store.models import Organization, OutboxEntry, Project, PublishConfig
from tests.services.projects.conftest import V0, snapshot


def _outbox(store: Store) -> list[OutboxEntry]:
    with store.read() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def _config(store: Store, project_id: int) -> dict[str, object]:
    with store.read() as session:
        row = session.get(PublishConfig, project_id)
        assert row is not None
        return dict(row.config)


async def test_service_import_creates_local_draft_with_outbox_create(
    service: ProjectService, store: Store, changes: list[ChangeSet]
) -> None:
    with store.write() as tx:
        tx.session.add(Organization(id="org_crumb", parent_id="org_agency", name="Crumb & Co."))
        tx.session.add(Organization(id="org_agency", parent_id=None, name="Northwind Digital"))
    changes.clear()

    project_id = await service.import_export(
        V0 / "shop", name="Crumb & Co. shop", org_id="org_crumb"
    )

    assert len(changes) == 1  # one transaction
    assert {"projects", "project_files", "blobs", "publish_configs", "outbox"} <= set(
        changes[0].tables
    )
    (row,) = await service.list_rows()
    assert (row.id, row.name, row.slug, row.client_name) == (
        project_id,
        "Crumb & Co. shop",
        "crumb-co-shop",
        "Crumb & Co.",
    )
    assert row.state is ProjectState.DRAFT
    assert row.is_local_draft
    assert row.source == "v0"
    assert row.categories == ("products", "forms", "checkout")
    (entry,) = _outbox(store)
    assert (entry.target, entry.kind, entry.status) == (
        target_for(project_id),
        KIND_CREATE,
        "pending",
    )
    assert entry.payload == {
        "project_id": project_id,
        "org_id": "org_crumb",
        "name": "Crumb & Co. shop",
        "description": "",
        "architecture": "thin_client",
        "categories": ["products", "forms", "checkout"],
    }
    detail = await service.detail(project_id)
    assert detail.sync_state is SyncState.LOCAL
    assert detail.queued_changes == 1
    origins = {f.path: f.origin for f in detail.files}
    assert origins["app/layout.tsx"] == "patch"  # fonts from the geist package
    assert origins["app/globals.css"] == "v0"  # Tailwind 4 kept as the export has it
    assert origins["lib/products.ts"] == "v0"
    assert origins["components/ui/sheet.tsx"] == "patch"  # stubbed
    assert "package-lock.json" not in origins  # Vercel installs from pnpm-lock.yaml
    assert [n.category for n in detail.data_needs] == ["products", "checkout", "forms"]
    assert {e.name for e in detail.publish.env} == {"STRIPE_SECRET_KEY", "NEXT_PUBLIC_SITE_URL"}


async def test_service_template_project(service: ProjectService, store: Store) -> None:
    project_id = await service.create_from_template(
        "landing-contact", name='Spring "menu" <launch>', description="Seasonal menu"
    )
    content = await service.read_file(project_id, "app/page.tsx")
    assert content.text is not None
    assert "Spring menu launch" in content.text
    pkg = await service.read_file(project_id, "package.json")
    assert pkg.text is not None
    assert '"name": "spring-menu-launch"' in pkg.text
    detail = await service.detail(project_id)
    assert detail.row.source == "template"
    assert all(f.origin == "template" for f in detail.files)  # already builds offline
    assert [n.category for n in detail.data_needs] == ["forms", "crm"]  # a contact form
    with pytest.raises(UserInputError, match="no template"):
        await service.create_from_template("wordpress", name="x")
    with pytest.raises(UserInputError, match="needs a name"):
        await service.create_from_template("nextjs-blank", name="   ")


async def test_service_offline_edits_queue_updates(service: ProjectService, store: Store) -> None:
    project_id = await service.import_export(V0 / "portal", name="Client portal")
    await service.update_project(
        project_id, ProjectEdit(name="Northwind client portal", architecture="hybrid")
    )
    await service.update_project(project_id, ProjectEdit(name="Northwind client portal"))  # no-op

    entries = _outbox(store)
    assert [e.kind for e in entries] == [KIND_CREATE, KIND_UPDATE]
    assert entries[1].payload["changes"] == {
        "name": "Northwind client portal",
        "architecture": "hybrid",
    }
    (row,) = await service.list_rows()
    assert (row.name, row.slug, row.architecture) == (
        "Northwind client portal",
        "northwind-client-portal",
        "hybrid",
    )
    with pytest.raises(UserInputError, match="needs a name"):
        await service.update_project(project_id, ProjectEdit(name=""))


async def test_service_decisions_feed_categories(service: ProjectService, store: Store) -> None:
    project_id = await service.import_export(V0 / "portal", name="Portal")
    needs = (await service.detail(project_id)).data_needs
    decided = []
    for need in needs:
        if need.category == "crm":
            decided.append(DataNeed(need.detection, Decision.LINK, link_id="crm_list_42"))
        elif need.category == "forms":
            decided.append(DataNeed(need.detection, Decision.SKIP))
        else:
            decided.append(need)
    with pytest.raises(UserInputError, match="enter the id"):
        await service.save_data_needs(
            project_id, [DataNeed(needs[0].detection, Decision.LINK, link_id=" ")]
        )

    await service.save_data_needs(project_id, decided)

    detail = await service.detail(project_id)
    assert detail.row.categories == ("crm", "invoices", "tickets", "workflows")
    assert _config(store, project_id)["categories"] == ["crm", "invoices", "tickets", "workflows"]
    assert all(n.confirmed for n in detail.data_needs)
    assert [(n.detection.label, n.link_id) for n in detail.linked_records] == [
        ("Contacts (CRM)", "crm_list_42")
    ]
    assert _outbox(store)[-1].payload["changes"] == {
        "categories": ["crm", "invoices", "tickets", "workflows"]
    }
    again = await service.analyze(project_id)  # re-analysis keeps the decisions
    assert next(n for n in again if n.category == "forms").decision is Decision.SKIP


async def test_service_rules_off_and_on(service: ProjectService) -> None:
    project_id = await service.import_export(V0 / "shop", name="Shop")
    original = (V0 / "shop" / "app" / "layout.tsx").read_text()

    report = await service.apply_compat(project_id, {"env-checks", "next-font-google"})

    layout = await service.read_file(project_id, "app/layout.tsx")
    assert (layout.text, layout.origin) == (original, "v0")
    stripe = await service.read_file(project_id, "lib/stripe.ts")
    assert stripe.text is not None
    assert "NEXT_PHASE" not in stripe.text
    off = report.rule("next-font-google")
    assert not off.enabled
    assert any("next/font/google" in d.diff for d in off.diffs)  # what turning it on does
    # With the rule off, what it would fix is what breaks the build.
    assert [f.severity for f in off.findings] == ["blocker"]
    assert "Google Fonts" in off.findings[0].message
    assert {f.severity for f in report.rule("env-checks").findings} == {"blocker"}
    assert (await service.compat_report(project_id)).disabled == {
        "env-checks",
        "next-font-google",
    }
    detail = await service.detail(project_id)
    assert {f.rule for f in detail.findings if f.severity == "blocker"} >= {
        "env-checks",
        "next-font-google",
    }

    await service.apply_compat(project_id, set())
    layout = await service.read_file(project_id, "app/layout.tsx")
    assert layout.origin == "patch"
    assert layout.text is not None
    assert "next/font/google" not in layout.text
    detail = await service.detail(project_id)
    assert not [f for f in detail.findings if f.severity == "blocker"]


async def test_service_working_folder_round_trip(service: ProjectService, store: Store) -> None:
    project_id = await service.import_export(V0 / "event-site", name="Harbour Jazz")
    folder = await service.open_workdir(project_id)
    assert (folder / "app" / "page.tsx").is_file()
    assert (folder / "public").exists() is False or True
    before = snapshot(store)

    page = folder / "app" / "page.tsx"
    page.write_text(page.read_text().replace("Harbour Jazz Festival", "Harbour Jazz Fest"))
    future = time.time() + 5
    os.utime(page, (future, future))
    (folder / "app" / "tickets" / "page.tsx").parent.mkdir()
    (folder / "app" / "tickets" / "page.tsx").write_text(
        "export default function T() { return null }\n"
    )
    (folder / "lib" / "events.ts").unlink()
    (folder / "lib" / "bad.ts").write_bytes(b"const caf\xe9 = 1\n")

    result = await service.pick_up_changes(project_id)

    assert result.changed == ("app/page.tsx",)
    assert result.added == ("app/tickets/page.tsx",)
    assert result.deleted == ("lib/events.ts",)
    assert result.rejected
    assert "lib/bad.ts is not valid UTF-8" in result.rejected[0]
    edited = await service.read_file(project_id, "app/page.tsx")
    assert edited.origin == "user"
    assert edited.text is not None
    assert "Jazz Fest<" in edited.text
    assert snapshot(store).outbox == before.outbox  # files do not go through the outbox
    assert not await service.pick_up_changes(project_id)  # nothing new the second time

    # A patched file edited by the user becomes the new base: re-applying keeps the edit.
    layout = folder / "app" / "layout.tsx"
    layout.write_text(layout.read_text() + "\n// tweaked\n")
    await service.apply_compat(project_id, set())
    assert (await service.read_file(project_id, "app/layout.tsx")).text.endswith("// tweaked\n")  # type: ignore[union-attr]


async def test_service_delete_draft(service: ProjectService, store: Store, tmp_path: Path) -> None:
    project_id = await service.import_export(V0 / "booking-chat", name="Studio")
    folder = await service.open_workdir(project_id)
    keep = await service.import_export(V0 / "shop", name="Shop")
    await service.update_project(project_id, ProjectEdit(description="Pilates"))

    await service.delete_draft(project_id)

    assert [r.id for r in await service.list_rows()] == [keep]
    assert [e.target for e in _outbox(store)] == [target_for(keep)]
    assert not folder.exists()
    with pytest.raises(UserInputError, match="no longer exists"):
        await service.detail(project_id)


async def test_service_platform_projects_cannot_be_deleted(
    service: ProjectService, store: Store
) -> None:
    with store.write() as tx:
        project = Project(remote_id="app_1", name="Live site", status="deployed")
        tx.session.add(project)
        tx.session.flush()
        project_id = project.id
    with pytest.raises(UserInputError, match="only local drafts"):
        await service.delete_draft(project_id)
    with pytest.raises(UserInputError, match="cannot move to another client"):
        await service.update_project(project_id, ProjectEdit(org_id="org_other"))


async def test_service_tells_the_sync_engine_when_it_queued(store: Store, tmp_path: Path) -> None:
    nudged: list[str] = []
    service = ProjectService(
        store, workspace_root=tmp_path / "ws", on_queued=lambda: nudged.append("queued")
    )
    project_id = await service.import_export(V0 / "shop", name="Shop")
    assert nudged == ["queued"]
    await service.update_project(project_id, ProjectEdit(name="Shop"))  # nothing changed
    assert nudged == ["queued"]
    await service.update_project(project_id, ProjectEdit(name="Crumb shop"))
    assert len(nudged) == 2
    needs = (await service.detail(project_id)).data_needs
    await service.save_data_needs(project_id, needs)  # same categories: nothing to send
    assert len(nudged) == 2
    await service.save_data_needs(project_id, [replace(n, decision=Decision.SKIP) for n in needs])
    assert len(nudged) == 3
