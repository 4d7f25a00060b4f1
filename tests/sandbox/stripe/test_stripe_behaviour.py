"""Errors, idempotency, pagination, expiry, webhook failures, pages, controls, faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import stripe
from stripe.params.checkout import SessionCreateParams

from console.sandbox.faults import FaultRule
from console.sandbox.stripe import (
    CATALOG,
    DEFAULT_API_KEY,
    StripeApiError,
    StripeSandbox,
    WebhookEndpoint,
    signature_header,
)
from tests.sandbox.stripe.conftest import WEBHOOK_SECRET
from tests.sandbox.stripe.support import WebhookReceiver, check_stripe, client, wait_until


def pack(**extra: Any) -> SessionCreateParams:
    """Checkout parameters for the 500-credit pack, plus `extra`."""
    params = {"mode": "payment", "line_items": [{"price": "price_credits_500", "quantity": 1}]}
    return cast(SessionCreateParams, {**params, **extra})


def test_errors_come_in_stripe_shape_and_match_contract(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.AuthenticationError) as bad_key:
        client(stripe_sandbox, "sk_test_revoked_key_1234").v1.customers.create()
    assert bad_key.value.http_status == 401
    assert "Invalid API Key provided: sk_test_****" in str(bad_key.value)
    assert "revoked" not in str(bad_key.value)  # the key is redacted
    anonymous = httpx.get(f"{stripe_sandbox.base_url}/v1/prices")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "invalid_request_error"
    basic = httpx.get(f"{stripe_sandbox.base_url}/v1/prices", auth=(DEFAULT_API_KEY, ""))
    assert basic.status_code == 200

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.customers.retrieve("cus_nobody")
    assert (unknown.value.http_status, unknown.value.code) == (404, "resource_missing")
    assert unknown.value.param == "id"
    with pytest.raises(stripe.InvalidRequestError) as no_mode:
        stripe_client.v1.checkout.sessions.create(params={"line_items": pack()["line_items"]})
    assert (no_mode.value.code, no_mode.value.param) == ("parameter_missing", "mode")
    with pytest.raises(stripe.InvalidRequestError) as recurring:
        stripe_client.v1.checkout.sessions.create(
            params={"mode": "payment", "line_items": [{"price": "price_tier_pro_monthly"}]}
        )
    assert "recurring price" in str(recurring.value)
    with pytest.raises(stripe.InvalidRequestError) as no_price:
        stripe_client.v1.checkout.sessions.create(
            params={"mode": "payment", "line_items": [{"price": "price_nope"}]}
        )
    assert no_price.value.param == "line_items[0][price]"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.billing_portal.sessions.create(params={"customer": "cus_nobody"})
    with pytest.raises(stripe.InvalidRequestError) as bad_expand:
        stripe_client.v1.checkout.sessions.create(params=pack(expand=["nothing"]))
    assert "cannot be expanded" in str(bad_expand.value)
    check_stripe(stripe_sandbox.recorder.exchanges)
    unknown_route = httpx.get(f"{stripe_sandbox.base_url}/v1/charges")
    assert unknown_route.status_code == 404
    assert "Unrecognized request URL" in unknown_route.json()["error"]["message"]


def test_idempotency_key_replays_and_refuses_other_parameters(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "buy-500-for-org-42"}
    first = stripe_client.v1.checkout.sessions.create(params=pack(), options=options)
    again = stripe_client.v1.checkout.sessions.create(params=pack(), options=options)
    assert again.id == first.id
    assert len(stripe_sandbox.store.all("checkout.session")) == 1
    replayed = stripe_sandbox.recorder.exchanges[-1]
    assert replayed.response_headers["idempotent-replayed"] == "true"
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.checkout.sessions.create(
            params=pack(metadata={"other": "x"}), options=options
        )
    # Without an explicit key stripe-python sends a fresh one per call.
    assert stripe_client.v1.customers.create().id != stripe_client.v1.customers.create().id
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_lists_paginate_like_stripe(stripe_client: stripe.StripeClient) -> None:
    first = stripe_client.v1.prices.list(params={"limit": 4})
    assert (len(first.data), first.has_more, first.url) == (4, True, "/v1/prices")
    second = stripe_client.v1.prices.list(params={"limit": 4, "starting_after": first.data[-1].id})
    assert (len(second.data), second.has_more) == (2, False)
    every = [p.id for p in stripe_client.v1.prices.list(params={"limit": 100}).data]
    assert every == [p.id for p in first.data + second.data]
    assert len(every) == len(CATALOG)
    back = stripe_client.v1.prices.list(params={"limit": 2, "ending_before": second.data[0].id})
    assert [p.id for p in back.data] == every[2:4]
    assert [p.id for p in stripe_client.v1.prices.list().auto_paging_iter()] == every
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.prices.list(params={"limit": 101})


def test_expired_checkout_sends_its_event_and_cannot_be_paid(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
    endpoint: WebhookEndpoint,
) -> None:
    session = stripe_client.v1.checkout.sessions.create(params=pack())
    outcome = stripe_sandbox.expire_checkout(session.id)
    assert outcome.session["status"] == "expired"
    assert [d.ok for d in outcome.deliveries] == [True]
    expired = receiver[0].of_type("checkout.session.expired", WEBHOOK_SECRET)
    assert [e.data.object.id for e in expired] == [session.id]
    with pytest.raises(StripeApiError, match="no longer active"):
        stripe_sandbox.complete_checkout(session.id)
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    page = httpx.get(f"{stripe_sandbox.base_url}/_checkout/{session.id}")
    assert "expired" in page.text
    assert "<button" not in page.text


def test_failed_webhook_stays_pending_until_redelivered(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
    endpoint: WebhookEndpoint,
) -> None:
    hook, _ = receiver
    hook.statuses = [500, 500]  # payment_intent.succeeded, checkout.session.completed
    session = stripe_client.v1.checkout.sessions.create(params=pack())
    outcome = stripe_sandbox.complete_checkout(session.id)
    assert [(d.status, d.ok) for d in outcome.deliveries] == [(500, False), (500, False)]
    pending = stripe_client.v1.events.list(params={"delivery_success": False}).data
    assert {e.type for e in pending} == {"payment_intent.succeeded", "checkout.session.completed"}
    assert all(e.pending_webhooks == 1 for e in pending)
    retried = stripe_sandbox.redeliver()
    assert [d.ok for d in retried] == [True, True]
    assert stripe_client.v1.events.list(params={"delivery_success": False}).data == []
    assert len(stripe_sandbox.deliveries()) == 4
    # The same event, signed anew, reached the receiver twice.
    completed = hook.of_type("checkout.session.completed", WEBHOOK_SECRET)
    assert [e.id for e in completed] == [outcome.event("checkout.session.completed")["id"]] * 2
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_unreachable_endpoint_and_event_filters(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
) -> None:
    hook, url = receiver
    stripe_sandbox.add_webhook_endpoint("http://127.0.0.1:9/nowhere", "whsec_x")
    only = stripe_sandbox.add_webhook_endpoint(
        url, WEBHOOK_SECRET, enabled_events=["checkout.session.*"]
    )
    session = stripe_client.v1.checkout.sessions.create(params=pack())
    outcome = stripe_sandbox.complete_checkout(session.id)
    by_url = {(d.url, d.event_type): d for d in outcome.deliveries}
    assert by_url[("http://127.0.0.1:9/nowhere", "checkout.session.completed")].error
    assert by_url[(url, "checkout.session.completed")].ok
    assert (url, "payment_intent.succeeded") not in by_url
    assert len(hook.received) == 1
    assert stripe_sandbox.remove_webhook_endpoint(only.id)
    assert [e.id for e in stripe_sandbox.webhook_endpoints()] != [only.id]


def test_api_caused_events_are_delivered_after_the_response(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
    endpoint: WebhookEndpoint,
) -> None:
    hook, _ = receiver
    options: stripe.RequestOptions = {"idempotency_key": "new-customer-1"}
    customer = stripe_client.v1.customers.create(
        params={"email": "new@example.com"}, options=options
    )
    wait_until(lambda: len(hook.received) == 1)
    [created] = hook.of_type("customer.created", WEBHOOK_SECRET)
    assert created.data.object.id == customer.id
    assert created.request is not None
    assert created.request.idempotency_key == "new-customer-1"
    since = stripe_client.v1.events.list(params={"created": {"gte": created.created}}).data
    assert [e.id for e in since] == [created.id]
    assert stripe_client.v1.events.list(params={"created": {"gt": created.created}}).data == []
    wait_until(lambda: stripe_sandbox.events("customer.created")[0]["pending_webhooks"] == 0)
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_hosted_pages_pay_and_redirect(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient
) -> None:
    session = stripe_client.v1.checkout.sessions.create(
        params=pack(
            success_url="https://console.invalid/ok?s={CHECKOUT_SESSION_ID}",
            cancel_url="https://console.invalid/cancel",
        )
    )
    assert session.url is not None
    page = httpx.get(session.url)
    assert page.status_code == 200
    assert "500 credits" in page.text
    assert "Pay \u20ac79.00" in page.text
    cancel = httpx.get(f"{session.url}/cancel")
    assert (cancel.status_code, cancel.headers["location"]) == (
        303,
        "https://console.invalid/cancel",
    )
    paid = httpx.post(f"{session.url}/pay", data={"email": "payer@example.com"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://console.invalid/ok?s={session.id}"
    done = stripe_client.v1.checkout.sessions.retrieve(session.id)
    assert done.customer_details is not None
    assert (done.status, done.customer_details.email) == ("complete", "payer@example.com")
    assert httpx.post(f"{session.url}/pay").status_code == 400  # already paid

    customer = stripe_client.v1.customers.create(params={"email": "c@example.com"})
    portal = stripe_client.v1.billing_portal.sessions.create(params={"customer": customer.id})
    assert "Invoices" in httpx.get(portal.url).text
    assert httpx.get(f"{stripe_sandbox.base_url}/_checkout/cs_missing").status_code == 404


def test_controls_over_http(
    stripe_sandbox: StripeSandbox,
    stripe_client: stripe.StripeClient,
    receiver: tuple[WebhookReceiver, str],
) -> None:
    control = f"{stripe_sandbox.base_url}/_sandbox/stripe"
    hook, url = receiver
    added = httpx.post(f"{control}/webhook_endpoints", json={"url": url, "secret": WEBHOOK_SECRET})
    assert added.status_code == 201
    assert [e["url"] for e in httpx.get(f"{control}/webhook_endpoints").json()] == [url]
    session = stripe_client.v1.checkout.sessions.create(params=pack())
    completed = httpx.post(f"{control}/checkout/{session.id}/complete", json={"name": "Ann"})
    assert completed.status_code == 200
    assert completed.json()["session"]["status"] == "complete"
    assert len(hook.of_type("checkout.session.completed", WEBHOOK_SECRET)) == 1
    assert httpx.post(f"{control}/checkout/{session.id}/complete").status_code == 400
    other = stripe_client.v1.checkout.sessions.create(params=pack())
    assert (
        httpx.post(f"{control}/checkout/{other.id}/expire").json()["session"]["status"] == "expired"
    )
    deliveries = httpx.get(f"{control}/deliveries").json()
    assert [d["event_type"] for d in deliveries] == [
        "payment_intent.succeeded",
        "checkout.session.completed",
        "checkout.session.expired",
    ]
    assert httpx.post(f"{control}/deliveries/retry", json={}).json() == []
    removed = httpx.delete(f"{control}/webhook_endpoints/{added.json()['id']}")
    assert removed.json() == {"deleted": True}
    assert httpx.post(f"{control}/nope").status_code == 404


def test_injected_faults_reach_stripe_python(
    stripe_sandbox: StripeSandbox, stripe_client: stripe.StripeClient
) -> None:
    stripe_sandbox.faults.add(FaultRule("status", path="^/v1/prices$", status=503))
    with pytest.raises(stripe.APIError) as unavailable:
        stripe_client.v1.prices.list()
    assert unavailable.value.http_status == 503
    stripe_sandbox.faults.add(FaultRule("rate_limit", path="^/v1/prices$", retry_after=3))
    with pytest.raises(stripe.RateLimitError) as limited:
        stripe_client.v1.prices.list()
    assert limited.value.headers is not None
    assert limited.value.headers["retry-after"] == "3"
    stripe_sandbox.faults.add(FaultRule("drop", path="^/v1/prices$"))
    with pytest.raises(stripe.APIConnectionError):
        stripe_client.v1.prices.list()
    assert len(stripe_client.v1.prices.list().data) == len(CATALOG)
    check_stripe(stripe_sandbox.recorder.exchanges)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    first = StripeSandbox(tmp_path / "stripe")
    first.serve()
    api = client(first)
    customer = api.v1.customers.create(params={"email": "keep@example.com"})
    session = api.v1.checkout.sessions.create(params=pack(customer=customer.id))
    first.complete_checkout(session.id)
    first.stop()
    second = StripeSandbox(tmp_path / "stripe")
    second.serve()
    try:
        api = client(second)
        assert api.v1.customers.retrieve(customer.id).email == "keep@example.com"
        assert api.v1.checkout.sessions.retrieve(session.id).status == "complete"
        assert len(api.v1.prices.list(params={"limit": 100}).data) == len(CATALOG)
    finally:
        second.stop()


def test_signature_matches_the_documented_vector() -> None:
    header = signature_header(b'{"id":"evt_1","object":"event"}', "whsec_test", 1700000000)
    assert header == (
        "t=1700000000,v1=4c15fb2a43f93ef61eaa3e0893866d57cad9cad4223242cfb96f362480cb4021"
    )


def test_bundled_fixtures_are_stripes_official_ones() -> None:
    bundled = Path(__file__).parents[3] / "console" / "sandbox" / "stripe" / "fixtures.json"
    official = Path(__file__).parents[2] / "data" / "contracts" / "stripe_fixtures.json"
    ours = json.loads(bundled.read_text())["resources"]
    theirs = json.loads(official.read_text())["resources"]
    assert ours == {kind: theirs[kind] for kind in ours}
