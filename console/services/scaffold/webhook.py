"""How the platform signs the webhooks a generated app receives.

The generated `app/api/webhook/route.ts` verifies exactly this scheme
(`console/contracts/platform.yaml`, "Outgoing webhooks"), modelled on Stripe's:

    X-L4yercak3-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]

where each `v1` is the hex HMAC-SHA256 of `f"{t}.{raw body}"` keyed with the
whole webhook secret (`whsec_...`, UTF-8). Several `v1` entries are allowed
during secret rotation; one match is enough. The receiver rejects a header
older or newer than `TOLERANCE_SECONDS` (replay protection) with 401.

Whoever sends webhooks (the platform sandbox, tests) signs with `sign()`.
"""

from __future__ import annotations

import hashlib
import hmac
import time

#: Header name; HTTP header names are case-insensitive.
SIGNATURE_HEADER = "X-L4yercak3-Signature"
#: Route of the generated app that receives platform webhooks.
WEBHOOK_PATH = "/api/webhook"
TOLERANCE_SECONDS = 300


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The hex `v1` value for `body` sent at `timestamp`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `X-L4yercak3-Signature` header value for `body` (timestamp: now)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(body, secret, t)}"
