"""Stripe webhook signatures, verified exactly as stripe-python does.

Header `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`; each v1 is the
hex HMAC-SHA256 of `"{t}.{raw body}"` keyed with the whole endpoint secret
(including `whsec_`). Any matching v1 passes (constant-time compare); then a
timestamp older than the tolerance (300 s) is rejected. Future timestamps are
accepted, as in stripe-python. Source: stripe/stripe-python `stripe/_webhook.py`
(`Webhook.DEFAULT_TOLERANCE = 300`, `generate_signature_header`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

logger = logging.getLogger(__name__)

DEFAULT_TOLERANCE = 300
EXPECTED_SCHEME = "v1"


class SignatureError(Exception):
    """The Stripe-Signature header does not verify."""


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Build a header as Stripe sends it (for tests and demos)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},{EXPECTED_SCHEME}={compute_signature(payload, secret, t)}"


def verify_header(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> None:
    """Raise SignatureError unless `header` signs `payload` with `secret`."""
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    if not secret.strip():
        raise SignatureError("no webhook secret configured")
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("the payload is not UTF-8") from None
    # Parsed like stripe-python: no trimming, `split("=", 2)`, the first `t` wins.
    items = [item.split("=", 2) for item in header.split(",")]
    try:
        timestamp = int(next(item[1] for item in items if item[0] == "t"))
        signatures = [item[1] for item in items if item[0] == EXPECTED_SCHEME]
    except (StopIteration, IndexError, ValueError):
        raise SignatureError("unable to extract timestamp and signatures from header") from None
    if not signatures:
        raise SignatureError(f"no signatures found with expected scheme {EXPECTED_SCHEME}")
    expected = compute_signature(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in signatures):
        raise SignatureError("no signatures found matching the expected signature for payload")
    if tolerance and timestamp < now - tolerance:
        raise SignatureError("timestamp outside the tolerance zone")
