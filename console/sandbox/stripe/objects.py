"""Build Stripe objects (API 2026-05-27.dahlia) from Stripe's official fixtures.

Each builder starts from a deep copy of the fixture of its type (so every
field Stripe sends is there), then sets real values and resets the fixture's
placeholder noise (`shipping_cost` of 1.5 billion, "obj_123" references...)
to what a fresh object of this kind has.
"""

from __future__ import annotations

import calendar
import copy
import json
import logging
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
API_VERSION = "2026-05-27.dahlia"
_ALNUM = string.ascii_letters + string.digits
_NULL_ADDRESS: JSON = {
    "city": None,
    "country": None,
    "line1": None,
    "line2": None,
    "postal_code": None,
    "state": None,
}


@cache
def _fixtures() -> dict[str, JSON]:
    text = resources.files("console.sandbox.stripe").joinpath("fixtures.json").read_text("utf-8")
    loaded: dict[str, JSON] = json.loads(text)["resources"]
    return loaded


def fixture(kind: str) -> JSON:
    """A fresh deep copy of Stripe's fixture object of `kind`."""
    return copy.deepcopy(_fixtures()[kind])


@dataclass(frozen=True)
class RequestContext:
    """The API request that caused an event (its `request` field)."""

    request_id: str | None = None
    idempotency_key: str | None = None


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def add_month(timestamp: int) -> int:
    """The same day and time one month later (clamped to the month's end)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def add_interval(timestamp: int, interval: str, count: int = 1) -> int:
    if interval == "month":
        for _ in range(count):
            timestamp = add_month(timestamp)
        return timestamp
    if interval == "year":
        for _ in range(12 * count):
            timestamp = add_month(timestamp)
        return timestamp
    days = {"day": 1, "week": 7}.get(interval, 30)
    return timestamp + days * 86_400 * count


def money(amount: int, currency: str) -> str:
    symbol = {"eur": "\u20ac", "usd": "$", "gbp": "\u00a3"}.get(currency.lower())
    value = f"{amount / 100:,.2f}"
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def a_list(data: list[JSON], url: str, has_more: bool = False) -> JSON:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


# --- catalog -------------------------------------------------------------------


def product(
    product_id: str,
    name: str,
    *,
    created: int,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
    default_price: str | None = None,
) -> JSON:
    obj = fixture("product")
    obj.pop("type", None)  # removed from products in this API version
    obj.update(
        id=product_id,
        name=name,
        created=created,
        updated=created,
        description=description,
        metadata=metadata or {},
        default_price=default_price,
        images=[],
        marketing_features=[],
        package_dimensions=None,
        shippable=None,
        statement_descriptor=None,
        tax_code=None,
        unit_label=None,
        url=None,
        livemode=False,
        active=True,
    )
    return obj


def price(
    price_id: str,
    product_id: str,
    *,
    unit_amount: int,
    currency: str,
    created: int,
    interval: str | None = None,
    lookup_key: str | None = None,
    nickname: str | None = None,
    metadata: dict[str, str] | None = None,
) -> JSON:
    obj = fixture("price")
    obj.update(
        id=price_id,
        product=product_id,
        unit_amount=unit_amount,
        unit_amount_decimal=str(unit_amount),
        currency=currency,
        created=created,
        lookup_key=lookup_key,
        nickname=nickname,
        metadata=metadata or {},
        custom_unit_amount=None,
        transform_quantity=None,
        tiers_mode=None,
        tax_behavior="unspecified",
        billing_scheme="per_unit",
        livemode=False,
        active=True,
        type="recurring" if interval else "one_time",
        recurring=None,
    )
    if interval:
        obj["recurring"] = {
            "interval": interval,
            "interval_count": 1,
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
    return obj


# --- customers and sessions ------------------------------------------------------


def customer(
    customer_id: str,
    *,
    created: int,
    email: str | None,
    name: str | None,
    description: str | None = None,
    phone: str | None = None,
    metadata: dict[str, str] | None = None,
) -> JSON:
    obj = fixture("customer")
    obj.update(
        id=customer_id,
        created=created,
        email=email,
        name=name,
        description=description,
        phone=phone,
        metadata=metadata or {},
        address=None,
        balance=0,
        currency=None,
        default_source=None,
        delinquent=False,
        discount=None,
        invoice_prefix="".join(secrets.choice(string.ascii_uppercase) for _ in range(8)),
        invoice_settings={
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        livemode=False,
        next_invoice_sequence=1,
        preferred_locales=[],
        shipping=None,
        tax_exempt="none",
        test_clock=None,
    )
    return obj


def checkout_item(price_obj: JSON, product_name: str, quantity: int) -> JSON:
    """One line of a checkout session (`item`)."""
    amount = int(price_obj["unit_amount"]) * quantity
    obj = fixture("item")
    obj.update(
        id=new_id("li_"),
        amount_discount=0,
        amount_subtotal=amount,
        amount_tax=0,
        amount_total=amount,
        currency=price_obj["currency"],
        description=product_name,
        price=price_obj,
        quantity=quantity,
        metadata={},
        adjustable_quantity=None,
    )
    return obj


def checkout_session(
    session_id: str,
    *,
    created: int,
    expires_at: int,
    mode: str,
    currency: str,
    amount: int,
    url: str,
    success_url: str | None,
    cancel_url: str | None,
    customer_id: str | None,
    customer_email: str | None,
    customer_creation: str | None,
    client_reference_id: str | None,
    metadata: dict[str, str],
    invoice_creation: bool,
    payment_method_types: list[str],
) -> JSON:
    obj = fixture("checkout.session")
    obj.update(
        id=session_id,
        object="checkout.session",
        created=created,
        expires_at=expires_at,
        mode=mode,
        currency=currency,
        amount_subtotal=amount,
        amount_total=amount,
        url=url,
        success_url=success_url,
        cancel_url=cancel_url,
        customer=customer_id,
        customer_email=customer_email,
        customer_creation=customer_creation,
        client_reference_id=client_reference_id,
        metadata=metadata,
        status="open",
        payment_status="unpaid",
        payment_intent=None,
        subscription=None,
        invoice=None,
        customer_details=None,
        after_expiration=None,
        allow_promotion_codes=None,
        automatic_tax={"enabled": False, "liability": None, "provider": None, "status": None},
        billing_address_collection=None,
        client_secret=None,
        collected_information=None,
        consent=None,
        consent_collection=None,
        currency_conversion=None,
        custom_fields=[],
        custom_text={
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        discounts=[],
        livemode=False,
        locale=None,
        payment_link=None,
        payment_method_collection="always" if mode == "subscription" else "if_required",
        payment_method_configuration_details=None,
        payment_method_options={},
        payment_method_types=payment_method_types,
        permissions=None,
        phone_number_collection={"enabled": False},
        recovered_from=None,
        saved_payment_method_options=None,
        setup_intent=None,
        shipping_address_collection=None,
        shipping_cost=None,
        shipping_options=[],
        submit_type=None,
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        ui_mode="hosted_page",
        adaptive_pricing={"enabled": False},
        wallet_options=None,
        origin_context=None,
        customer_account=None,
        integration_identifier=None,
        managed_payments=None,
        invoice_creation=None,
    )
    if mode == "payment":
        obj["invoice_creation"] = {
            "enabled": invoice_creation,
            "invoice_data": {
                "account_tax_ids": None,
                "custom_fields": None,
                "description": None,
                "footer": None,
                "issuer": None,
                "metadata": {},
                "rendering_options": None,
            },
        }
    return obj


def customer_details(email: str | None, name: str | None) -> JSON:
    return {
        "address": dict(_NULL_ADDRESS),
        "email": email,
        "name": name,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
        "business_name": None,
        "individual_name": None,
    }


def portal_configuration(config_id: str, *, created: int) -> JSON:
    """The account's default customer portal settings, as the dashboard saves them."""
    obj = fixture("billing_portal.configuration")
    obj.update(
        id=config_id,
        created=created,
        updated=created,
        livemode=False,
        is_default=True,
        active=True,
        business_profile={
            "headline": None,
            "privacy_policy_url": None,
            "terms_of_service_url": None,
        },
        metadata={},
    )
    return obj


def portal_session(
    session_id: str,
    *,
    created: int,
    customer_id: str,
    return_url: str | None,
    url: str,
    configuration: str,
) -> JSON:
    obj = fixture("billing_portal.session")
    obj.update(
        id=session_id,
        created=created,
        customer=customer_id,
        return_url=return_url,
        url=url,
        configuration=configuration,
        flow=None,
        livemode=False,
        locale=None,
        on_behalf_of=None,
        customer_account=None,
    )
    return obj


# --- money movement ----------------------------------------------------------------


def payment_intent(
    intent_id: str,
    *,
    created: int,
    amount: int,
    currency: str,
    customer_id: str | None,
    charge_id: str,
    payment_method: str,
    metadata: dict[str, str],
    status: str = "succeeded",
    payment_method_types: list[str] | None = None,
) -> JSON:
    """A PaymentIntent paid by card (`succeeded`), or a delayed one still `processing`."""
    obj = fixture("payment_intent")
    obj.update(
        id=intent_id,
        created=created,
        amount=amount,
        amount_capturable=0,
        amount_received=amount if status == "succeeded" else 0,
        currency=currency,
        customer=customer_id,
        metadata=metadata,
        latest_charge=charge_id,
        payment_method=payment_method,
        status=status,
        client_secret=f"{intent_id}_secret_{new_id('', 25)}",
        canceled_at=None,
        cancellation_reason=None,
        capture_method="automatic_async",
        confirmation_method="automatic",
        description=None,
        last_payment_error=None,
        livemode=False,
        next_action=None,
        payment_method_configuration_details=None,
        payment_method_options={},
        payment_method_types=payment_method_types or ["card"],
        processing=None,
        receipt_email=None,
        review=None,
        setup_future_usage=None,
        shipping=None,
        source=None,
        statement_descriptor=None,
        statement_descriptor_suffix=None,
        transfer_data=None,
        transfer_group=None,
        excluded_payment_method_types=None,
        customer_account=None,
        managed_payments=None,
        automatic_payment_methods={"allow_redirects": "always", "enabled": True},
    )
    return obj


def debit_failure() -> JSON:
    """`last_payment_error` of a direct debit the customer's bank refused.

    Stripe leaves out the fields an error does not have (none is nullable).
    """
    return {
        "code": "payment_method_provider_decline",
        "decline_code": "insufficient_funds",
        "doc_url": "https://docs.stripe.com/error-codes/payment-method-provider-decline",
        "message": "The customer's bank refused the debit (insufficient funds).",
        "payment_method_type": "sepa_debit",
        "type": "card_error",
    }


def stripe_fee(amount: int) -> int:
    """Stripe's standard EEA card fee: 1.5 % + EUR 0.25."""
    return (amount * 15 + 500) // 1000 + 25  # cents, 1.5 % rounded half up


def balance_transaction(
    txn_id: str, *, created: int, amount: int, currency: str, source: str, description: str
) -> JSON:
    fee = stripe_fee(amount)
    obj = fixture("balance_transaction")
    obj.update(
        id=txn_id,
        created=created,
        available_on=created + 2 * 86_400,
        amount=amount,
        currency=currency,
        description=description,
        exchange_rate=None,
        fee=fee,
        fee_details=[
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ],
        net=amount - fee,
        reporting_category="charge",
        source=source,
        status="pending",
        type="charge",
        balance_type="payments",
    )
    return obj


def subscription_item(
    item_id: str, *, subscription_id: str, price_obj: JSON, quantity: int, start: int, end: int
) -> JSON:
    obj = fixture("subscription_item")
    recurring = price_obj.get("recurring") or {}
    obj.update(
        id=item_id,
        created=start,
        subscription=subscription_id,
        price=price_obj,
        quantity=quantity,
        current_period_start=start,
        current_period_end=end,
        discounts=[],
        metadata={},
        tax_rates=[],
        billing_thresholds=None,
        plan={
            "active": True,
            "amount": price_obj["unit_amount"],
            "amount_decimal": str(price_obj["unit_amount"]),
            "billing_scheme": "per_unit",
            "created": price_obj["created"],
            "currency": price_obj["currency"],
            "id": price_obj["id"],
            "interval": recurring.get("interval", "month"),
            "interval_count": recurring.get("interval_count", 1),
            "livemode": False,
            "metadata": price_obj.get("metadata", {}),
            "meter": None,
            "nickname": price_obj.get("nickname"),
            "object": "plan",
            "product": price_obj["product"],
            "tiers_mode": None,
            "transform_usage": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        },
    )
    return obj


def subscription(
    subscription_id: str,
    *,
    created: int,
    customer_id: str,
    currency: str,
    items: list[JSON],
    latest_invoice: str,
    payment_method: str,
    metadata: dict[str, str],
) -> JSON:
    obj = fixture("subscription")
    obj.update(
        id=subscription_id,
        created=created,
        start_date=created,
        billing_cycle_anchor=created,
        customer=customer_id,
        currency=currency,
        items=a_list(items, f"/v1/subscription_items?subscription={subscription_id}"),
        latest_invoice=latest_invoice,
        default_payment_method=payment_method,
        metadata=metadata,
        status="active",
        application=None,
        application_fee_percent=None,
        automatic_tax={"disabled_reason": None, "enabled": False, "liability": None},
        billing_cycle_anchor_config=None,
        billing_mode={"type": "classic", "flexible": None},
        billing_schedules=[],
        billing_thresholds=None,
        cancel_at=None,
        cancel_at_period_end=False,
        canceled_at=None,
        cancellation_details={"comment": None, "feedback": None, "reason": None},
        collection_method="charge_automatically",
        days_until_due=None,
        default_source=None,
        default_tax_rates=[],
        description=None,
        discounts=[],
        ended_at=None,
        invoice_settings={"account_tax_ids": None, "issuer": {"type": "self"}},
        livemode=False,
        next_pending_invoice_item_invoice=None,
        on_behalf_of=None,
        pause_collection=None,
        payment_settings={
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        pending_invoice_item_interval=None,
        pending_setup_intent=None,
        pending_update=None,
        schedule=None,
        test_clock=None,
        transfer_data=None,
        trial_end=None,
        trial_settings={"end_behavior": {"missing_payment_method": "create_invoice"}},
        trial_start=None,
        customer_account=None,
        managed_payments=None,
    )
    return obj


def invoice_line(
    *,
    invoice_id: str,
    price_obj: JSON,
    product_name: str,
    quantity: int,
    start: int,
    end: int,
    subscription_id: str | None,
    subscription_item_id: str | None,
) -> JSON:
    amount = int(price_obj["unit_amount"]) * quantity
    obj = fixture("line_item")
    description = f"{quantity} \u00d7 {product_name}"
    if price_obj.get("recurring"):
        interval = price_obj["recurring"]["interval"]
        description += (
            f" (at {money(int(price_obj['unit_amount']), price_obj['currency'])} / {interval})"
        )
    parent: JSON | None = None
    if subscription_id is not None:
        parent = {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
                "subscription_item": subscription_item_id,
            },
            "type": "subscription_item_details",
        }
    obj.update(
        id=new_id("il_"),
        invoice=invoice_id,
        amount=amount,
        subtotal=amount,
        currency=price_obj["currency"],
        description=description,
        quantity=quantity,
        quantity_decimal=str(quantity),
        period={"start": start, "end": end},
        discount_amounts=[],
        discountable=True,
        discounts=[],
        livemode=False,
        metadata={},
        subscription=subscription_id,
        pretax_credit_amounts=[],
        taxes=[],
        parent=parent,
        pricing={
            "price_details": {"price": price_obj["id"], "product": price_obj["product"]},
            "type": "price_details",
            "unit_amount_decimal": str(price_obj["unit_amount"]),
        },
    )
    return obj


def paid_invoice(
    invoice_id: str,
    *,
    created: int,
    customer_obj: JSON,
    currency: str,
    lines: list[JSON],
    number: str,
    billing_reason: str,
    subscription_id: str | None,
    subscription_metadata: dict[str, str] | None,
    period_start: int,
    period_end: int,
) -> JSON:
    total = sum(int(line["amount"]) for line in lines)
    obj = fixture("invoice")
    obj.pop("subscription", None)  # dahlia: see parent.subscription_details
    parent: JSON | None = None
    if subscription_id is not None:
        parent = {
            "quote_details": None,
            "subscription_details": {
                "metadata": subscription_metadata or {},
                "subscription": subscription_id,
            },
            "type": "subscription_details",
        }
    obj.update(
        id=invoice_id,
        created=created,
        customer=customer_obj["id"],
        customer_email=customer_obj.get("email"),
        customer_name=customer_obj.get("name"),
        customer_address=None,
        customer_phone=None,
        customer_shipping=None,
        customer_tax_exempt="none",
        customer_tax_ids=[],
        currency=currency,
        lines=a_list(lines, f"/v1/invoices/{invoice_id}/lines"),
        number=number,
        billing_reason=billing_reason,
        parent=parent,
        account_country="DE",
        account_name="l4yercak3",
        account_tax_ids=None,
        amount_due=total,
        amount_paid=total,
        amount_remaining=0,
        amount_overpaid=0,
        amount_paid_off_stripe=0,  # required since basil; missing from the fixture
        amount_shipping=0,
        application=None,
        attempt_count=1,
        attempted=True,
        auto_advance=False,
        automatic_tax={
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        automatically_finalizes_at=None,
        collection_method="charge_automatically",
        custom_fields=None,
        default_payment_method=None,
        default_source=None,
        default_tax_rates=[],
        description=None,
        discounts=[],
        due_date=None,
        effective_at=created,
        ending_balance=0,
        footer=None,
        from_invoice=None,
        hosted_invoice_url=None,
        invoice_pdf=None,
        issuer={"type": "self"},
        last_finalization_error=None,
        latest_revision=None,
        livemode=False,
        metadata={},
        next_payment_attempt=None,
        on_behalf_of=None,
        payment_settings={
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        period_start=period_start,
        period_end=period_end,
        post_payment_credit_notes_amount=0,
        pre_payment_credit_notes_amount=0,
        receipt_number=None,
        rendering=None,
        shipping_cost=None,
        shipping_details=None,
        starting_balance=0,
        statement_descriptor=None,
        status="paid",
        status_transitions={
            "finalized_at": created,
            "marked_uncollectible_at": None,
            "paid_at": created,
            "voided_at": None,
        },
        subtotal=total,
        subtotal_excluding_tax=total,
        test_clock=None,
        total=total,
        total_discount_amounts=[],
        total_excluding_tax=total,
        total_pretax_credit_amounts=[],
        total_taxes=[],
        webhooks_delivered_at=created,
        customer_account=None,
    )
    return obj


def event(
    event_id: str,
    *,
    created: int,
    event_type: str,
    data_object: JSON,
    pending_webhooks: int,
    request_id: str | None = None,
    idempotency_key: str | None = None,
) -> JSON:
    obj = fixture("event")
    obj.update(
        id=event_id,
        created=created,
        type=event_type,
        api_version=API_VERSION,
        data={"object": copy.deepcopy(data_object)},
        livemode=False,
        pending_webhooks=pending_webhooks,
        request={"id": request_id, "idempotency_key": idempotency_key},
    )
    return obj
