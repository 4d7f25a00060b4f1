"""The analyzer on the v0 fixtures: which data needs, with which evidence and confidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.services.projects.analyzer import (
    CREATE_THRESHOLD,
    analyze,
    default_needs,
    merge_needs,
)
from console.services.projects.importer import read_export_blocking
from console.services.projects.models import DataNeed, Decision, Detection
from tests.services.projects.conftest import V0


def line_of(fixture: str, path: str, needle: str) -> int:
    for number, line in enumerate((V0 / fixture / path).read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {fixture}/{path}")


def detect(fixture: str) -> dict[str, Detection]:
    return {d.category: d for d in analyze(read_export_blocking(V0 / fixture).texts)}


def has_evidence(d: Detection, path: str, line: int, signal: str) -> bool:
    return any(e.path == path and e.line == line and e.signal == signal for e in d.evidence)


@pytest.mark.parametrize(
    ("fixture", "expected", "absent"),
    [
        ("shop", {"products", "checkout", "forms"}, {"conversations", "tickets", "events"}),
        ("event-site", {"events", "forms"}, {"tickets", "conversations", "products"}),
        ("booking-chat", {"bookings", "conversations", "forms"}, {"products", "invoices"}),
        ("portal", {"invoices", "tickets", "crm", "workflows"}, {"checkout", "events"}),
    ],
)
def test_analyzer_detects_fixture_types(fixture: str, expected: set[str], absent: set[str]) -> None:
    found = detect(fixture)
    assert expected <= set(found)
    assert not absent & set(found)
    for category in expected:
        assert found[category].confidence >= CREATE_THRESHOLD
        assert found[category].evidence


def test_analyzer_shop_evidence_points_at_lines() -> None:
    found = detect("shop")
    grid = "components/product-grid.tsx"
    assert has_evidence(
        found["products"], grid, line_of("shop", grid, "products.map("), "product list"
    )
    assert has_evidence(
        found["products"], grid, line_of("shop", grid, "Add to cart"), "add to cart"
    )
    checkout = "app/checkout/page.tsx"
    assert has_evidence(
        found["checkout"], checkout, line_of("shop", checkout, '"Place order"'), "place order"
    )
    news = "components/newsletter.tsx"
    assert has_evidence(found["forms"], news, line_of("shop", news, "<form"), "form element")


def test_analyzer_conversations_need_two_signals() -> None:
    # The shop's footer says "Chat with us": one weak signal, not a chat UI.
    shop = read_export_blocking(V0 / "shop").texts
    assert "Chat with us" in shop["app/page.tsx"]
    assert "conversations" not in {d.category for d in analyze(shop)}
    assert analyze({"app/page.tsx": "const x = messages.map((m) => m.text)\n"}) == ()

    chat = detect("booking-chat")["conversations"]
    widget = "components/chat-widget.tsx"
    assert len(chat.signals) >= 2
    assert has_evidence(chat, widget, line_of("booking-chat", widget, "ai/react"), "AI SDK chat")
    assert has_evidence(
        chat, widget, line_of("booking-chat", widget, "messages.map("), "message list"
    )
    assert has_evidence(
        chat, widget, line_of("booking-chat", widget, 'role === "user"'), "chat roles"
    )


def test_analyzer_event_tickets_are_not_support_tickets() -> None:
    texts = read_export_blocking(V0 / "event-site").texts
    assert "tickets.map(" in texts["components/ticket-tiers.tsx"]
    assert "tickets" not in {d.category for d in analyze(texts)}
    portal = detect("portal")["tickets"]
    assert "support wording" in portal.signals or "ticket priority" in portal.signals


def test_analyzer_ignores_comments_and_shadcn_library() -> None:
    texts = {
        "app/page.tsx": "// TODO: add invoices.map(...) and an invoice table\nexport default 1\n",
        "components/ui/form.tsx": "<form onSubmit={x}><Input /></form>\n",
    }
    assert analyze(texts) == ()


def test_analyzer_confidence_grows_with_distinct_signals() -> None:
    one = analyze({"a.tsx": "<form>\n"})
    two = analyze({"a.tsx": "<form onSubmit={send}>\n<button type='submit'>\n"})
    assert one[0].category == two[0].category == "forms"
    assert two[0].confidence > one[0].confidence


def test_analyzer_default_and_merged_decisions() -> None:
    detections = analyze(read_export_blocking(V0 / "portal").texts)
    needs = default_needs(detections)
    assert all(n.decision is Decision.CREATE for n in needs if n.detection.confidence >= 0.55)
    assert not any(n.confirmed for n in needs)
    confirmed = tuple(
        DataNeed(n.detection, Decision.SKIP, confirmed=True) if n.category == "crm" else n
        for n in needs
    )
    merged = merge_needs(detections, confirmed)
    crm = next(n for n in merged if n.category == "crm")
    assert crm.decision is Decision.SKIP
    assert crm.confirmed
    invoices = next(n for n in merged if n.category == "invoices")
    assert invoices.decision is Decision.CREATE
    assert not invoices.confirmed


def test_analyzer_template_needs_forms(tmp_path: Path) -> None:
    from console.services.projects.service import _template_files

    files = _template_files("landing-contact", "Crumb & Co.", "Bakery")
    assert {d.category for d in analyze(files.texts)} == {"forms"}
