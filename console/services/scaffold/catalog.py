"""What each API category puts into a generated app: records, endpoints, navigation.

One declarative description per category. The templates turn it into the
TypeScript types (`types/index.ts`), the typed platform client (`lib/api.ts`)
and, for full-stack apps, the schema of each backend (Convex, Supabase SQL,
Drizzle), so the four never disagree about a field.

Endpoints follow the platform's REST v1 conventions (`console/contracts/platform.yaml`):
camelCase JSON, lists as `{"data": [...], "nextCursor": ...}` with `limit`/`cursor`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from console.services.scaffold.config import Category

FieldKind = Literal["string", "text", "int", "bool", "datetime", "json", "string_list", "enum"]


@dataclass(frozen=True)
class Field:
    """One field of a record, as the platform's API returns it (camelCase).

    Attributes:
        name: camelCase JSON name; the SQL column is its snake_case form.
        kind: storage kind; `json` needs `ts` (its TypeScript type).
        optional: may be missing or null.
        values: the allowed values of an `enum`.
        ts: TypeScript type of a `json` field.
    """

    name: str
    kind: FieldKind
    optional: bool = False
    values: tuple[str, ...] = ()
    ts: str = ""

    @property
    def column(self) -> str:
        return snake(self.name)


@dataclass(frozen=True)
class Entity:
    """A record type the app reads, and stores when it has its own database.

    Attributes:
        type_name: the TypeScript interface (`Product`).
        table: table / Convex table name (snake_case plural).
        fields: everything but `id` (the platform id, a string).
        list_fn: `lib/api.ts` function that lists them (backfill sync), if any.
        get_fn: `lib/api.ts` function that reads one, if any.
        id_param: name of the id in routes and `get_fn` (`productId`).
        owner_field: the customer's email field, for "my records" filters.
    """

    type_name: str
    table: str
    fields: tuple[Field, ...]
    list_fn: str | None = None
    get_fn: str | None = None
    id_param: str = "id"
    owner_field: str | None = None

    @property
    def singular(self) -> str:
        return self.type_name[0].lower() + self.type_name[1:]


@dataclass(frozen=True)
class Endpoint:
    """One typed function of `lib/api.ts`.

    Attributes:
        fn: function name.
        method: HTTP method.
        path: path under /api/v1 with `{param}` placeholders (all strings).
        returns: TypeScript type of the response body.
        body: TypeScript type of the JSON body, if any.
        query: TypeScript type of the query parameters, if any (a `type`
            alias, so it is assignable to the client's query record).
        doc: one line of TSDoc.
        query_required: the query type has required keys (no `= {}` default).
    """

    fn: str
    method: Literal["GET", "POST", "PATCH", "DELETE"]
    path: str
    returns: str
    doc: str
    body: str | None = None
    query: str | None = None
    query_required: bool = False

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def signature(self) -> str:
        """The TypeScript parameter list of the generated function."""
        params = [f"{p}: string" for p in self.params]
        if self.body:
            params.append(f"input: {self.body}")
        if self.query:
            params.append(f"query: {self.query}" + ("" if self.query_required else " = {}"))
        if self.method != "GET":
            params.append("idempotencyKey?: string")
        return ", ".join(params)

    @property
    def ts_path(self) -> str:
        """The path as a TypeScript template literal body, ids URL-encoded."""
        return re.sub(r"\{(\w+)\}", r"${encodeURIComponent(\1)}", self.path)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    #: Shown only to signed-in users (and the route is protected by middleware).
    private: bool = False


@dataclass(frozen=True)
class CategorySpec:
    """Everything the generator needs to know about one category."""

    category: Category
    title: str
    object_type: str
    entities: tuple[Entity, ...]
    endpoints: tuple[Endpoint, ...]
    nav: tuple[NavLink, ...] = ()


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_STATUS_PRODUCT = ("active", "draft", "archived")

CATALOG: dict[Category, CategorySpec] = {
    Category.PRODUCTS: CategorySpec(
        Category.PRODUCTS,
        "Products",
        "product",
        (
            Entity(
                "Product",
                "products",
                (
                    Field("name", "string"),
                    Field("description", "text", optional=True),
                    Field("priceAmount", "int"),
                    Field("currency", "string"),
                    Field("imageUrl", "string", optional=True),
                    Field("sku", "string", optional=True),
                    Field("status", "enum", values=_STATUS_PRODUCT),
                ),
                list_fn="listProducts",
                get_fn="getProduct",
                id_param="productId",
            ),
        ),
        (
            Endpoint(
                "listProducts",
                "GET",
                "/products",
                "Page<Product>",
                "Products of the catalog.",
                query="ListParams",
            ),
            Endpoint("getProduct", "GET", "/products/{productId}", "Product", "One product."),
        ),
        (NavLink("Products", "/products"), NavLink("Cart", "/cart")),
    ),
    Category.EVENTS: CategorySpec(
        Category.EVENTS,
        "Events",
        "event",
        (
            Entity(
                "EventItem",
                "events",
                (
                    Field("title", "string"),
                    Field("description", "text", optional=True),
                    Field("startsAt", "datetime"),
                    Field("endsAt", "datetime", optional=True),
                    Field("location", "string", optional=True),
                    Field("capacity", "int", optional=True),
                    Field("imageUrl", "string", optional=True),
                    Field("status", "enum", values=("draft", "published", "cancelled")),
                ),
                list_fn="listEvents",
                get_fn="getEvent",
                id_param="eventId",
            ),
        ),
        (
            Endpoint(
                "listEvents",
                "GET",
                "/events",
                "Page<EventItem>",
                "Events, soonest first.",
                query="EventQuery",
            ),
            Endpoint("getEvent", "GET", "/events/{eventId}", "EventItem", "One event."),
            Endpoint(
                "registerForEvent",
                "POST",
                "/events/{eventId}/registrations",
                "EventRegistration",
                "Register an attendee (RSVP).",
                body="EventRegistrationInput",
            ),
        ),
        (NavLink("Events", "/events"),),
    ),
    Category.CRM: CategorySpec(
        Category.CRM,
        "Contacts",
        "crm_contact",
        (
            Entity(
                "Contact",
                "contacts",
                (
                    Field("email", "string"),
                    Field("firstName", "string", optional=True),
                    Field("lastName", "string", optional=True),
                    Field("phone", "string", optional=True),
                    Field("company", "string", optional=True),
                    Field("tags", "string_list"),
                    Field("source", "string", optional=True),
                    Field("createdAt", "datetime"),
                ),
                list_fn="listContacts",
                get_fn="getContact",
                id_param="contactId",
            ),
        ),
        (
            Endpoint(
                "listContacts",
                "GET",
                "/crm/contacts",
                "Page<Contact>",
                "CRM contacts, newest first.",
                query="ContactQuery",
            ),
            Endpoint("getContact", "GET", "/crm/contacts/{contactId}", "Contact", "One contact."),
            Endpoint(
                "createContact",
                "POST",
                "/crm/contacts",
                "Contact",
                "Create (or update, by email) a contact.",
                body="ContactInput",
            ),
        ),
        (NavLink("Contacts", "/contacts", private=True),),
    ),
    Category.FORMS: CategorySpec(
        Category.FORMS,
        "Forms",
        "form",
        (
            Entity(
                "Form",
                "forms",
                (
                    Field("name", "string"),
                    Field("description", "text", optional=True),
                    Field("status", "enum", values=("draft", "published", "closed")),
                    Field("fields", "json", ts="FormField[]"),
                ),
                list_fn="listForms",
                get_fn="getForm",
                id_param="formId",
            ),
            Entity(
                "FormSubmission",
                "form_submissions",
                (
                    Field("formId", "string"),
                    Field("data", "json", ts="FormValues"),
                    Field("submittedAt", "datetime"),
                ),
            ),
        ),
        (
            Endpoint(
                "listForms",
                "GET",
                "/forms",
                "Page<Form>",
                "Published forms.",
                query="ListParams",
            ),
            Endpoint("getForm", "GET", "/forms/{formId}", "Form", "One form with its fields."),
            Endpoint(
                "submitForm",
                "POST",
                "/forms/{formId}/submissions",
                "FormSubmission",
                "Submit a form (the platform emits form.submitted).",
                body="FormSubmissionInput",
            ),
        ),
        (NavLink("Forms", "/forms"),),
    ),
    Category.INVOICES: CategorySpec(
        Category.INVOICES,
        "Invoices",
        "invoice",
        (
            Entity(
                "Invoice",
                "invoices",
                (
                    Field("number", "string"),
                    Field("contactId", "string", optional=True),
                    Field("customerName", "string", optional=True),
                    Field("customerEmail", "string"),
                    Field(
                        "status",
                        "enum",
                        values=("draft", "sent", "paid", "overdue", "void"),
                    ),
                    Field("currency", "string"),
                    Field("totalAmount", "int"),
                    Field("issuedAt", "datetime", optional=True),
                    Field("dueDate", "datetime", optional=True),
                    Field("lineItems", "json", ts="InvoiceLineItem[]"),
                    Field("paymentUrl", "string", optional=True),
                ),
                list_fn="listInvoices",
                get_fn="getInvoice",
                id_param="invoiceId",
                owner_field="customerEmail",
            ),
        ),
        (
            Endpoint(
                "listInvoices",
                "GET",
                "/invoices",
                "Page<Invoice>",
                "Invoices, newest first.",
                query="InvoiceQuery",
            ),
            Endpoint("getInvoice", "GET", "/invoices/{invoiceId}", "Invoice", "One invoice."),
            Endpoint(
                "createInvoice",
                "POST",
                "/invoices",
                "Invoice",
                "Create a draft invoice.",
                body="InvoiceInput",
            ),
            Endpoint(
                "sendInvoice",
                "POST",
                "/invoices/{invoiceId}/send",
                "Invoice",
                "Send the invoice to its customer by email.",
            ),
            Endpoint(
                "getInvoicePaymentStatus",
                "GET",
                "/invoices/{invoiceId}/payment-status",
                "InvoicePaymentStatus",
                "How much of the invoice is paid.",
            ),
        ),
        (NavLink("Invoices", "/invoices", private=True),),
    ),
    Category.TICKETS: CategorySpec(
        Category.TICKETS,
        "Tickets",
        "ticket",
        (
            Entity(
                "Ticket",
                "tickets",
                (
                    Field("eventId", "string", optional=True),
                    Field("ticketType", "string", optional=True),
                    Field("holderName", "string"),
                    Field("holderEmail", "string"),
                    Field("code", "string"),
                    Field("status", "enum", values=("valid", "checked_in", "cancelled")),
                    Field("issuedAt", "datetime"),
                ),
                list_fn="listTickets",
                get_fn="getTicket",
                id_param="ticketId",
                owner_field="holderEmail",
            ),
        ),
        (
            Endpoint(
                "listTickets",
                "GET",
                "/tickets",
                "Page<Ticket>",
                "Issued tickets.",
                query="TicketQuery",
            ),
            Endpoint("getTicket", "GET", "/tickets/{ticketId}", "Ticket", "One ticket."),
        ),
        (NavLink("My tickets", "/tickets", private=True),),
    ),
    Category.BOOKINGS: CategorySpec(
        Category.BOOKINGS,
        "Bookings",
        "booking",
        (
            Entity(
                "Booking",
                "bookings",
                (
                    Field("resourceId", "string"),
                    Field("resourceName", "string", optional=True),
                    Field("startsAt", "datetime"),
                    Field("endsAt", "datetime"),
                    Field("customerName", "string"),
                    Field("customerEmail", "string"),
                    Field("status", "enum", values=("pending", "confirmed", "cancelled")),
                    Field("notes", "text", optional=True),
                ),
                list_fn="listBookings",
                id_param="bookingId",
                owner_field="customerEmail",
            ),
        ),
        (
            Endpoint(
                "listBookableResources",
                "GET",
                "/bookings/resources",
                "Page<BookableResource>",
                "What can be booked (rooms, people, services).",
                query="ListParams",
            ),
            Endpoint(
                "getAvailability",
                "GET",
                "/bookings/availability",
                "AvailabilityList",
                "Free and taken slots of one resource in a time range.",
                query="AvailabilityQuery",
                query_required=True,
            ),
            Endpoint(
                "listBookings",
                "GET",
                "/bookings",
                "Page<Booking>",
                "Bookings, soonest first.",
                query="BookingQuery",
            ),
            Endpoint(
                "createBooking",
                "POST",
                "/bookings",
                "Booking",
                "Book a slot.",
                body="BookingInput",
            ),
            Endpoint(
                "cancelBooking",
                "POST",
                "/bookings/{bookingId}/cancel",
                "Booking",
                "Cancel a booking.",
            ),
        ),
        (NavLink("Book", "/bookings"),),
    ),
    Category.WORKFLOWS: CategorySpec(
        Category.WORKFLOWS,
        "Workflows",
        "workflow",
        (
            Entity(
                "Workflow",
                "workflows",
                (
                    Field("name", "string"),
                    Field("description", "text", optional=True),
                    Field("status", "enum", values=("active", "paused", "draft")),
                    Field("trigger", "string"),
                ),
                list_fn="listWorkflows",
                id_param="workflowId",
            ),
        ),
        (
            Endpoint(
                "listWorkflows",
                "GET",
                "/workflows",
                "Page<Workflow>",
                "Automations of the organization.",
                query="ListParams",
            ),
            Endpoint(
                "triggerWorkflow",
                "POST",
                "/workflows/{workflowId}/trigger",
                "WorkflowRun",
                "Start a workflow run with a payload.",
                body="WorkflowTriggerInput",
            ),
        ),
        (NavLink("Workflows", "/workflows", private=True),),
    ),
    Category.CHECKOUT: CategorySpec(
        Category.CHECKOUT,
        "Checkout",
        "checkout_instance",
        (
            Entity(
                "CheckoutInstance",
                "checkout_instances",
                (
                    Field("name", "string"),
                    Field("status", "enum", values=("active", "inactive")),
                    Field("currency", "string"),
                    Field("productIds", "string_list"),
                ),
                list_fn="listCheckoutInstances",
                id_param="instanceId",
            ),
        ),
        (
            Endpoint(
                "listCheckoutInstances",
                "GET",
                "/checkout/instances",
                "Page<CheckoutInstance>",
                "Checkout configurations of the organization.",
                query="ListParams",
            ),
            Endpoint(
                "createCheckoutSession",
                "POST",
                "/checkout/sessions",
                "CheckoutSession",
                "Start a hosted checkout; redirect the buyer to its url.",
                body="CheckoutSessionInput",
            ),
        ),
        (NavLink("Checkout", "/checkout"),),
    ),
    Category.CONVERSATIONS: CategorySpec(
        Category.CONVERSATIONS,
        "Chat",
        "agent_session",
        (
            Entity(
                "Conversation",
                "conversations",
                (
                    Field("channel", "enum", values=("webchat", "whatsapp", "sms", "email")),
                    Field("status", "enum", values=("active", "handed_off", "closed")),
                    Field("contactId", "string", optional=True),
                    Field("startedAt", "datetime"),
                    Field("lastMessageAt", "datetime", optional=True),
                ),
                list_fn="listConversations",
                id_param="sessionId",
            ),
            Entity(
                "ChatMessage",
                "messages",
                (
                    Field("sessionId", "string"),
                    Field("role", "enum", values=("customer", "agent", "staff", "system")),
                    Field("content", "text"),
                    Field("createdAt", "datetime"),
                ),
            ),
        ),
        (
            Endpoint(
                "sendChatMessage",
                "POST",
                "/webchat/message",
                "ChatReply",
                "Send a visitor's message to the agent; starts a session when none is given.",
                body="ChatMessageInput",
            ),
            Endpoint(
                "listConversations",
                "GET",
                "/conversations",
                "Page<Conversation>",
                "Agent sessions, newest first.",
                query="ListParams",
            ),
            Endpoint(
                "listConversationMessages",
                "GET",
                "/conversations/{sessionId}/messages",
                "Page<ChatMessage>",
                "Messages of one session, oldest first.",
                query="MessageQuery",
            ),
        ),
        (NavLink("Chat", "/chat"),),
    ),
}

#: Stored (full stack) when the app handles `payment.completed`.
PAYMENT_ENTITY = Entity(
    "Payment",
    "payments",
    (
        Field("amount", "int"),
        Field("currency", "string"),
        Field("status", "enum", values=("succeeded", "refunded")),
        Field("invoiceId", "string", optional=True),
        Field("checkoutSessionId", "string", optional=True),
        Field("customerEmail", "string", optional=True),
        Field("paidAt", "datetime"),
    ),
)


def spec(category: Category) -> CategorySpec:
    return CATALOG[category]
