"""The analyzer on the v0 fixtures and on small sources: which data needs, with which evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.services.projects.analyzer import (
    CREATE_THRESHOLD,
    REPORT_THRESHOLD,
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


def found(texts: dict[str, str]) -> dict[str, Detection]:
    return {d.category: d for d in analyze(texts)}


def created(texts: dict[str, str]) -> set[str]:
    return {d.category for d in analyze(texts) if d.confidence >= CREATE_THRESHOLD}


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
    detections = detect(fixture)
    assert expected <= set(detections)
    assert not absent & set(detections)
    for category in expected:
        assert detections[category].confidence >= CREATE_THRESHOLD
        assert detections[category].evidence


def test_analyzer_shop_evidence_points_at_lines() -> None:
    detections = detect("shop")
    grid = "components/product-grid.tsx"
    assert has_evidence(
        detections["products"], grid, line_of("shop", grid, "products.map("), "product list"
    )
    assert has_evidence(
        detections["products"], grid, line_of("shop", grid, "Add to cart"), "add to cart"
    )
    checkout = "app/checkout/page.tsx"
    assert has_evidence(
        detections["checkout"], checkout, line_of("shop", checkout, '"Place order"'), "place order"
    )
    news = "components/newsletter.tsx"
    assert has_evidence(detections["forms"], news, line_of("shop", news, "<form"), "data form")
    evidence = next(e for e in detections["forms"].evidence if e.signal == "data form")
    assert evidence.excerpt.startswith("<form")


def test_analyzer_conversations_need_more_than_a_mention() -> None:
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
        chat, widget, line_of("booking-chat", widget, "messages.map("), "chat thread"
    )
    assert has_evidence(
        chat, widget, line_of("booking-chat", widget, 'role === "user"'), "chat roles"
    )


def test_analyzer_event_tickets_are_not_support_tickets() -> None:
    texts = read_export_blocking(V0 / "event-site").texts
    assert "tickets.map(" in texts["components/ticket-tiers.tsx"]
    assert "tickets" not in {d.category for d in analyze(texts)}
    portal = detect("portal")["tickets"]
    assert "ticket list" in portal.signals
    assert "support wording" in portal.signals or "ticket priority" in portal.signals


def test_analyzer_ignores_comments_and_shadcn_library() -> None:
    texts = {
        "app/page.tsx": "// TODO: add invoices.map(...) and an invoice table\nexport default 1\n",
        "components/ui/form.tsx": "<form onSubmit={x}><Input /></form>\n",
        "src/components/ui/calendar.tsx": "const slots = timeSlots.map((s) => s)\n",
    }
    assert analyze(texts) == ()


def test_analyzer_confidence_grows_with_distinct_signals() -> None:
    one = analyze({"a.tsx": '<form>\n<input name="email" />\n</form>\n'})
    two = analyze(
        {"a.tsx": "<form onSubmit={send}>\n<input name='email' />\n<button type='submit'>\n</form>"}
    )
    assert one[0].category == two[0].category == "forms"
    assert two[0].confidence > one[0].confidence


@pytest.mark.parametrize(
    "prose",
    [
        "<p>Team plans get priority support.</p>",
        "<p>Every change needs approval from the client.</p>",
        "<h2>On our agenda this year</h2>",
        "<p>Twelve projects in the pipeline.</p>",
        "<p>Open a ticket and we reply the same day.</p>",
        "<p>Nächste Termine: Mai und Juni</p>",
        "<p>Now taking bookings for 2026, just email me.</p>",
        "<p>Invoices are emailed monthly.</p>",
        "<pre>- uses: actions/checkout@v4</pre>",
        "<p>We are a small events agency.</p>",
    ],
)
def test_analyzer_no_type_from_a_single_word(prose: str) -> None:
    assert (
        analyze({"app/page.tsx": f"export default function Page() {{\n  return {prose}\n}}\n"})
        == ()
    )


def test_analyzer_weak_words_together_are_not_enough_for_workflows_or_tickets() -> None:
    # A CI vendor's landing page: workflows, approvals, a pipeline, priority support.
    page = (
        "export default function Page() {\n"
        "  return <main>\n"
        "    <h1>Your pipeline, faster. Keep your GitHub Actions workflows.</h1>\n"
        "    <p>Approval steps keep working. Team plans include priority support:</p>\n"
        "    <p>open a ticket from the dashboard.</p>\n"
        "  </main>\n"
        "}\n"
    )
    assert analyze({"app/page.tsx": page}) == ()


def test_analyzer_words_alone_are_reported_but_not_created() -> None:
    # An invoice-ish page without any invoice data structure: the user decides.
    page = (
        "<p>Upload your invoice. Amount due and due date are read automatically,</p>\n"
        "<p>line items too; overdue ones are flagged.</p>\n"
    )
    invoices = found({"app/page.tsx": page})["invoices"]
    assert REPORT_THRESHOLD <= invoices.confidence < CREATE_THRESHOLD
    assert default_needs((invoices,))[0].decision is Decision.SKIP


def test_analyzer_controlled_inputs_without_form_are_a_form() -> None:
    widget = (
        '"use client"\n'
        'import { useState } from "react"\n'
        "export function Reservierung() {\n"
        '  const [name, setName] = useState("")\n'
        '  const [email, setEmail] = useState("")\n'
        "  const senden = async () => {\n"
        "    const body = JSON.stringify({ name, email })\n"
        '    await fetch("/api/anfragen", { method: "POST", body })\n'
        "  }\n"
        "  return (\n"
        "    <div>\n"
        "      <Input value={name} onChange={(e) => setName(e.target.value)} />\n"
        "      <Input\n"
        '        type="email"\n'
        "        value={email}\n"
        "        onChange={(e) => setEmail(e.target.value)}\n"
        "      />\n"
        "      <Button onClick={senden}>Absenden</Button>\n"
        "    </div>\n"
        "  )\n"
        "}\n"
    )
    forms = found({"components/anfrage.tsx": widget})["forms"]
    assert forms.confidence >= CREATE_THRESHOLD
    assert "controlled form" in forms.signals
    first_input = widget.splitlines().index(
        "      <Input value={name} onChange={(e) => setName(e.target.value)} />"
    )
    assert has_evidence(forms, "components/anfrage.tsx", first_input + 1, "controlled form")
    # One controlled input that sends nothing is a filter, not a form.
    search = (
        '<Input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search" />\n'
    )
    assert analyze({"components/filter.tsx": search}) == ()


@pytest.mark.parametrize(
    ("kind", "form"),
    [
        (
            "chat composer",
            "<form onSubmit={handleSubmit}>\n<Input value={input} onChange={handleInputChange} />\n"
            '<Button type="submit">Send</Button>\n</form>\n',
        ),
        (
            "login",
            '<form onSubmit={login}>\n<Input type="email" name="email" />\n'
            '<Input type="password" name="password" />\n<Button type="submit">Sign in</Button>\n'
            "</form>\n",
        ),
        ("search", '<form>\n<Input name="q" placeholder="Search contacts" />\n</form>\n'),
        (
            "sign out",
            '<form action="/auth/signout" method="post">\n<Button>Sign out</Button>\n</form>\n',
        ),
    ],
)
def test_analyzer_forms_that_collect_no_data(kind: str, form: str) -> None:
    assert "forms" not in found({"app/page.tsx": form}), kind


def test_analyzer_contact_form_is_contact_capture() -> None:
    contact = (
        "<form onSubmit={send}>\n"
        '  <Input name="name" placeholder="Your name" />\n'
        '  <Input name="email" type="email" />\n'
        '  <Input name="telefon" type="tel" />\n'
        '  <Textarea name="nachricht" placeholder="Ihre Anfrage" />\n'
        '  <Button type="submit">Anfrage senden</Button>\n'
        "</form>\n"
    )
    assert created({"components/kontakt.tsx": contact}) == {"forms", "crm"}
    newsletter = '<form action={subscribe}>\n<Input name="email" type="email" />\n</form>\n'
    assert created({"components/newsletter.tsx": newsletter}) == {"forms"}
    # The same person fields in a booking form belong to the booking.
    booking = contact.replace("<form onSubmit={send}>\n", "<form onSubmit={book}>\n<Calendar />\n")
    assert "crm" not in found({"components/booking.tsx": booking})


def test_analyzer_kanban_pipeline_is_a_workflow() -> None:
    board = (
        '"use client"\n'
        "const stages = [\n"
        '  { id: "lead", title: "Lead" },\n'
        '  { id: "won", title: "Won" },\n'
        "]\n"
        "export function Board() {\n"
        "  const [items, setItems] = useState(initialItems)\n"
        "  const [dragged, setDragged] = useState<string | null>(null)\n"
        "  return stages.map((stage) => (\n"
        "    <div key={stage.id} onDragOver={(e) => e.preventDefault()}\n"
        "      onDrop={() => setItems((all) => all.map((i) => (\n"
        "        i.id === dragged ? { ...i, stage: stage.id } : i\n"
        "      )))}>\n"
        "      {items.filter((i) => i.stage === stage.id).map((i) => (\n"
        "        <div key={i.id} draggable onDragStart={() => setDragged(i.id)}>{i.title}</div>\n"
        "      ))}\n"
        "    </div>\n"
        "  ))\n"
        "}\n"
    )
    workflows = found({"components/board.tsx": board})["workflows"]
    assert workflows.confidence >= CREATE_THRESHOLD
    assert {"board columns", "drag between columns"} <= set(workflows.signals)


def test_analyzer_reservations_with_time_slots_are_bookings() -> None:
    page = (
        'const zeitfenster = ["18:00", "18:30", "19:00"]\n'
        "export default function Reservierung() {\n"
        "  return zeitfenster.map((zeit) => <button key={zeit}>{zeit}</button>)\n"
        "}\n"
    )
    assert created({"app/page.tsx": page}) == {"bookings"}
    horarios = (
        "const { horarios } = await fetch(`/api/horarios?data=${dia}`).then((r) => r.json())\n"
        "export const Lista = () => horarios.map((h) => <span key={h}>{h}</span>)\n"
    )
    assert "bookings" in created({"components/agenda.tsx": horarios})


def test_analyzer_pix_and_card_payments_are_checkout() -> None:
    pix = (
        "<p>Escaneie o QR Code ou use o PIX copia e cola:</p>\n"
        "<Input readOnly value={cobranca.copiaECola} />\n"
    )
    assert created({"app/checkout/page.tsx": pix}) == {"checkout"}
    card = '<Input name="cardNumber" placeholder="Card number" />\n<Input name="cvc" />\n'
    assert "checkout" in created({"app/pay/page.tsx": card})


def test_analyzer_german_and_portuguese_lists() -> None:
    texts = {
        "app/rechnungen/page.tsx": "export const Liste = () => rechnungen.map((r) => <R r={r} />)",
        "app/produtos/page.tsx": "export const Vitrine = () => produtos.map((p) => <P p={p} />)",
        "lib/db.ts": 'export const kunden = () => supabase.from("kunden").select("*")\n',
    }
    assert created(texts) == {"invoices", "products", "crm"}


def test_analyzer_ticket_list_needs_support_context() -> None:
    tiers = "export const Tiers = () => tickets.map((t) => <div key={t.id}>{t.price}</div>)\n"
    assert "tickets" not in found({"components/tiers.tsx": tiers})
    queue = tiers.replace("{t.price}", "{t.priority}")
    assert "tickets" in created({"components/queue.tsx": queue})


def test_analyzer_thresholds() -> None:
    assert 0 < REPORT_THRESHOLD < CREATE_THRESHOLD < 1
    for detection in detect("portal").values():
        assert detection.confidence >= REPORT_THRESHOLD


def test_analyzer_default_and_merged_decisions() -> None:
    detections = analyze(read_export_blocking(V0 / "portal").texts)
    needs = default_needs(detections)
    for need in needs:
        expected = (
            Decision.CREATE if need.detection.confidence >= CREATE_THRESHOLD else Decision.SKIP
        )
        assert need.decision is expected
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


def test_analyzer_template_contact_form_needs_forms_and_contacts(tmp_path: Path) -> None:
    from console.services.projects.service import _template_files

    files = _template_files("landing-contact", "Crumb & Co.", "Bakery")
    assert {d.category for d in analyze(files.texts)} == {"forms", "crm"}
    assert analyze(_template_files("nextjs-blank", "Crumb & Co.", "Bakery").texts) == ()
