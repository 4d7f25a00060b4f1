"""Signing and delivering webhook events the way Stripe does.

Scheme (from stripe-python `_webhook.py`): the header is
`Stripe-Signature: t=<unix seconds>,v1=<hex>` where `v1` is the HMAC-SHA256
of `f"{t}.{raw_body}"` keyed with the whole `whsec_...` secret. The body is
serialised once and sent exactly as signed.

Delivery is one POST per (event, endpoint) with a short timeout; the outcome
is recorded (`WebhookDelivery`) and failed ones can be retried with
`StripeSandbox.redeliver`. Stripe retries on its own for days; the sandbox
does not retry by itself, so tests stay deterministic.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

import httpx

from console.sandbox.stripe.objects import JSON
from console.sandbox.stripe.store import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` value for `payload` signed with `secret`."""
    t = int(time.time()) if timestamp is None else timestamp
    signed = str(t).encode() + b"." + payload
    v1 = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={v1}"


@dataclass(frozen=True)
class Outgoing:
    """One signed request, ready to send."""

    event_id: str
    event_type: str
    endpoint: WebhookEndpoint
    body: bytes
    headers: dict[str, str]


def prepare(event: JSON, endpoint: WebhookEndpoint) -> Outgoing:
    body = json.dumps(event, indent=2).encode()
    return Outgoing(
        event_id=event["id"],
        event_type=event["type"],
        endpoint=endpoint,
        body=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Stripe-Signature": signature_header(body, endpoint.secret),
        },
    )


def _outcome(outgoing: Outgoing, status: int | None, error: str | None) -> WebhookDelivery:
    if error is not None:
        logger.info(
            "stripe sandbox: %s to %s failed: %s", outgoing.event_id, outgoing.endpoint.id, error
        )
    return WebhookDelivery(
        event_id=outgoing.event_id,
        event_type=outgoing.event_type,
        endpoint_id=outgoing.endpoint.id,
        url=outgoing.endpoint.url,
        status=status,
        error=error,
        attempted_at=time.time(),
    )


def send_blocking(outgoing: Outgoing, timeout: float) -> WebhookDelivery:
    try:
        with httpx.Client(timeout=timeout) as client:
            response = client.post(
                outgoing.endpoint.url, content=outgoing.body, headers=outgoing.headers
            )
    except httpx.HTTPError as exc:
        return _outcome(outgoing, None, f"{type(exc).__name__}: {exc}")
    error = None if response.is_success else f"HTTP {response.status_code}"
    return _outcome(outgoing, response.status_code, error)


async def send(outgoing: Outgoing, *, wait: float) -> WebhookDelivery:
    """Deliver from a coroutine; `wait` is httpx's per-phase timeout in seconds."""
    try:
        async with httpx.AsyncClient(timeout=wait) as client:
            response = await client.post(
                outgoing.endpoint.url, content=outgoing.body, headers=outgoing.headers
            )
    except httpx.HTTPError as exc:
        return _outcome(outgoing, None, f"{type(exc).__name__}: {exc}")
    error = None if response.is_success else f"HTTP {response.status_code}"
    return _outcome(outgoing, response.status_code, error)
