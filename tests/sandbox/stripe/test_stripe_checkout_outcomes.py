"""API version, delayed payments (SEPA), expiring sessions and portal settings in the sandbox.

Driven with stripe-python like the console; every contract exchange is checked
against stripe.json, and what the contract subset leaves out (the expire and
portal-configuration endpoints, webhook payloads) is checked against the
contract's schemas of the objects they carry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from console.sandbox.stripe import (
    API_VERSION,
    PORTAL_NOT_CONFIGURED,
    StripeApiError,
    StripeSandbox,
    WebhookEndpoint,
)
from console.services.stripe.models import API_VERSION as CONSOLE_API_VERSION
from tests.contract_check import contract
from tests.sandbox.stripe.conftest import WEBHOOK_SECRET
from tests.sandbox.stripe.support import WebhookReceiver, check_stripe, client


def pack_session(api: stripe.StripeClient) -> stripe.checkout.Session:
    return api.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{"price": "price_credits_500", "quantity": 1}],
            "metadata": {"type": "credit-pack", "credits": "500", "orgId": "org_1"},
        }
    )


def intent_of(api: stripe.StripeClient, session_id: str) -> Any:
    session = api.v1.checkout.sessions.retrieve(session_id, params={"expand": ["payment_intent"]})
    return session, session.payment_intent


def delivered(hook: WebhookReceiver) -> list[dict[str, Any]]:
    """Events the receiver got, in order, each checked against the contract's schemas."""
    checker = contract("stripe")
    events = []
    for received in hook.received:
        stripe.Webhook.construct_event(
            received.body, received.headers["stripe-signature"], WEBHOOK_SECRET
        )
        event = json.loads(received.body)
        checker.check_object("event", event)
        checker.check_object(event["data"]["object"]["object"], event["data"]["object"])
        events.append(event)
    return events


def test_one_api_version_everywhere() -> None:
    assert API_VERSION == CONSOLE_API_VERSION == contract("stripe").spec["info"]["version"]


def test_sandbox_refuses_another_api_version(stripe_sandbox: StripeSandbox) -> None:
    default = client(stripe_sandbox, version=None)  # stripe-python 16's own version
    with pytest.raises(stripe.InvalidRequestError) as refused:
        default.v1.prices.list()
    assert refused.value.http_status == 400
    body = refused.value.json_body
    assert isinstance(body, dict)
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith(f"Invalid Stripe API version: {stripe.api_version}")
    assert stripe.api_version != API_VERSION
    sent = stripe_sandbox.recorder.exchanges[-1]
    assert sent.request_headers["stripe-version"] == stripe.api_version
    # The pinned client, and a request without the header (the account's version), pass.
    assert client(stripe_sandbox).v1.prices.list().data
    pinned = stripe_sandbox.recorder.exchanges[-1]
    assert pinned.request_headers["stripe-version"] == API_VERSION
    assert pinned.response_headers["stripe-version"] == API_VERSION
    assert httpx.get(f"{stripe_sandbox.base_url}/v1/prices", auth=("sk_test_l4yercak3_sandbox", ""))
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_sepa_debit_completes_unpaid_then_the_bank_confirms(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
    endpoint: WebhookEndpoint,
) -> None:
    hook, _ = receiver
    session = pack_session(stripe_client)
    assert session.payment_method_types == ["card", "sepa_debit"]  # a EUR payment
    outcome = stripe_sandbox.complete_checkout(session.id, payment_method="sepa_debit")
    assert all(d.ok for d in outcome.deliveries)
    done, intent = intent_of(stripe_client, session.id)
    assert (done.status, done.payment_status) == ("complete", "unpaid")
    assert (intent.status, intent.amount_received) == ("processing", 0)
    assert stripe_client.v1.balance_transactions.list().data == []  # no money yet
    assert [(e["type"], e["data"]["object"].get("payment_status")) for e in delivered(hook)] == [
        ("payment_intent.processing", None),
        ("checkout.session.completed", "unpaid"),
    ]

    confirmed = stripe_sandbox.finish_delayed_payment(session.id, succeeded=True)
    assert all(d.ok for d in confirmed.deliveries)
    paid, intent = intent_of(stripe_client, session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert (intent.status, intent.amount_received) == ("succeeded", 7900)
    assert [t.amount for t in stripe_client.v1.balance_transactions.list().data] == [7900]
    events = delivered(hook)[2:]
    assert [e["type"] for e in events] == [
        "payment_intent.succeeded",
        "checkout.session.async_payment_succeeded",
    ]
    assert events[1]["data"]["object"]["id"] == session.id
    assert events[1]["data"]["object"]["payment_status"] == "paid"
    with pytest.raises(StripeApiError, match="no delayed payment in progress"):
        stripe_sandbox.finish_delayed_payment(session.id, succeeded=False)
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_sepa_debit_refused_by_the_bank(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
    endpoint: WebhookEndpoint,
) -> None:
    hook, _ = receiver
    session = pack_session(stripe_client)
    stripe_sandbox.complete_checkout(session.id, payment_method="sepa_debit")
    stripe_sandbox.finish_delayed_payment(session.id, succeeded=False)
    failed, intent = intent_of(stripe_client, session.id)
    assert (failed.status, failed.payment_status) == ("complete", "unpaid")
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "payment_method_provider_decline"
    events = delivered(hook)
    assert [e["type"] for e in events][-2:] == [
        "payment_intent.payment_failed",
        "checkout.session.async_payment_failed",
    ]
    assert events[-1]["data"]["object"]["payment_status"] == "unpaid"
    assert stripe_client.v1.balance_transactions.list().data == []
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_delayed_methods_only_where_offered(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient
) -> None:
    subscribe = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": stripe_client.v1.customers.create().id,
            "line_items": [{"price": "price_tier_pro_monthly", "quantity": 1}],
        }
    )
    assert subscribe.payment_method_types == ["card"]
    with pytest.raises(StripeApiError, match="does not accept `sepa_debit`"):
        stripe_sandbox.complete_checkout(subscribe.id, payment_method="sepa_debit")
    assert stripe_client.v1.checkout.sessions.retrieve(subscribe.id).status == "open"


def test_expire_through_the_api_then_the_session_cannot_be_paid(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
    endpoint: WebhookEndpoint,
) -> None:
    hook, _ = receiver
    session = pack_session(stripe_client)
    assert session.url is not None
    options: stripe.RequestOptions = {"idempotency_key": "expire-once"}
    expired = stripe_client.v1.checkout.sessions.expire(session.id, options=options)
    assert (expired.status, expired.url) == ("expired", None)
    answer = stripe_sandbox.recorder.exchanges[-1]
    assert answer.path == f"/v1/checkout/sessions/{session.id}/expire"
    contract("stripe").check_object("checkout.session", json.loads(answer.response_body))
    # The same request again is replayed; another one is refused: only open sessions expire.
    again = stripe_client.v1.checkout.sessions.expire(session.id, options=options)
    assert again.status == "expired"
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.checkout.sessions.expire(session.id)
    assert (refused.value.http_status, refused.value.code) == (400, "checkout_session_not_open")
    # Nobody can pay it: not the hosted page, not the test helper.
    page = httpx.get(session.url)
    assert "expired" in page.text
    assert "<button" not in page.text
    assert httpx.post(f"{session.url}/pay", data={"method": "card"}).status_code == 400
    with pytest.raises(StripeApiError, match="no longer active"):
        stripe_sandbox.complete_checkout(session.id)
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).payment_status == "unpaid"
    [event] = [e for e in delivered(hook) if e["type"] == "checkout.session.expired"]
    assert event["request"]["idempotency_key"] == "expire-once"
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_portal_configurations_listed_and_required(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    listed = stripe_client.v1.billing_portal.configurations.list(
        params={"active": True, "is_default": True}
    )
    assert [(c.is_default, c.active) for c in listed.data] == [(True, True)]
    body = json.loads(stripe_sandbox.recorder.exchanges[-1].response_body)
    assert body["url"] == "/v1/billing_portal/configurations"
    for configuration in body["data"]:
        contract("stripe").check_object("billing_portal.configuration", configuration)
    customer = stripe_client.v1.customers.create()
    portal = stripe_client.v1.billing_portal.sessions.create(params={"customer": customer.id})
    assert portal.configuration == listed.data[0].id

    bare = StripeSandbox(tmp_path / "unconfigured", portal_configured=False)
    bare.serve()
    try:
        api = client(bare)
        assert api.v1.billing_portal.configurations.list().data == []
        someone = api.v1.customers.create()
        with pytest.raises(stripe.InvalidRequestError) as refused:
            api.v1.billing_portal.sessions.create(params={"customer": someone.id})
        assert refused.value.http_status == 400
        assert str(refused.value.user_message) == PORTAL_NOT_CONFIGURED
        check_stripe(bare.recorder.exchanges)
    finally:
        bare.stop()


def test_hosted_page_pays_by_sepa_and_the_sandbox_bank_answers(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient
) -> None:
    session = pack_session(stripe_client)
    assert session.url is not None
    page = httpx.get(session.url).text
    assert "Pay \u20ac79.00 by SEPA Direct Debit" in page
    submitted = httpx.post(f"{session.url}/pay", data={"method": "sepa_debit"})
    assert submitted.status_code == 200  # no success_url: the page says it is done
    processing = httpx.get(session.url).text
    assert "processing" in processing
    assert "Sandbox bank: confirm the debit" in processing
    answered = httpx.post(f"{session.url}/bank", data={"outcome": "succeeded"})
    assert answered.status_code == 303
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    control = f"{stripe_sandbox.base_url}/_sandbox/stripe/checkout"
    other = pack_session(stripe_client)
    done = httpx.post(f"{control}/{other.id}/complete", json={"payment_method": "sepa_debit"})
    assert done.json()["session"]["payment_status"] == "unpaid"
    refused = httpx.post(f"{control}/{other.id}/delayed", json={"succeeded": False})
    assert refused.status_code == 200
    assert refused.json()["session"]["id"] == other.id
    _, intent = intent_of(stripe_client, other.id)
    assert intent.status == "requires_payment_method"
