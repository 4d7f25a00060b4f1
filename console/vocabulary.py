"""The platform's shared vocabulary: API categories, app architectures, webhook events.

The one definition of each (`console/contracts/platform.yaml` names them):
the platform client, the projects service, the publish configuration, the
scaffold generator and the platform sandbox all take them from here. The
StrEnums are the source; the tuples of wire strings are derived from them.

The `Literal` forms (`CategoryId`, `ArchitectureName`, `WebhookEventName`)
type the code that handles the plain wire strings (the platform client, the
projects service). A `Literal` cannot be computed from an enum, so each is
written once, next to its enum, and tests/test_vocabulary.py fails unless it
names exactly the enum's values in the same order: adding a category is an
edit to this file only, and the test says if half of it is missing.

No Qt, no I/O, no console imports: every layer may import this module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, cast


class Category(StrEnum):
    """The 10 platform API categories, in the platform's canonical order."""

    PRODUCTS = "products"
    EVENTS = "events"
    CRM = "crm"
    FORMS = "forms"
    INVOICES = "invoices"
    TICKETS = "tickets"
    BOOKINGS = "bookings"
    WORKFLOWS = "workflows"
    CHECKOUT = "checkout"
    CONVERSATIONS = "conversations"


class Architecture(StrEnum):
    """How a generated app holds its data (a builder app's `architecture`)."""

    THIN_CLIENT = "thin_client"
    FULL_STACK = "full_stack"
    HYBRID = "hybrid"


class WebhookEvent(StrEnum):
    """The events a webhook can subscribe to, in the contract's order."""

    FORM_SUBMITTED = "form.submitted"
    PAYMENT_COMPLETED = "payment.completed"
    CONTACT_CREATED = "contact.created"
    CONVERSATION_STARTED = "conversation.started"
    CONVERSATION_CLOSED = "conversation.closed"
    CONVERSATION_HANDED_OFF = "conversation.handed_off"
    MESSAGE_RECEIVED = "message.received"


CategoryId = Literal[
    "products",
    "events",
    "crm",
    "forms",
    "invoices",
    "tickets",
    "bookings",
    "workflows",
    "checkout",
    "conversations",
]
ArchitectureName = Literal["thin_client", "full_stack", "hybrid"]
WebhookEventName = Literal[
    "form.submitted",
    "payment.completed",
    "contact.created",
    "conversation.started",
    "conversation.closed",
    "conversation.handed_off",
    "message.received",
]

#: The wire strings, in the enums' order (plain `str`, typed as the `Literal`).
CATEGORY_IDS = cast("tuple[CategoryId, ...]", tuple(c.value for c in Category))
ARCHITECTURES = cast("tuple[ArchitectureName, ...]", tuple(a.value for a in Architecture))
WEBHOOK_EVENTS = cast("tuple[WebhookEventName, ...]", tuple(e.value for e in WebhookEvent))

__all__ = [
    "ARCHITECTURES",
    "CATEGORY_IDS",
    "WEBHOOK_EVENTS",
    "Architecture",
    "ArchitectureName",
    "Category",
    "CategoryId",
    "WebhookEvent",
    "WebhookEventName",
]
