"""The Stripe sandbox: objects, checkout, webhooks, and the test helpers.

`StripeSandbox` owns the SQLite store and the rules behind the HTTP routes in
`console.sandbox.stripe.app`. Tests (and the demo's "Pay" page) act as the
paying customer through `complete_checkout` (by card, or by SEPA Direct Debit:
complete but unpaid until `finish_delayed_payment`) and `expire_checkout`,
which record the events Stripe would send and deliver them, signed, to every
webhook endpoint registered with `add_webhook_endpoint`.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.sandbox.faults import ASGIApp, FaultInjector
from console.sandbox.host import ServedApp, serve
from console.sandbox.recording import ExchangeRecorder
from console.sandbox.stripe import catalog, objects, webhooks
from console.sandbox.stripe.app import build_app
from console.sandbox.stripe.errors import StripeApiError, invalid, missing, missing_param
from console.sandbox.stripe.form import as_bool, as_int, as_list, as_metadata
from console.sandbox.stripe.objects import JSON, RequestContext, new_id
from console.sandbox.stripe.store import StripeStore, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "sk_test_l4yercak3_sandbox"
DEFAULT_PORTAL_CONFIGURATION = "bpc_sandbox_default"
#: Payment methods whose outcome the bank tells days after checkout completes.
DELAYED_METHODS = frozenset({"sepa_debit"})
#: Stripe's answer to a portal session on an account whose portal was never saved.
PORTAL_NOT_CONFIGURED = (
    "You can\u2019t create a portal session in test mode until you save your customer portal"
    " settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal."
)
LIST_URLS = {
    "price": "/v1/prices",
    "product": "/v1/products",
    "invoice": "/v1/invoices",
    "subscription": "/v1/subscriptions",
    "event": "/v1/events",
    "balance_transaction": "/v1/balance_transactions",
    "billing_portal.configuration": "/v1/billing_portal/configurations",
}
_EXPANDABLE = (
    "cus_",
    "sub_",
    "in_",
    "pi_",
    "price_",
    "prod_",
    "txn_",
    "cs_",
    "evt_",
)


@dataclass(frozen=True)
class CheckoutOutcome:
    """What `complete_checkout`/`expire_checkout` did."""

    session: JSON
    events: list[JSON]
    deliveries: list[WebhookDelivery] = field(default_factory=list)

    def event(self, event_type: str) -> JSON:
        return next(e for e in self.events if e["type"] == event_type)


def _redact(key: str) -> str:
    if len(key) <= 12:
        return "*" * len(key)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


class StripeSandbox:
    """A local Stripe for the console: catalog, customers, checkout, billing, events.

    Args:
        root: directory for the SQLite file (`stripe.sqlite3`); reopening the
            same root restores all state.
        api_keys: secret keys the API accepts.
        clock: seconds since the epoch, for `created` timestamps (webhook
            signatures always use the real time, as receivers check it).
        record: keep every exchange that reaches the app in `recorder`.
        webhook_timeout: seconds to wait for a webhook endpoint.
        portal_configured: a new root gets a default customer portal
            configuration, as if its settings had been saved in the dashboard;
            without one, portal sessions are refused like Stripe does.

    Attributes:
        app: the bare Starlette app.
        recorder: exchanges that reached the app (not injected faults).
        faults: add `FaultRule`s here.
        asgi: what is served: ``FaultInjector(ExchangeRecorder(app))``.
    """

    def __init__(
        self,
        root: Path,
        *,
        api_keys: Collection[str] = (DEFAULT_API_KEY,),
        clock: Callable[[], float] = time.time,
        record: bool = True,
        webhook_timeout: float = 5.0,
        portal_configured: bool = True,
    ) -> None:
        self.store = StripeStore(Path(root) / "stripe.sqlite3")
        self.api_keys = frozenset(api_keys)
        self.api_key = next(iter(api_keys), DEFAULT_API_KEY)
        self.clock = clock
        self.webhook_timeout = webhook_timeout
        for seeded in catalog.seed_objects():
            self.store.insert_if_missing(seeded)
        if portal_configured:
            self.store.insert_if_missing(
                objects.portal_configuration(
                    DEFAULT_PORTAL_CONFIGURATION, created=catalog.SEEDED_AT
                )
            )
        self.app: ASGIApp = build_app(self)
        self.recorder = ExchangeRecorder(self.app)
        self.faults = FaultInjector(self.recorder if record else self.app)
        self.asgi: ASGIApp = self.faults
        self.served: ServedApp | None = None

    # --- serving ----------------------------------------------------------
    def serve(self, *, port: int = 0) -> ServedApp:
        """Start serving on loopback (own thread); see `base_url`."""
        if self.served is None:
            self.served = serve("stripe", self.asgi, port=port)
        return self.served

    @property
    def base_url(self) -> str:
        """For `StripeClient(base_addresses={"api": ...})`: ``http://127.0.0.1:PORT``."""
        if self.served is None:
            raise RuntimeError("StripeSandbox.serve() first")
        return self.served.url

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()
            self.served = None
        self.store.close()

    def now(self) -> int:
        return int(self.clock())

    # --- auth ---------------------------------------------------------------
    def authenticate(self, header: str) -> str:
        """The API key of an `Authorization` header (Bearer, or Basic `key:`)."""
        scheme, _, value = header.partition(" ")
        key = ""
        if scheme.lower() == "bearer":
            key = value.strip()
        elif scheme.lower() == "basic":
            try:
                key = base64.b64decode(value.strip()).decode().partition(":")[0]
            except ValueError:
                key = ""
        if not key:
            raise StripeApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the"
                " Authorization header, using Bearer auth (e.g. 'Authorization: Bearer"
                " YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for"
                " details, or we can help at https://support.stripe.com/.",
            )
        if key not in self.api_keys:
            raise StripeApiError(401, f"Invalid API Key provided: {_redact(key)}")
        return key

    # --- lookups and expansion ------------------------------------------------
    def get(self, object_id: str, kind: str, label: str | None = None) -> JSON:
        found = self.store.get(object_id, kind)
        if found is None:
            raise missing(label or kind.replace("_", " "), object_id)
        return found

    def expand(self, obj: JSON, paths: Iterable[str]) -> JSON:
        """Replace IDs by objects along `expand[]` paths (`customer`, `data.customer`, ...)."""
        for path in paths:
            parts = path.split(".")
            if len(parts) > 4:
                raise invalid("expand", f"You cannot expand more than 4 levels ({path}).")
            self._expand(obj, parts, path)
        return obj

    def _expand(self, node: JSON, parts: list[str], path: str) -> None:
        key, rest = parts[0], parts[1:]
        if key == "data" and node.get("object") == "list":
            for item in node["data"]:
                if rest:
                    self._expand(item, rest, path)
            return
        if key == "line_items" and node.get("object") == "checkout.session":
            items = self.store.internal(node["id"]).get("line_items", [])
            url = f"/v1/checkout/sessions/{node['id']}/line_items"
            node["line_items"] = objects.a_list(items, url)
        elif key not in node:
            raise invalid("expand", f"This property cannot be expanded ({path}).")
        value = node[key]
        if isinstance(value, str):
            found = self.store.get(value) if value.startswith(_EXPANDABLE) else None
            if found is None:
                raise invalid("expand", f"This property cannot be expanded ({path}).")
            node[key] = value = found
        if rest and isinstance(value, dict):
            self._expand(value, rest, path)

    # --- lists ------------------------------------------------------------------
    def list_objects(self, kind: str, params: Mapping[str, Any]) -> JSON:
        """A Stripe list: filters, `created[...]`, `limit`, `starting_after`/`ending_before`."""
        items = [self._view(kind, obj) for obj in self.store.all(kind)]
        items = [obj for obj in items if self._matches(kind, obj, params)]
        limit = as_int(params.get("limit"), "limit") or 10
        if not 1 <= limit <= 100:
            raise invalid("limit", "Invalid limit: must be between 1 and 100")
        after, before = params.get("starting_after"), params.get("ending_before")
        ids = [obj["id"] for obj in items]
        if after:
            if after not in ids:
                raise missing(kind.replace("_", " "), str(after), "starting_after")
            start = ids.index(after) + 1
            page, has_more = items[start : start + limit], len(items) > start + limit
        elif before:
            if before not in ids:
                raise missing(kind.replace("_", " "), str(before), "ending_before")
            end = ids.index(before)
            page, has_more = items[max(0, end - limit) : end], end - limit > 0
        else:
            page, has_more = items[:limit], len(items) > limit
        return objects.a_list(page, LIST_URLS[kind], has_more)

    def _view(self, kind: str, obj: JSON) -> JSON:
        pending = kind == "balance_transaction" and obj["status"] == "pending"
        if pending and obj["available_on"] <= self.now():
            obj["status"] = "available"
        return obj

    @staticmethod
    def _matches(kind: str, obj: JSON, params: Mapping[str, Any]) -> bool:
        created = params.get("created")
        if isinstance(created, Mapping):
            bounds = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}
            for op, compare in bounds.items():
                bound = as_int(created.get(op), f"created[{op}]")
                if bound is not None and not compare(int(obj["created"]), bound):
                    return False
        elif (exact := as_int(created, "created")) is not None and obj["created"] != exact:
            return False

        def equal(name: str, value: Any) -> bool:
            wanted = params.get(name)
            return wanted in (None, "") or str(wanted) == str(value)

        if kind == "price":
            keys = as_list(params.get("lookup_keys"))
            recurring = params.get("recurring")
            interval = recurring.get("interval") if isinstance(recurring, Mapping) else None
            return (
                (params.get("active") is None or as_bool(params["active"]) == obj["active"])
                and equal("currency", obj["currency"])
                and equal("product", obj["product"])
                and equal("type", obj["type"])
                and (not keys or obj["lookup_key"] in keys)
                and (interval is None or (obj["recurring"] or {}).get("interval") == interval)
            )
        if kind == "product":
            ids = as_list(params.get("ids"))
            return (
                params.get("active") is None or as_bool(params["active"]) == obj["active"]
            ) and (not ids or obj["id"] in ids)
        if kind == "invoice":
            parent = obj.get("parent") or {}
            subscription = (parent.get("subscription_details") or {}).get("subscription")
            return (
                equal("customer", obj["customer"])
                and equal("status", obj["status"])
                and equal("subscription", subscription)
                and equal("collection_method", obj["collection_method"])
            )
        if kind == "subscription":
            status = params.get("status")
            prices = {item["price"]["id"] for item in obj["items"]["data"]}
            status_ok = (
                obj["status"] != "canceled"
                if status in (None, "")
                else status in {"all", obj["status"]}
            )
            return (
                equal("customer", obj["customer"])
                and status_ok
                and (params.get("price") in (None, "") or params["price"] in prices)
            )
        if kind == "event":
            types = as_list(params.get("types"))
            wanted = params.get("type")
            type_ok = wanted in (None, "") or (
                obj["type"].startswith(str(wanted)[:-1])
                if str(wanted).endswith("*")
                else obj["type"] == wanted
            )
            success = params.get("delivery_success")
            return (
                type_ok
                and (not types or obj["type"] in types)
                and (success is None or as_bool(success) == (obj["pending_webhooks"] == 0))
            )
        if kind == "billing_portal.configuration":
            return all(
                params.get(flag) is None or as_bool(params[flag]) == obj[flag]
                for flag in ("active", "is_default")
            )
        if kind == "balance_transaction":
            return (
                equal("type", obj["type"])
                and equal("source", obj["source"])
                and equal("currency", obj["currency"])
            )
        return True

    # --- customers ----------------------------------------------------------------
    def create_customer(
        self, params: Mapping[str, Any], context: RequestContext
    ) -> tuple[JSON, list[JSON]]:
        def text(name: str) -> str | None:
            value = params.get(name)
            return str(value) if value not in (None, "") else None

        customer = objects.customer(
            new_id("cus_", 14),
            created=self.now(),
            email=text("email"),
            name=text("name"),
            description=text("description"),
            phone=text("phone"),
            metadata=as_metadata(params.get("metadata")),
        )
        with self.store.transaction():
            self.store.put(customer)
            event = self._event("customer.created", customer, context)
        return customer, [event]

    def live_customer(self, customer_id: str) -> JSON:
        """A customer to use in a request: a deleted one is as missing as an unknown one."""
        found = self.get(customer_id, "customer")
        if found.get("deleted"):
            raise missing("customer", customer_id, "customer")
        return found

    def delete_customer(self, customer_id: str) -> JSON:
        """Delete a customer, as from the dashboard; it then reads as Stripe's deleted stub."""
        self.live_customer(customer_id)
        logger.info("stripe sandbox: customer %s deleted", customer_id)
        return self.store.put({"id": customer_id, "object": "customer", "deleted": True})

    # --- checkout -------------------------------------------------------------------
    def create_checkout_session(self, params: Mapping[str, Any], base_url: str) -> JSON:
        mode = params.get("mode")
        if mode in (None, ""):
            raise missing_param("mode")
        if mode not in {"payment", "subscription"}:
            raise invalid("mode", "The sandbox supports `payment` and `subscription` mode only.")
        lines = as_list(params.get("line_items"))
        if not lines:
            raise missing_param("line_items")
        now = self.now()
        items: list[JSON] = []
        for index, line in enumerate(lines):
            if not isinstance(line, Mapping):
                raise invalid(f"line_items[{index}]", "Invalid line item")
            quantity = as_int(line.get("quantity"), f"line_items[{index}][quantity]") or 1
            if quantity < 1:
                raise invalid(f"line_items[{index}][quantity]", "Quantity must be at least 1.")
            price = self._line_price(line, index, now)
            product = self.store.get(str(price["product"]), "product") or {}
            items.append(objects.checkout_item(price, str(product.get("name", "")), quantity))
        currencies = {item["currency"] for item in items}
        if len(currencies) > 1:
            raise invalid("line_items", "All prices must use the same currency.")
        recurring = [item for item in items if item["price"]["type"] == "recurring"]
        if mode == "payment" and recurring:
            raise invalid(
                "line_items",
                "You specified `payment` mode but passed a recurring price. Either switch to"
                " `subscription` mode or use only one-time prices.",
            )
        if mode == "subscription" and not recurring:
            raise invalid(
                "line_items",
                "You must provide at least one recurring price in `subscription` mode when"
                " using prices.",
            )
        customer_id = params.get("customer") or None
        email = params.get("customer_email") or None
        if customer_id is not None:
            self.live_customer(str(customer_id))
            if email is not None:
                raise invalid(
                    "customer_email",
                    "You may only specify one of these parameters: customer, customer_email.",
                )
        creation = params.get("customer_creation") or None
        if creation is not None and mode != "payment":
            raise invalid(
                "customer_creation", "`customer_creation` can only be used in `payment` mode."
            )
        if creation is None and mode == "payment" and customer_id is None:
            creation = "if_required"
        expires_at = as_int(params.get("expires_at"), "expires_at") or now + 86_400
        if not now + 1_800 <= expires_at <= now + 86_400:
            raise invalid(
                "expires_at",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
            )
        invoice_creation = params.get("invoice_creation")
        currency = next(iter(currencies))
        # Dynamic payment methods: a one-time EUR payment offers SEPA Direct Debit too.
        methods = ["card", "sepa_debit"] if mode == "payment" and currency == "eur" else ["card"]
        session_id = new_id("cs_test_a1", 56)
        session = objects.checkout_session(
            session_id,
            created=now,
            expires_at=expires_at,
            mode=str(mode),
            currency=currency,
            amount=sum(int(item["amount_total"]) for item in items),
            url=f"{base_url}/_checkout/{session_id}",
            success_url=params.get("success_url") or None,
            cancel_url=params.get("cancel_url") or None,
            customer_id=str(customer_id) if customer_id else None,
            customer_email=str(email) if email else None,
            customer_creation=creation,
            client_reference_id=params.get("client_reference_id") or None,
            metadata=as_metadata(params.get("metadata")),
            invoice_creation=isinstance(invoice_creation, Mapping)
            and as_bool(invoice_creation.get("enabled")),
            payment_method_types=methods,
        )
        internal = {
            "line_items": items,
            "payment_intent_metadata": as_metadata(
                (params.get("payment_intent_data") or {}).get("metadata"),
                "payment_intent_data[metadata]",
            )
            if isinstance(params.get("payment_intent_data"), Mapping)
            else {},
            "subscription_metadata": as_metadata(
                (params.get("subscription_data") or {}).get("metadata"),
                "subscription_data[metadata]",
            )
            if isinstance(params.get("subscription_data"), Mapping)
            else {},
        }
        self.store.put(session, internal)
        logger.info("stripe sandbox: checkout session %s (%s) created", session_id, mode)
        return session

    def _line_price(self, line: Mapping[str, Any], index: int, now: int) -> JSON:
        if line.get("price"):
            price = self.store.get(str(line["price"]), "price")
            if price is None:
                raise missing("price", str(line["price"]), f"line_items[{index}][price]")
            if not price["active"]:
                raise invalid(
                    f"line_items[{index}][price]", f"The price `{price['id']}` is not active."
                )
            return price
        data = line.get("price_data")
        if not isinstance(data, Mapping):
            raise missing_param(f"line_items[{index}][price]")
        amount = as_int(data.get("unit_amount"), f"line_items[{index}][price_data][unit_amount]")
        currency = str(data.get("currency") or "").lower()
        if amount is None or not currency:
            raise missing_param(f"line_items[{index}][price_data][unit_amount]")
        product_id = data.get("product")
        if product_id:
            self.get(str(product_id), "product")
        else:
            product_data = data.get("product_data")
            name = product_data.get("name") if isinstance(product_data, Mapping) else None
            if not name:
                raise missing_param(f"line_items[{index}][price_data][product_data][name]")
            product = objects.product(new_id("prod_", 14), str(name), created=now)
            self.store.put(product)
            product_id = product["id"]
        recurring = data.get("recurring")
        interval = recurring.get("interval") if isinstance(recurring, Mapping) else None
        price = objects.price(
            new_id("price_"),
            str(product_id),
            unit_amount=amount,
            currency=currency,
            created=now,
            interval=interval,
        )
        price["active"] = False  # ad-hoc prices cannot be reused
        self.store.put(price)
        return price

    def checkout_session(self, session_id: str) -> JSON:
        return self.get(session_id, "checkout.session", "checkout.session")

    def _event(
        self, event_type: str, data_object: JSON, context: RequestContext | None = None
    ) -> JSON:
        """Record an event (inside the caller's transaction)."""
        pending = sum(1 for endpoint in self.store.endpoints() if endpoint.wants(event_type))
        context = context or RequestContext()
        event = objects.event(
            new_id("evt_"),
            created=self.now(),
            event_type=event_type,
            data_object=data_object,
            pending_webhooks=pending,
            request_id=context.request_id,
            idempotency_key=context.idempotency_key,
        )
        self.store.put(event)
        return event

    def _complete(
        self, session_id: str, email: str | None, name: str | None, method: str
    ) -> tuple[JSON, list[JSON]]:
        with self.store.transaction():
            session = self.checkout_session(session_id)
            if session["status"] != "open":
                raise StripeApiError(
                    400,
                    f"This Checkout Session is no longer active (status: {session['status']}).",
                    code="checkout_session_not_open",
                )
            if method not in session["payment_method_types"]:
                raise invalid(
                    "payment_method_types",
                    f"This Checkout Session does not accept `{method}`"
                    f" (it accepts {', '.join(session['payment_method_types'])}).",
                )
            delayed = method in DELAYED_METHODS
            internal = self.store.internal(session_id)
            items: list[JSON] = internal.get("line_items", [])
            now = self.now()
            mode, currency, amount = session["mode"], session["currency"], session["amount_total"]
            events: list[JSON] = []
            customer: JSON | None = None
            if session["customer"]:
                customer = self.get(session["customer"], "customer")
            elif mode == "subscription" or session["customer_creation"] == "always":
                customer = objects.customer(
                    new_id("cus_", 14),
                    created=now,
                    email=email or session["customer_email"] or "customer@example.com",
                    name=name,
                )
                events.append(self._event("customer.created", self.store.put(customer)))
            if customer is not None and customer["currency"] is None:
                customer["currency"] = currency
                self.store.put(customer)
            payer_email = email or session["customer_email"] or (customer or {}).get("email")
            payer_name = name or (customer or {}).get("name")
            payment_method, charge_id = new_id("pm_"), new_id("ch_")
            if mode == "payment":
                intent = objects.payment_intent(
                    new_id("pi_"),
                    created=now,
                    amount=amount,
                    currency=currency,
                    customer_id=None if customer is None else customer["id"],
                    charge_id=charge_id,
                    payment_method=payment_method,
                    metadata=internal.get("payment_intent_metadata", {}),
                    status="processing" if delayed else "succeeded",
                    payment_method_types=session["payment_method_types"],
                )
                session["payment_intent"] = intent["id"]
                if delayed:
                    # Like Stripe: the session completes now, unpaid; the bank
                    # answers days later (`finish_delayed_payment`).
                    events.append(self._event("payment_intent.processing", self.store.put(intent)))
                else:
                    events.append(self._event("payment_intent.succeeded", self.store.put(intent)))
                    events.extend(self._collect(session, customer, items, charge_id, now))
            else:
                assert customer is not None
                subscription_id = new_id("sub_")
                recurring = [i for i in items if i["price"]["type"] == "recurring"]
                interval = recurring[0]["price"]["recurring"]["interval"]
                end = objects.add_interval(now, interval)
                sub_items = [
                    objects.subscription_item(
                        new_id("si_", 14),
                        subscription_id=subscription_id,
                        price_obj=i["price"],
                        quantity=i["quantity"],
                        start=now,
                        end=end,
                    )
                    for i in recurring
                ]
                metadata = internal.get("subscription_metadata", {})
                invoice = self._invoice(
                    customer,
                    items,
                    now,
                    end,
                    "subscription_create",
                    subscription_id,
                    metadata,
                    {si["price"]["id"]: si["id"] for si in sub_items},
                )
                subscription = objects.subscription(
                    subscription_id,
                    created=now,
                    customer_id=customer["id"],
                    currency=currency,
                    items=sub_items,
                    latest_invoice=invoice["id"],
                    payment_method=payment_method,
                    metadata=metadata,
                )
                events.append(
                    self._event("customer.subscription.created", self.store.put(subscription))
                )
                events.append(self._event("invoice.paid", invoice))
                session["subscription"], session["invoice"] = subscription_id, invoice["id"]
                self._book(charge_id, amount, currency, "Subscription creation", now)
            session.update(
                status="complete",
                payment_status="unpaid" if delayed else "paid",
                customer=None if customer is None else customer["id"],
                customer_details=objects.customer_details(payer_email, payer_name),
            )
            self.store.put(session)
            events.append(self._event("checkout.session.completed", session))
        logger.info(
            "stripe sandbox: checkout session %s completed (%s)",
            session_id,
            session["payment_status"],
        )
        return session, events

    def _collect(
        self, session: JSON, customer: JSON | None, items: list[JSON], charge_id: str, now: int
    ) -> list[JSON]:
        """The money of a payment-mode session arrived: its invoice (if asked for) and booking."""
        events: list[JSON] = []
        invoice_creation = session.get("invoice_creation") or {}
        if invoice_creation.get("enabled") and customer is not None:
            invoice = self._invoice(customer, items, now, now, "manual", None, None)
            events.append(self._event("invoice.paid", invoice))
            session["invoice"] = invoice["id"]
        description = f"Payment for {', '.join(i['description'] for i in items)}"
        self._book(charge_id, int(session["amount_total"]), session["currency"], description, now)
        return events

    def _book(self, charge_id: str, amount: int, currency: str, description: str, now: int) -> None:
        self.store.put(
            objects.balance_transaction(
                new_id("txn_"),
                created=now,
                amount=amount,
                currency=currency,
                source=charge_id,
                description=description,
            )
        )

    def _finish_delayed(self, session_id: str, succeeded: bool) -> tuple[JSON, list[JSON]]:
        with self.store.transaction():
            session = self.checkout_session(session_id)
            intent = self.store.get(str(session.get("payment_intent") or ""), "payment_intent")
            if intent is None or intent["status"] != "processing":
                raise StripeApiError(
                    400,
                    f"Checkout Session {session_id} has no delayed payment in progress.",
                    code="payment_intent_unexpected_state",
                )
            events: list[JSON] = []
            if succeeded:
                intent.update(status="succeeded", amount_received=intent["amount"])
                events.append(self._event("payment_intent.succeeded", self.store.put(intent)))
                customer = self.store.get(str(session.get("customer") or ""), "customer")
                items: list[JSON] = self.store.internal(session_id).get("line_items", [])
                events.extend(
                    self._collect(session, customer, items, intent["latest_charge"], self.now())
                )
                session["payment_status"] = "paid"
                self.store.put(session)
                events.append(self._event("checkout.session.async_payment_succeeded", session))
            else:
                intent.update(
                    status="requires_payment_method", last_payment_error=objects.debit_failure()
                )
                events.append(self._event("payment_intent.payment_failed", self.store.put(intent)))
                events.append(self._event("checkout.session.async_payment_failed", session))
        logger.info(
            "stripe sandbox: delayed payment of %s %s",
            session_id,
            "succeeded" if succeeded else "failed",
        )
        return session, events

    def _invoice(
        self,
        customer: JSON,
        items: list[JSON],
        start: int,
        end: int,
        reason: str,
        subscription_id: str | None,
        subscription_metadata: dict[str, str] | None,
        item_ids: Mapping[str, str] | None = None,
    ) -> JSON:
        invoice_id = new_id("in_")
        lines = [
            objects.invoice_line(
                invoice_id=invoice_id,
                price_obj=item["price"],
                product_name=str(item["description"]),
                quantity=int(item["quantity"]),
                start=start,
                end=end if item["price"]["type"] == "recurring" else start,
                subscription_id=subscription_id,
                subscription_item_id=(item_ids or {}).get(item["price"]["id"]),
            )
            for item in items
        ]
        sequence = int(customer.get("next_invoice_sequence") or 1)
        customer["next_invoice_sequence"] = sequence + 1
        self.store.put(customer)
        invoice = objects.paid_invoice(
            invoice_id,
            created=start,
            customer_obj=customer,
            currency=items[0]["currency"],
            lines=lines,
            number=f"{customer['invoice_prefix']}-{sequence:04d}",
            billing_reason=reason,
            subscription_id=subscription_id,
            subscription_metadata=subscription_metadata,
            period_start=start,
            period_end=start,
        )
        return self.store.put(invoice)

    def _expire(
        self, session_id: str, context: RequestContext | None = None
    ) -> tuple[JSON, list[JSON]]:
        with self.store.transaction():
            session = self.checkout_session(session_id)
            if session["status"] != "open":
                raise StripeApiError(
                    400,
                    f"Only Checkout Sessions with a status of `open` can be expired (status:"
                    f" {session['status']}).",
                    code="checkout_session_not_open",
                )
            session.update(status="expired", url=None)
            self.store.put(session)
            event = self._event("checkout.session.expired", session, context)
        return session, [event]

    # --- portal ---------------------------------------------------------------------
    def create_portal_session(self, params: Mapping[str, Any], base_url: str) -> JSON:
        customer_id = params.get("customer")
        if not customer_id:
            raise missing_param("customer")
        self.live_customer(str(customer_id))
        defaults = self.list_objects(
            "billing_portal.configuration", {"active": "true", "is_default": "true"}
        )["data"]
        if not defaults:
            raise StripeApiError(400, PORTAL_NOT_CONFIGURED)
        session_id = new_id("bps_")
        session = objects.portal_session(
            session_id,
            created=self.now(),
            customer_id=str(customer_id),
            return_url=params.get("return_url") or None,
            url=f"{base_url}/_portal/{session_id}",
            configuration=defaults[0]["id"],
        )
        return self.store.put(session)

    # --- webhooks -------------------------------------------------------------------
    def add_webhook_endpoint(
        self, url: str, secret: str | None = None, *, enabled_events: Iterable[str] = ("*",)
    ) -> WebhookEndpoint:
        """Deliver matching events to `url`, signed with `secret` (generated if None)."""
        endpoint = WebhookEndpoint(
            id=new_id("we_"),
            url=url,
            secret=secret or "whsec_" + secrets.token_urlsafe(24),
            enabled_events=tuple(enabled_events),
            created=self.now(),
        )
        self.store.add_endpoint(endpoint)
        return endpoint

    def remove_webhook_endpoint(self, endpoint_id: str) -> bool:
        return self.store.remove_endpoint(endpoint_id)

    def webhook_endpoints(self) -> list[WebhookEndpoint]:
        return self.store.endpoints()

    def deliveries(self, event_id: str | None = None) -> list[WebhookDelivery]:
        return self.store.deliveries(event_id)

    def _outgoing(self, events: Iterable[JSON]) -> list[webhooks.Outgoing]:
        endpoints = self.store.endpoints()
        return [
            webhooks.prepare(event, endpoint)
            for event in events
            for endpoint in endpoints
            if endpoint.wants(event["type"])
        ]

    def _settle(self, done: list[WebhookDelivery]) -> list[WebhookDelivery]:
        with self.store.transaction():
            for delivery in done:
                self.store.record_delivery(delivery)
                event = self.store.get(delivery.event_id, "event")
                if delivery.ok and event is not None and event["pending_webhooks"] > 0:
                    event["pending_webhooks"] -= 1
                    self.store.put(event)
        return done

    def deliver_blocking(self, events: Iterable[JSON]) -> list[WebhookDelivery]:
        """POST each event to each endpoint that wants it, from this thread."""
        outgoing = self._outgoing(events)
        return self._settle([webhooks.send_blocking(o, self.webhook_timeout) for o in outgoing])

    async def deliver(self, events: Iterable[JSON]) -> list[WebhookDelivery]:
        """POST each event to each endpoint that wants it (awaiting each delivery)."""
        done = [await webhooks.send(o, wait=self.webhook_timeout) for o in self._outgoing(events)]
        return self._settle(done)

    def _undelivered(self, event_id: str | None) -> list[JSON]:
        events = [self.get(event_id, "event")] if event_id else self.store.all("event")
        return [e for e in reversed(events) if e["pending_webhooks"] > 0]

    def redeliver(self, event_id: str | None = None) -> list[WebhookDelivery]:
        """Retry events that some endpoint has not accepted yet (all, or one)."""
        return self._retry(self._undelivered(event_id))

    def _retry(self, events: list[JSON]) -> list[WebhookDelivery]:
        done = []
        for event in events:
            ok = {d.endpoint_id for d in self.store.deliveries(event["id"]) if d.ok}
            for outgoing in self._outgoing([event]):
                if outgoing.endpoint.id not in ok:
                    done.append(webhooks.send_blocking(outgoing, self.webhook_timeout))
        return self._settle(done)

    # --- test helpers: the paying customer ------------------------------------------
    def complete_checkout(
        self,
        session_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        payment_method: str = "card",
    ) -> CheckoutOutcome:
        """Pay: complete the session, create what follows, record and deliver the events.

        By card the session is paid at once. By a delayed method
        (``sepa_debit``, offered for EUR payments) it completes unpaid, its
        PaymentIntent `processing`, until `finish_delayed_payment`.
        Delivers from the calling thread; from a coroutine use
        `complete_checkout_async`.
        """
        session, events = self._complete(session_id, email, name, payment_method)
        return CheckoutOutcome(session, events, self.deliver_blocking(events))

    async def complete_checkout_async(
        self,
        session_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        payment_method: str = "card",
    ) -> CheckoutOutcome:
        session, events = self._complete(session_id, email, name, payment_method)
        return CheckoutOutcome(session, events, await self.deliver(events))

    def finish_delayed_payment(self, session_id: str, *, succeeded: bool) -> CheckoutOutcome:
        """The bank answers a delayed payment: `checkout.session.async_payment_succeeded`
        (the session becomes paid) or `checkout.session.async_payment_failed`."""
        session, events = self._finish_delayed(session_id, succeeded)
        return CheckoutOutcome(session, events, self.deliver_blocking(events))

    async def finish_delayed_payment_async(
        self, session_id: str, *, succeeded: bool
    ) -> CheckoutOutcome:
        session, events = self._finish_delayed(session_id, succeeded)
        return CheckoutOutcome(session, events, await self.deliver(events))

    def expire_checkout_session(
        self, session_id: str, context: RequestContext
    ) -> tuple[JSON, list[JSON]]:
        """`POST /v1/checkout/sessions/{id}/expire`: the session and the events to deliver."""
        return self._expire(session_id, context)

    def expire_checkout(self, session_id: str) -> CheckoutOutcome:
        """Let the session expire (`checkout.session.expired` is delivered)."""
        session, events = self._expire(session_id)
        return CheckoutOutcome(session, events, self.deliver_blocking(events))

    async def expire_checkout_async(self, session_id: str) -> CheckoutOutcome:
        session, events = self._expire(session_id)
        return CheckoutOutcome(session, events, await self.deliver(events))

    def events(self, event_type: str | None = None) -> list[JSON]:
        """Recorded events, newest first."""
        return [e for e in self.store.all("event") if event_type in (None, e["type"])]
