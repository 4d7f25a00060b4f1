"""Stripe account problems the console can name, beyond what a status code says."""

from __future__ import annotations

import logging

from console.errors import RemoteError

logger = logging.getLogger(__name__)

#: Where Stripe's dashboard keeps the customer portal settings.
PORTAL_SETTINGS = "Stripe dashboard > Settings > Billing > Customer portal"


class PortalNotConfigured(RemoteError):
    """The Stripe account has no active default customer portal configuration.

    Stripe refuses every portal session (400) until the portal settings are
    saved once in the dashboard, separately in test and in live mode.
    """

    action = f"Save the portal settings in {PORTAL_SETTINGS} (test and live mode each need it)."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "the account has no customer portal configuration, so Billing portal cannot open.",
            remote="stripe",
            status=400,
        )
