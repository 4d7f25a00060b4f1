"""Typed Stripe objects for the console's billing: checkout, prices, portal, invoices.

Parsed with `Reader` from the objects' JSON (API `API_VERSION`, see the
contract `tests/data/contracts/stripe.json`). The console's own meaning lives
in metadata: ``type`` (``credit-pack`` | ``subscription``), ``orgId``,
``credits`` (packs) and ``tier`` (subscriptions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from console.services.http import Reader

logger = logging.getLogger(__name__)

#: The Stripe API version these models (and the contract) describe. The client
#: sends it on every request: stripe-python 16 would otherwise send its own
#: (2026-10-28.endive), whose objects these models do not describe.
API_VERSION = "2026-05-27.dahlia"

CheckoutKind = Literal["credit-pack", "subscription"]
CHECKOUT_KINDS: tuple[CheckoutKind, ...] = ("credit-pack", "subscription")
CheckoutStatus = Literal["open", "complete", "expired"]
PaymentStatus = Literal["paid", "unpaid", "no_payment_required"]
CHECKOUT_STATUSES: tuple[CheckoutStatus, ...] = ("open", "complete", "expired")
PAYMENT_STATUSES: tuple[PaymentStatus, ...] = ("paid", "unpaid", "no_payment_required")
#: What a checkout came to, for the console: `processing` is a completed
#: session whose delayed payment (SEPA Direct Debit and the like) the bank has
#: not confirmed yet; `failed` is one the bank refused.
SessionOutcome = Literal["open", "processing", "paid", "failed", "expired"]
#: PaymentIntent states after which a delayed payment will not succeed by itself.
_FAILED_INTENT = ("requires_payment_method", "canceled")


def _id_of(r: Reader, key: str) -> str | None:
    """An id field that may also come expanded as an object."""
    value = r.raw(key)
    if value is None:
        return None
    if isinstance(value, dict):
        return r.obj(key).text("id")
    return r.text(key)


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    """A Stripe Checkout Session, with the console's metadata read out.

    `payment_intent_status` is known when the session was read with
    ``expand[]=payment_intent`` (payment mode); it tells a delayed payment
    still processing from one that failed, which `payment_status` (``unpaid``
    in both cases) does not.
    """

    id: str
    url: str | None
    status: CheckoutStatus | None
    payment_status: PaymentStatus
    mode: str
    customer: str | None
    subscription: str | None
    amount_total: int | None
    currency: str | None
    expires_at: int
    kind: str | None
    org_id: str | None
    credits: int | None
    tier: str | None
    payment_intent_status: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def outcome(self) -> SessionOutcome:
        """Where the purchase stands (see `SessionOutcome`)."""
        if self.status == "expired":
            return "expired"
        if self.status != "complete":
            return "open"
        if self.payment_status in ("paid", "no_payment_required"):
            return "paid"
        if self.payment_intent_status in _FAILED_INTENT:
            return "failed"
        return "processing"

    @property
    def is_final(self) -> bool:
        """Paid, failed or expired: nothing more will happen to it."""
        return self.outcome in ("paid", "failed", "expired")

    @property
    def paid(self) -> bool:
        return self.outcome == "paid"

    @classmethod
    def parse(cls, r: Reader) -> CheckoutSession:
        metadata = r.string_map("metadata")
        intent = r.raw("payment_intent")
        return cls(
            id=r.text("id"),
            url=r.opt_text("url"),
            status=r.opt_literal("status", CHECKOUT_STATUSES),
            payment_status=r.literal("payment_status", PAYMENT_STATUSES),
            mode=r.text("mode"),
            customer=_id_of(r, "customer"),
            subscription=_id_of(r, "subscription"),
            amount_total=r.opt_integer("amount_total"),
            currency=r.opt_text("currency"),
            expires_at=r.integer("expires_at"),
            kind=metadata.get("type"),
            org_id=metadata.get("orgId") or r.opt_text("client_reference_id"),
            credits=_int_or_none(metadata.get("credits")),
            tier=metadata.get("tier"),
            payment_intent_status=(
                r.obj("payment_intent").text("status") if isinstance(intent, dict) else None
            ),
            metadata=metadata,
        )


@dataclass(frozen=True, slots=True)
class Price:
    """A price the console sells: a credit pack (one-time) or a tier (recurring).

    `kind`, `credits` and `tier` come from the price's metadata, else its
    product's (when the product is expanded).
    """

    id: str
    product_id: str
    product_name: str | None
    unit_amount: int | None
    currency: str
    recurring_interval: str | None
    lookup_key: str | None
    kind: str | None
    credits: int | None
    tier: str | None

    @classmethod
    def parse(cls, r: Reader) -> Price:
        metadata = r.string_map("metadata")
        product = r.raw("product")
        product_name: str | None = None
        if isinstance(product, dict):
            p = r.obj("product")
            product_id = p.text("id")
            product_name = p.opt_text("name")
            metadata = {**p.string_map("metadata"), **metadata}
        else:
            product_id = r.text("product")
        recurring = r.opt_obj("recurring")
        interval = recurring.opt_text("interval") if recurring else None
        kind = metadata.get("type") or ("subscription" if interval else None)
        return cls(
            id=r.text("id"),
            product_id=product_id,
            product_name=product_name,
            unit_amount=r.opt_integer("unit_amount"),
            currency=r.text("currency"),
            recurring_interval=interval,
            lookup_key=r.opt_text("lookup_key"),
            kind=kind,
            credits=_int_or_none(metadata.get("credits")),
            tier=metadata.get("tier"),
        )


@dataclass(frozen=True, slots=True)
class PriceCatalog:
    """What can be bought: credit packs (by credits) and subscription tiers."""

    packs: tuple[Price, ...]
    tiers: tuple[Price, ...]


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    email: str | None
    name: str | None
    org_id: str | None
    deleted: bool

    @classmethod
    def parse(cls, r: Reader) -> Customer:
        metadata = r.string_map("metadata")
        return cls(
            id=r.text("id"),
            email=r.opt_text("email"),
            name=r.opt_text("name"),
            org_id=metadata.get("orgId"),
            deleted=r.flag("deleted", False),
        )


@dataclass(frozen=True, slots=True)
class PortalConfiguration:
    """A customer portal configuration; Stripe opens portal sessions with the
    active default one, and refuses to (400) while the account has none."""

    id: str
    active: bool
    is_default: bool

    @classmethod
    def parse(cls, r: Reader) -> PortalConfiguration:
        return cls(id=r.text("id"), active=r.flag("active"), is_default=r.flag("is_default"))


@dataclass(frozen=True, slots=True)
class PortalSession:
    """A billing portal session: open `url` in the browser."""

    id: str
    url: str
    return_url: str | None

    @classmethod
    def parse(cls, r: Reader) -> PortalSession:
        return cls(id=r.text("id"), url=r.text("url"), return_url=r.opt_text("return_url"))


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str | None
    status: str | None
    currency: str
    amount_due: int
    amount_paid: int
    total: int
    created: int
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    subscription: str | None

    @classmethod
    def parse(cls, r: Reader) -> Invoice:
        # Since API "basil" the subscription sits under parent.subscription_details.
        subscription: str | None = None
        parent = r.opt_obj("parent")
        details = parent.opt_obj("subscription_details") if parent else None
        if details is not None:
            subscription = _id_of(details, "subscription")
        return cls(
            id=r.text("id"),
            number=r.opt_text("number"),
            status=r.opt_text("status"),
            currency=r.text("currency"),
            amount_due=r.integer("amount_due"),
            amount_paid=r.integer("amount_paid"),
            total=r.integer("total"),
            created=r.integer("created"),
            hosted_invoice_url=r.opt_text("hosted_invoice_url"),
            invoice_pdf=r.opt_text("invoice_pdf"),
            subscription=subscription,
        )
