"""Stripe sandbox: a local server speaking the subset of Stripe's API the console uses.

Start one with::

    sandbox = StripeSandbox(root)
    sandbox.serve()
    client = stripe.StripeClient(
        DEFAULT_API_KEY,
        base_addresses={"api": sandbox.base_url},
        http_client=stripe.HTTPXClient(),
        max_network_retries=0,
        stripe_version=API_VERSION,         # any other version is refused (400)
    )
    endpoint = sandbox.add_webhook_endpoint("http://127.0.0.1:PORT/webhooks/stripe")
    ...
    sandbox.complete_checkout(session_id)   # the customer pays; events are delivered
    sandbox.complete_checkout(other, payment_method="sepa_debit")  # complete, unpaid
    sandbox.finish_delayed_payment(other, succeeded=True)          # the bank confirms
    sandbox.stop()

The catalog (credit packs and tiers) is seeded: see `catalog`.
"""

from __future__ import annotations

from console.sandbox.stripe.app import is_sandbox_extension
from console.sandbox.stripe.catalog import CATALOG, CREDIT_PACKS, TIERS, CatalogEntry
from console.sandbox.stripe.errors import StripeApiError
from console.sandbox.stripe.objects import API_VERSION
from console.sandbox.stripe.sandbox import (
    DEFAULT_API_KEY,
    PORTAL_NOT_CONFIGURED,
    CheckoutOutcome,
    StripeSandbox,
)
from console.sandbox.stripe.store import WebhookDelivery, WebhookEndpoint
from console.sandbox.stripe.webhooks import signature_header

__all__ = [
    "API_VERSION",
    "CATALOG",
    "CREDIT_PACKS",
    "DEFAULT_API_KEY",
    "PORTAL_NOT_CONFIGURED",
    "TIERS",
    "CatalogEntry",
    "CheckoutOutcome",
    "StripeApiError",
    "StripeSandbox",
    "WebhookDelivery",
    "WebhookEndpoint",
    "is_sandbox_extension",
    "signature_header",
]
