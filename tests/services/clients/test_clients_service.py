"""ClientsService: validation, figures from the store, offline create/edit through the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from console.errors import UserInputError
from console.sandbox.faults import FaultRule
from console.services.clients import (
    CREATE_CLIENT,
    OUTBOX_TARGET,
    UPDATE_CLIENT,
    ClientDraft,
    ClientsService,
    slugify,
    validate_draft,
)
from console.services.sync.outbox import OutboxProcessor
from console.store.models import Organization, OutboxEntry
from tests.views.credits.support import close_clients, initial_sync, remotes


def test_validate_draft_fields() -> None:
    good = ClientDraft("Crumb & Co.", "crumb-and-co", "owner@crumb.test", "#1F6FEB", "")
    assert validate_draft(good) == {}
    bad = ClientDraft(" ", "-Bad_", "x@", "blue", "logo.png")
    assert set(validate_draft(bad)) == {"name", "slug", "contact_email", "brand_color", "logo_url"}
    assert "slug" in validate_draft(good, taken_slugs=frozenset({"crumb-and-co"}))
    assert slugify("Schmidt Sanitär GmbH") == "schmidt-sanitaer-gmbh"
    assert slugify("  Crumb & Co.  ") == "crumb-co"


async def test_clients_service_offline_create_then_delivered(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        queued: list[int] = []
        service = ClientsService(r.store, r.client, on_queued=lambda: queued.append(1))
        outbox = OutboxProcessor(r.store, service.outbox_handlers(), backoff_base=0.0)
        with pytest.raises(UserInputError):
            service.queue_create(ClientDraft("", "x", "bad", "", ""))
        offline = r.platform.faults.add(FaultRule("status", status=503, times=None))
        local_id = service.queue_create(
            ClientDraft("Harbour Dental", "harbour-dental", "hi@harbour.test", "#0f766e", "")
        )
        # An edit before it was ever sent rewrites the queued creation.
        service.queue_update(
            local_id,
            ClientDraft("Harbour Dental Care", "harbour-dental", "hi@harbour.test", "#0f766e", ""),
        )
        assert queued == [1, 1]
        result = await outbox.drain()
        assert result.pending == 1
        assert result.blocked_by is not None
        summaries = {s.id: s for s in service.summaries()}
        assert summaries[local_id].pending
        assert summaries[local_id].name == "Harbour Dental Care"

        offline.times = 0
        r.platform.faults.clear()
        with r.store.write() as tx:
            for entry in tx.session.scalars(select(OutboxEntry)):
                entry.next_attempt_at = None
        result = await outbox.drain()
        assert result.delivered == 1
        child = next(c for c in r.platform.children() if c.slug == "harbour-dental")
        assert child.name == "Harbour Dental Care"
        with r.store.read() as session:
            assert session.get(Organization, local_id) is None
            row = session.get(Organization, child.id)
            assert row is not None
            assert not row.pending
            entries = list(session.scalars(select(OutboxEntry)))
        assert [(e.target, e.kind, e.status) for e in entries] == [
            (OUTBOX_TARGET, CREATE_CLIENT, "done")
        ]

        service.queue_update(
            child.id,
            ClientDraft("Harbour Dental Care", "ignored", "desk@harbour.test", "#115e59", ""),
        )
        await outbox.drain()
        edited = next(c for c in r.platform.children() if c.id == child.id)
        assert edited.contact_email == "desk@harbour.test"
        assert edited.slug == "harbour-dental"
        with r.store.read() as session:
            kinds = [e.kind for e in session.scalars(select(OutboxEntry))]
        assert kinds == [CREATE_CLIENT, UPDATE_CLIENT]
        await close_clients(r)


async def test_clients_service_figures_and_attention(tmp_path: Path) -> None:
    with remotes(tmp_path) as r:
        await initial_sync(r)
        service = ClientsService(r.store, r.client)
        summaries = service.summaries()
        children = r.platform.children()
        assert {s.id for s in summaries} == {c.id for c in children}
        for s in summaries:
            apps = r.platform.builder_apps(s.id)
            assert s.projects == len(apps)
            open_conversations = [
                c for c in r.platform.conversations(org_id=s.id) if c.status != "closed"
            ]
            assert s.open_conversations == len(open_conversations)
        failing = {a.org_id for a in r.platform.builder_apps() if a.deployment_status == "failed"}
        items = service.attention_items()
        assert {i.client_id for i in items if i.kind == "failing_deployment"} == failing
        assert all(i.kind != "low_credits" for i in items)
        detail = service.detail(summaries[0].id)
        assert detail is not None
        assert len(detail.projects) == summaries[0].projects
        assert service.detail("org_missing") is None
        await close_clients(r)
