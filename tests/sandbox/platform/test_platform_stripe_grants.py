"""The platform grants a checkout's credits only once it is paid, once per session.

Stripe events as Stripe sends them for a card payment (completed, paid) and
for a delayed one (completed unpaid, then async_payment_succeeded or _failed);
the grant names its Checkout Session, and the console finds it by that id.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from console.sandbox.platform import PlatformSandbox


def _event(event_id: str, event_type: str, session_id: str, paid: str, org_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "data": {
                "object": {
                    "id": session_id,
                    "object": "checkout.session",
                    "payment_status": paid,
                    "metadata": {"type": "credit-pack", "credits": "500", "orgId": org_id},
                }
            },
        }
    ).encode()


def _post(client: httpx.Client, sandbox: PlatformSandbox, payload: bytes) -> dict[str, Any]:
    response = client.post(
        "/stripe/webhook",
        content=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sandbox.stripe_signature(payload),
        },
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_unpaid_completion_grants_nothing_until_the_bank_confirms(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    org = sandbox.agency_id
    before = sandbox.balance().purchased
    completed = _event("evt_1", "checkout.session.completed", "cs_sepa", "unpaid", org)
    assert _post(client, sandbox, completed)["handled"] is False
    assert sandbox.balance().purchased == before
    assert sandbox.transactions(checkout_session_id="cs_sepa") == []

    confirmed = _event("evt_2", "checkout.session.async_payment_succeeded", "cs_sepa", "paid", org)
    assert _post(client, sandbox, confirmed)["handled"] is True
    assert sandbox.balance().purchased == before + 500
    listed = client.get("/credits/transactions", params={"checkoutSessionId": "cs_sepa"})
    contract.check(listed)
    [grant] = listed.json()["data"]
    assert (grant["kind"], grant["amount"]) == ("purchase", 500)
    assert grant["checkoutSessionId"] == "cs_sepa"


def test_refused_debit_grants_nothing(client: httpx.Client, sandbox: PlatformSandbox) -> None:
    org = sandbox.agency_id
    before = sandbox.balance().purchased
    for event_id, event_type in (
        ("evt_1", "checkout.session.completed"),
        ("evt_2", "checkout.session.async_payment_failed"),
    ):
        payload = _event(event_id, event_type, "cs_refused", "unpaid", org)
        assert _post(client, sandbox, payload)["handled"] is False
    assert sandbox.balance().purchased == before
    assert sandbox.transactions(checkout_session_id="cs_refused") == []


def test_one_grant_per_session_whatever_the_events(
    client: httpx.Client, sandbox: PlatformSandbox
) -> None:
    org = sandbox.agency_id
    before = sandbox.balance().purchased
    paid = _event("evt_1", "checkout.session.completed", "cs_card", "paid", org)
    assert _post(client, sandbox, paid)["handled"] is True
    # Another event about the same paid session (a new id, not a redelivery).
    echo = _event("evt_2", "checkout.session.async_payment_succeeded", "cs_card", "paid", org)
    assert _post(client, sandbox, echo) == {"received": True, "handled": False, "duplicate": False}
    assert sandbox.balance().purchased == before + 500
    assert len(sandbox.transactions(checkout_session_id="cs_card")) == 1


def test_only_purchase_grants_carry_a_checkout_session(
    client: httpx.Client, sandbox: PlatformSandbox, clock: Any, contract: Any
) -> None:
    sandbox.set_balance(daily=0)
    clock.advance(days=1)  # the next request grants the day's credits
    listed = client.get("/credits/transactions", params={"kind": "daily_grant", "limit": 1})
    contract.check(listed)
    [daily] = listed.json()["data"]
    assert daily["checkoutSessionId"] is None
    assert sandbox.transactions(checkout_session_id="cs_none") == []
