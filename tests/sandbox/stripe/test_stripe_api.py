"""The Stripe sandbox through stripe-python 16, checked against Stripe's contract."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from console.sandbox.host import serve
from console.sandbox.recording import Exchange
from console.sandbox.stripe import API_VERSION, StripeSandbox
from tests.contract_check import contract
from tests.sandbox.stripe.support import (
    WebhookReceiver,
    check_stripe,
    client,
    operations_hit,
)

SECRET = "whsec_journey_secret"


@dataclass
class Journey:
    exchanges: list[Exchange]


def _run_journey(sandbox: StripeSandbox, api: stripe.StripeClient, hook: WebhookReceiver) -> None:
    """The console's billing flows: buy a credit pack, subscribe, open the portal."""
    # The catalog is there.
    packs = api.v1.prices.list(params={"type": "one_time", "active": True, "limit": 10}).data
    assert sorted((p.metadata["credits"], p.unit_amount) for p in packs) == sorted(
        [("100", 1900), ("500", 7900), ("2000", 24900), ("10000", 99900)]
    )
    assert all(p.currency == "eur" and p.metadata["type"] == "credit-pack" for p in packs)
    pro = api.v1.prices.list(params={"lookup_keys": ["tier_pro_monthly"]}).data[0]
    assert pro.recurring is not None
    assert (pro.unit_amount, pro.recurring.interval, pro.metadata["tier"]) == (2900, "month", "pro")
    with_products = api.v1.prices.list(params={"limit": 100, "expand": ["data.product"]}).data
    assert all(isinstance(p.product, stripe.Product) for p in with_products)
    monthly = api.v1.prices.list(params={"recurring": {"interval": "month"}}).data
    assert {p.metadata["tier"] for p in monthly} == {"pro", "agency"}
    products = api.v1.products.list(params={"limit": 100, "expand": ["data.default_price"]}).data
    assert len(products) == 6
    assert isinstance(products[0].default_price, stripe.Price)

    # A credit pack: customer, checkout session, the customer pays, the webhook arrives.
    customer = api.v1.customers.create(
        params={"email": "billing@acme.example", "name": "Acme", "metadata": {"orgId": "org_42"}}
    )
    metadata = api.v1.customers.retrieve(customer.id).metadata
    assert metadata is not None
    assert metadata["orgId"] == "org_42"
    session = api.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "customer": customer.id,
            "line_items": [{"price": "price_credits_500", "quantity": 1}],
            "metadata": {"type": "credit-pack", "orgId": "org_42", "credits": "500"},
            "success_url": "https://console.invalid/credits?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://console.invalid/credits",
        }
    )
    assert session.status == "open"
    assert session.amount_total == 7900
    assert session.url == f"{sandbox.base_url}/_checkout/{session.id}"
    opened = api.v1.checkout.sessions.retrieve(session.id, params={"expand": ["line_items"]})
    assert opened.line_items is not None
    line = opened.line_items.data[0]
    assert line.price is not None
    assert line.price.id == "price_credits_500"
    assert opened.payment_status == "unpaid"

    outcome = sandbox.complete_checkout(session.id)
    assert [d.ok for d in outcome.deliveries] == [True, True]
    paid = api.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent", "customer"]}
    )
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert isinstance(paid.payment_intent, stripe.PaymentIntent)
    assert paid.payment_intent.status == "succeeded"
    assert isinstance(paid.customer, stripe.Customer)
    assert paid.customer.id == customer.id
    completed = api.v1.events.list(params={"type": "checkout.session.completed"}).data
    assert [e.data.object.id for e in completed] == [session.id]
    assert completed[0].pending_webhooks == 0
    delivered = hook.of_type("checkout.session.completed", SECRET)
    assert len(delivered) == 1
    assert delivered[0].data.object.metadata["orgId"] == "org_42"
    assert delivered[0].data.object.payment_status == "paid"
    received = next(r for r in hook.received if b"checkout.session.completed" in r.body)
    assert received.headers["stripe-signature"].startswith("t=")
    assert received.headers["content-type"].startswith("application/json")

    # A Pro subscription through checkout.
    subscribe = api.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer.id,
            "line_items": [{"price": pro.id, "quantity": 1}],
            "metadata": {"type": "subscription", "tier": "pro", "orgId": "org_42"},
            "subscription_data": {"metadata": {"orgId": "org_42"}},
        }
    )
    sandbox.complete_checkout(subscribe.id)
    subscriptions = api.v1.subscriptions.list(
        params={"customer": customer.id, "expand": ["data.latest_invoice"]}
    ).data
    assert len(subscriptions) == 1
    sub = subscriptions[0]
    assert (sub.status, sub.metadata["orgId"]) == ("active", "org_42")
    item = sub["items"].data[0]
    assert item.price.id == pro.id
    assert item.current_period_end > item.current_period_start
    assert isinstance(sub.latest_invoice, stripe.Invoice)
    assert sub.latest_invoice.status == "paid"
    invoices = api.v1.invoices.list(params={"subscription": sub.id}).data
    assert [(i.amount_paid, i.billing_reason) for i in invoices] == [(2900, "subscription_create")]
    parent = invoices[0].parent
    assert parent is not None
    assert parent.subscription_details is not None
    assert parent.subscription_details.subscription == sub.id
    assert invoices[0].amount_paid_off_stripe == 0
    types = [e.type for e in api.v1.events.list(params={"limit": 100}).data]
    assert types.count("invoice.paid") == 1
    assert "customer.subscription.created" in types
    transactions = api.v1.balance_transactions.list().data
    assert sorted(t.amount for t in transactions) == [2900, 7900]
    credit_pack = next(t for t in transactions if t.amount == 7900)
    assert (credit_pack.fee, credit_pack.net) == (144, 7756)

    # The customer portal.
    portal = api.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "https://console.invalid/billing"}
    )
    assert portal.url == f"{sandbox.base_url}/_portal/{portal.id}"


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    sandbox = StripeSandbox(tmp_path_factory.mktemp("stripe"))
    sandbox.serve()
    hook = WebhookReceiver()
    served = serve("stripe-webhooks", hook.app())
    try:
        sandbox.add_webhook_endpoint(f"{served.url}/webhooks/stripe", SECRET)
        _run_journey(sandbox, client(sandbox), hook)
        yield Journey(sandbox.recorder.exchanges)
    finally:
        served.stop()
        sandbox.stop()


def test_stripe_journey_exchanges_match_contract(journey: Journey) -> None:
    assert check_stripe(journey.exchanges) >= 15


def test_stripe_journey_exercises_every_contract_operation(journey: Journey) -> None:
    hit = operations_hit(journey.exchanges)
    for operation in contract("stripe").operations:
        operation_id = operation.spec["operationId"]
        assert operation_id in hit, f"{operation.method} {operation.template} never exercised"


def test_async_client_works_against_the_sandbox(stripe_sandbox: StripeSandbox) -> None:
    async def purchase() -> tuple[Any, Any]:
        api = stripe.StripeClient(
            stripe_sandbox.api_key,
            base_addresses={"api": stripe_sandbox.base_url},
            http_client=stripe.HTTPXClient(),
            max_network_retries=0,
            stripe_version=API_VERSION,
        )
        session = await api.v1.checkout.sessions.create_async(
            params={
                "mode": "payment",
                "customer_email": "solo@example.com",
                "customer_creation": "always",
                "line_items": [{"price": "price_credits_100"}],
                "metadata": {"type": "credit-pack", "orgId": "org_7"},
            }
        )
        await stripe_sandbox.complete_checkout_async(session.id, name="Solo")
        paid = await api.v1.checkout.sessions.retrieve_async(session.id)
        assert isinstance(paid.customer, str)
        customer = await api.v1.customers.retrieve_async(paid.customer)
        return paid, customer

    paid, customer = asyncio.run(purchase())
    assert paid.status == "complete"
    assert (customer.email, customer.name) == ("solo@example.com", "Solo")
    assert paid.customer_details is not None
    assert paid.customer_details.email == "solo@example.com"
    check_stripe(stripe_sandbox.recorder.exchanges)
