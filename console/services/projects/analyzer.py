"""Which of the 10 ontology types a v0 project needs, from its React/TS source.

Heuristics, like the platform's own analyzer: each category has named
signals (a regular expression over the source without comments, and a
weight). A category's confidence combines the distinct signals that fired,
``1 - prod(1 - weight)``, so many weak hints or one strong one both count and
a signal seen in ten files counts once. Some categories need a specific kind
of signal (support tickets need support wording or priorities, not just the
word "tickets", which event sites use) and conversations need two distinct
signals. Every detection carries its evidence: file, line, signal.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from console.services.projects.jsscan import Source
from console.services.projects.models import (
    CATEGORY_IDS,
    CategoryId,
    DataNeed,
    Decision,
    Detection,
    Evidence,
)

logger = logging.getLogger(__name__)

#: Below this a detection is not reported at all.
REPORT_THRESHOLD = 0.3
#: From this on the default decision is "Create"; the user confirms either way.
CREATE_THRESHOLD = 0.55
EVIDENCE_PER_SIGNAL = 3
SOURCE_SUFFIXES = (".tsx", ".jsx", ".ts", ".js", ".mjs")
#: Library code that says nothing about the app's data (shadcn/ui, helpers).
EXCLUDED_PREFIXES = ("components/ui/", "src/components/ui/", "node_modules/")
EXCLUDED_FILES = frozenset(
    {"lib/utils.ts", "hooks/use-toast.ts", "hooks/use-mobile.tsx", "hooks/use-mobile.ts"}
)


@dataclass(frozen=True)
class Signal:
    name: str
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class CategoryRule:
    """How one category is detected.

    Attributes:
        signals: the hints, each counted once however often it fires.
        min_signals: distinct signals needed before the category is reported.
        requires_any: if set, one of these signals must be among those fired.
    """

    category: CategoryId
    signals: tuple[Signal, ...]
    min_signals: int = 1
    requires_any: frozenset[str] = frozenset()


def _s(name: str, pattern: str, weight: float) -> Signal:
    return Signal(name, re.compile(pattern, re.I), weight)


RULES: tuple[CategoryRule, ...] = (
    CategoryRule(
        "forms",
        (
            _s("form element", r"<form\b", 0.45),
            _s("submit handler", r"\bonSubmit\s*=|\bhandleSubmit\s*\(", 0.35),
            _s("react-hook-form", r"\buseForm\s*[<(]", 0.45),
            _s("schema validation", r"\bzodResolver\b|\bz\.object\s*\(", 0.2),
            _s("input fields", r"<(?:Input|Textarea|input|textarea)\b", 0.15),
            _s("submit button", r"type\s*=\s*[\"']submit[\"']", 0.25),
            _s(
                "signup wording",
                r"\b(?:newsletter|subscribe|contact us|get in touch|sign up)\b",
                0.15,
            ),
        ),
    ),
    CategoryRule(
        "products",
        (
            _s("product list", r"\bproducts?\s*\.\s*(?:map|filter|slice)\s*\(", 0.5),
            _s(
                "product component",
                r"\bProduct(?:Card|Grid|List|Tile|Gallery|Item)s?\b",
                0.45,
            ),
            _s("price field", r"\.price\b|\bprice\s*:", 0.25),
            _s("add to cart", r"add\s*to\s*(?:cart|bag|basket)|\baddToCart\b", 0.4),
            _s("catalog wording", r"\b(?:catalog(?:ue)?|collections?|in stock|sku)\b", 0.1),
        ),
    ),
    CategoryRule(
        "events",
        (
            _s("event list", r"\bevents?\s*\.\s*(?:map|filter|slice)\s*\(", 0.5),
            _s(
                "event component",
                r"\bEvent(?:Card|List|Grid|Details?|Schedule|Item)s?\b",
                0.45,
            ),
            _s("venue or lineup", r"\b(?:venue|line-?up|speakers?|agenda|headliners?)\b", 0.25),
            _s(
                "RSVP or registration",
                r"\bRSVP\b|\bregister (?:now|for)\b|\b(?:get|buy) tickets\b",
                0.35,
            ),
            _s("event date", r"\.(?:startDate|startsAt|start_time|eventDate)\b", 0.2),
        ),
    ),
    CategoryRule(
        "crm",
        (
            _s(
                "contact list",
                r"\b(?:contacts|customers|clients|leads|members)\s*\.\s*(?:map|filter)\s*\(",
                0.5,
            ),
            _s(
                "contact component",
                r"\b(?:Contact|Customer|Client|Lead)(?:Card|List|Table|Row|Directory)\b",
                0.45,
            ),
            _s("contact fields", r"\.(?:email|phone|company)\b", 0.2),
            _s("CRM wording", r"\b(?:crm|address book|contact directory)\b", 0.25),
        ),
    ),
    CategoryRule(
        "invoices",
        (
            _s("invoice list", r"\binvoices?\s*\.\s*(?:map|filter)\s*\(", 0.5),
            _s("invoice wording", r"\binvoices?\b", 0.3),
            _s(
                "amount due",
                r"amount\s*due|\bamountDue\b|balance\s*due|due\s*date|\bdueDate\b",
                0.35,
            ),
            _s("line items", r"line\s*items|\blineItems\b", 0.25),
            _s("payment status", r"\b(?:unpaid|overdue)\b", 0.15),
        ),
    ),
    CategoryRule(
        "tickets",
        (
            _s(
                "support wording",
                r"\bsupport (?:ticket|request)s?\b|\bhelp ?desk\b"
                r"|\b(?:submit|open|new) (?:a )?ticket\b",
                0.45,
            ),
            _s("ticket priority", r"\bpriority\b", 0.3),
            _s("ticket list", r"\btickets\s*\.\s*(?:map|filter)\s*\(", 0.3),
            _s("ticket status", r"[\"'](?:open|in[_ -]progress|resolved)[\"']", 0.2),
            _s(
                "ticket component",
                r"\b(?:Support)?Ticket(?:Card|List|Table|Row|Form|Detail)\b",
                0.3,
            ),
        ),
        requires_any=frozenset({"support wording", "ticket priority"}),
    ),
    CategoryRule(
        "bookings",
        (
            _s(
                "booking wording",
                r"\bbook(?:ing|ings)?\s+(?:now|a|an|your)\b|\bbookings?\b|\breservations?\b|\bappointments?\b",
                0.3,
            ),
            _s("calendar picker", r"<Calendar\b|react-day-picker|\bDayPicker\b", 0.35),
            _s(
                "time slots",
                r"time\s*slots?|\btimeSlots\b|\bavailableSlots\b|\bavailability\b",
                0.4,
            ),
            _s("selected date or time", r"\bselected(?:Date|Time|Slot)\b", 0.3),
        ),
    ),
    CategoryRule(
        "workflows",
        (
            _s("workflow wording", r"\bworkflows?\b", 0.4),
            _s("approval steps", r"\b(?:approve|approval|approved|reject(?:ed)?)\b", 0.3),
            _s("pipeline or kanban", r"\b(?:kanban|pipeline|stages?)\b", 0.25),
            _s("automation", r"\b(?:automations?|triggers?)\b", 0.25),
        ),
    ),
    CategoryRule(
        "checkout",
        (
            _s("checkout wording", r"\bcheck ?out\b", 0.4),
            _s("cart state", r"\b(?:cartItems|useCart|cart|basket)\b", 0.3),
            _s("order totals", r"\b(?:subtotal|order total|grand total)\b", 0.3),
            _s(
                "payment",
                r"\bloadStripe\b|@stripe/|card ?number|\bpayment method\b|\bPaymentElement\b",
                0.4,
            ),
            _s(
                "place order",
                r"place (?:your )?order|\bpay now\b|complete (?:purchase|order)"
                r"|proceed to (?:checkout|payment)",
                0.4,
            ),
        ),
        min_signals=2,
    ),
    CategoryRule(
        "conversations",
        (
            _s("message list", r"\bmessages\s*\.\s*map\s*\(", 0.4),
            _s(
                "chat roles",
                r"\brole\s*(?:===?|:)\s*[\"'](?:user|assistant|agent|bot)[\"']",
                0.4,
            ),
            _s(
                "chat component",
                r"\b(?:Chat|Message|Conversation)(?:Window|Widget|Panel|Bubble|List|Input|Box|Thread)\b",
                0.35,
            ),
            _s("AI SDK chat", r"\buseChat\s*\(|[\"']ai/react[\"']|@ai-sdk/", 0.5),
            _s(
                "message input",
                r"type (?:a|your) message|\bsendMessage\b|write a message|ask (?:me )?anything",
                0.3,
            ),
            _s("chat wording", r"\b(?:live chat|chat|chatbot|conversation)\b", 0.15),
            _s("enter to send", r"\bkey\s*===?\s*[\"']Enter[\"']", 0.15),
        ),
        min_signals=2,
    ),
)

# Every API category has exactly one rule.
assert sorted(rule.category for rule in RULES) == sorted(CATEGORY_IDS)


def is_analyzed(path: str) -> bool:
    if not path.endswith(SOURCE_SUFFIXES) or path in EXCLUDED_FILES:
        return False
    if path.startswith(EXCLUDED_PREFIXES):
        return False
    leaf = path.rsplit("/", 1)[-1]
    return ".config." not in leaf and not leaf.endswith(".d.ts")


def analyze(texts: Mapping[str, str]) -> tuple[Detection, ...]:
    """Detect the ontology types in a project's text files, most confident first."""
    sources = [Source(path, text) for path, text in sorted(texts.items()) if is_analyzed(path)]
    detections = []
    for rule in RULES:
        detection = _detect(rule, sources)
        if detection is not None:
            detections.append(detection)
    detections.sort(key=lambda d: (-d.confidence, CATEGORY_IDS.index(d.category)))
    logger.info(
        "analyzed %d files: %s",
        len(sources),
        ", ".join(f"{d.category} {d.confidence:.2f}" for d in detections) or "nothing",
    )
    return tuple(detections)


def default_needs(detections: tuple[Detection, ...]) -> tuple[DataNeed, ...]:
    """Unconfirmed decisions: Create for confident detections, Skip for the rest."""
    return tuple(
        DataNeed(d, Decision.CREATE if d.confidence >= CREATE_THRESHOLD else Decision.SKIP)
        for d in detections
    )


def merge_needs(
    detections: tuple[Detection, ...], previous: tuple[DataNeed, ...]
) -> tuple[DataNeed, ...]:
    """New detections, keeping the user's confirmed decisions for categories seen before."""
    before = {need.category: need for need in previous if need.confirmed}
    merged = []
    for need in default_needs(detections):
        old = before.get(need.category)
        if old is not None:
            merged.append(DataNeed(need.detection, old.decision, old.link_id, confirmed=True))
        else:
            merged.append(need)
    return tuple(merged)


def _detect(rule: CategoryRule, sources: list[Source]) -> Detection | None:
    hits: dict[str, list[Evidence]] = {}
    for source in sources:
        text = source.uncommented
        for signal in rule.signals:
            found = hits.get(signal.name)
            if found is not None and len(found) >= EVIDENCE_PER_SIGNAL:
                continue
            for match in signal.pattern.finditer(text):
                line = source.line_of(match.start())
                excerpt = source.lines[line - 1].strip()[:160]
                evidence = hits.setdefault(signal.name, [])
                if any(e.path == source.path and e.line == line for e in evidence):
                    continue
                evidence.append(Evidence(source.path, line, signal.name, excerpt))
                if len(evidence) >= EVIDENCE_PER_SIGNAL:
                    break
    if len(hits) < rule.min_signals:
        return None
    if rule.requires_any and not rule.requires_any & hits.keys():
        return None
    miss = 1.0
    for signal in rule.signals:
        if signal.name in hits:
            miss *= 1.0 - signal.weight
    confidence = round(1.0 - miss, 3)
    if confidence < REPORT_THRESHOLD:
        return None
    weights = {s.name: s.weight for s in rule.signals}
    names = sorted(hits, key=lambda name: -weights[name])
    collected = tuple(e for name in names for e in hits[name])
    return Detection(rule.category, confidence, tuple(names), collected)
