"""Stripe billing for the console: checkout for credit packs and tiers, portal, invoices.

Built on ``stripe.StripeClient`` with ``stripe.HTTPXClient`` and the
``*_async`` methods, so it runs on the app's (qasync) loop. Every request
carries ``Stripe-Version: 2026-05-27.dahlia`` (`API_VERSION`), the version the
models and the contract describe, not stripe-python's own newer default.

Retries: stripe-python's own retry (``max_network_retries``) sleeps at least
0.5 s per retry, ignores ``Retry-After`` on 429 and cannot be tuned per
client, so it is 0 by default and the console's `RetryPolicy` runs the loop
instead (`console.services.http.run_with_retry`), like for every other
remote. Every POST carries an ``Idempotency-Key`` that names one request:
the caller's, one made per logical call, or one derived from what the request
says (`request_key`). Every attempt of a request sends the SAME key, so Stripe
replays instead of charging or creating twice, and POSTs are retried like
GETs; a request with other details gets another key, as Stripe refuses (400)
a key reused with other parameters for 24 hours. A ``Stripe-Should-Retry``
header from Stripe overrides the decision.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from console import log as console_log
from console.errors import (
    AuthError,
    Conflict,
    NetworkError,
    NotFound,
    PaymentRequired,
    RateLimited,
    RemoteError,
    ValidationFailed,
)
from console.services.http import (
    Failure,
    Reader,
    RetryPolicy,
    contract_error,
    error_for_status,
    network_error,
    parse_retry_after,
    run_with_retry,
)
from console.services.stripe.models import (
    API_VERSION,
    CheckoutKind,
    CheckoutSession,
    Customer,
    Invoice,
    PortalConfiguration,
    PortalSession,
    Price,
    PriceCatalog,
)

if TYPE_CHECKING:
    from stripe import StripeClient, StripeObject

logger = logging.getLogger(__name__)

REMOTE = "stripe"
T = TypeVar("T")

#: Connect quickly, allow Stripe its usual latency, never hang.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
#: Read sessions with their PaymentIntent: its status tells a delayed payment
#: still processing from a failed one (the session says ``unpaid`` for both).
_SESSION_EXPAND = ["payment_intent"]


def request_key(kind: str, material: Mapping[str, Any]) -> str:
    """An idempotency key naming one request: its kind and everything it says.

    The same request (a retry, or a second console racing the first) gets the
    same key, so Stripe replays it; a request with other details gets another.
    """
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    return f"l4-{kind}-{digest[:40]}"


class StripeBilling:
    """Typed coroutines over Stripe for checkout, prices, customers, portal and invoices.

    Args:
        api_key: secret or restricted key; registered with the log redactor.
        base_url: API root, ``https://api.stripe.com`` or the sandbox's URL.
        policy: the retry policy; the default if None.
        timeout: httpx timeouts for Stripe's HTTPX client.
        max_network_retries: stripe-python's own retries, on top of the policy
            (keep 0; see the module docstring).
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://api.stripe.com",
        policy: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_network_retries: int = 0,
    ) -> None:
        # Imported here: importing stripe takes ~0.4 s, too slow for startup.
        import stripe

        console_log.register_secret(api_key)
        self.policy = policy or RetryPolicy()
        self._http = stripe.HTTPXClient(timeout=timeout)
        self._client: StripeClient = stripe.StripeClient(
            api_key,
            base_addresses={"api": base_url.rstrip("/")},
            http_client=self._http,
            max_network_retries=max_network_retries,
            stripe_version=API_VERSION,
        )

    async def aclose(self) -> None:
        """Close the underlying httpx client."""
        await self._http.close_async()  # type: ignore[no-untyped-call]

    # ------------------------------------------------------------------ plumbing

    async def _call(
        self,
        label: str,
        call: Callable[[], Awaitable[StripeObject]],
    ) -> Reader:
        """One Stripe call through the retry policy, parsed into a `Reader`.

        Params are plain dicts (checked against Stripe's contract in the
        tests); stripe's TypedDict params would need a cast per call, hence
        the ``arg-type`` ignores at the call sites.
        """

        async def attempt() -> StripeObject:
            return await call()

        obj = await run_with_retry(self.policy, attempt, _classify, remote=REMOTE, label=label)
        return Reader(obj.to_dict(recursive=True), remote=REMOTE)

    @staticmethod
    def _options(idempotency_key: str | None) -> dict[str, Any]:
        return {"idempotency_key": idempotency_key or f"l4-{uuid.uuid4()}"}

    # ------------------------------------------------------------------ checkout

    async def create_checkout_session(
        self,
        kind: CheckoutKind,
        *,
        price_id: str,
        org_id: str,
        success_url: str,
        cancel_url: str,
        credits: int | None = None,
        tier: str | None = None,
        customer: str | None = None,
        customer_email: str | None = None,
        idempotency_key: str | None = None,
    ) -> CheckoutSession:
        """Start a Checkout Session for a credit pack (one-time) or a tier (subscription).

        Args:
            kind: ``credit-pack`` (mode payment) or ``subscription``.
            price_id: the Stripe price.
            org_id: the organization that gets the credits / the tier.
            success_url: where Stripe sends the browser after paying.
            cancel_url: where it goes when the buyer gives up.
            credits: credits of the pack (required for ``credit-pack``).
            tier: the tier bought (required for ``subscription``).
            customer: an existing customer id, if known.
            customer_email: prefilled email when there is no customer yet.
            idempotency_key: the outbox row's key, so a resend does not open a
                second session.

        Raises:
            ValidationFailed: missing credits/tier, or Stripe refused a value.
        """
        metadata: dict[str, str] = {"type": kind, "orgId": org_id}
        if kind == "credit-pack":
            if credits is None or credits <= 0:
                raise ValidationFailed("a credit pack needs a positive number of credits")
            metadata["credits"] = str(credits)
        elif kind == "subscription":
            if not tier:
                raise ValidationFailed("a subscription checkout needs a tier")
            metadata["tier"] = tier
        else:
            raise ValidationFailed(f"unknown checkout kind {kind!r}")
        params: dict[str, Any] = {
            "mode": "payment" if kind == "credit-pack" else "subscription",
            "line_items": [{"price": price_id, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": org_id,
            "metadata": metadata,
        }
        if kind == "subscription":
            params["subscription_data"] = {"metadata": dict(metadata)}
        else:
            params["payment_intent_data"] = {"metadata": dict(metadata)}
        if customer:
            params["customer"] = customer
        elif customer_email:
            params["customer_email"] = customer_email
        options = self._options(idempotency_key)
        sessions = self._client.v1.checkout.sessions
        reader = await self._call(
            "POST /v1/checkout/sessions",
            lambda: sessions.create_async(params, options),  # type: ignore[arg-type]
        )
        session = CheckoutSession.parse(reader)
        logger.info("stripe checkout %s created (%s, org %s)", session.id, kind, org_id)
        return session

    async def get_checkout_session(self, session_id: str) -> CheckoutSession:
        """``GET /v1/checkout/sessions/{session}``, with its PaymentIntent's status."""
        sessions = self._client.v1.checkout.sessions
        params: dict[str, Any] = {"expand": _SESSION_EXPAND}
        reader = await self._call(
            f"GET /v1/checkout/sessions/{session_id}",
            lambda: sessions.retrieve_async(session_id, params),  # type: ignore[arg-type]
        )
        return CheckoutSession.parse(reader)

    async def expire_checkout_session(self, session_id: str) -> CheckoutSession:
        """Expire an open session: its page can no longer be paid.

        ``POST /v1/checkout/sessions/{session}/expire``; the key is the
        session's, so a retry after a lost answer is replayed, not refused.

        Raises:
            ValidationFailed: the session is not open any more (paid or expired).
        """
        sessions = self._client.v1.checkout.sessions
        options = {"idempotency_key": request_key("expire", {"session": session_id})}
        reader = await self._call(
            f"POST /v1/checkout/sessions/{session_id}/expire",
            lambda: sessions.expire_async(session_id, None, options),  # type: ignore[arg-type]
        )
        session = CheckoutSession.parse(reader)
        logger.info("stripe checkout %s expired on request", session.id)
        return session

    async def follow_checkout(
        self,
        session_id: str,
        *,
        poll_interval: float = 2.0,
        give_up_after: float = 1800.0,
    ) -> AsyncIterator[CheckoutSession]:
        """Yield the session each time its status or payment state changes.

        Ends after yielding a final (paid, failed or expired) session, or when
        `give_up_after` seconds have passed (the last yield is then still open
        or processing).
        Network trouble between polls is retried by the policy; a
        `RemoteError` that survives it ends the iteration with that error.
        """
        deadline = time.monotonic() + give_up_after
        last: tuple[str | None, str, str | None] | None = None
        while True:
            session = await self.get_checkout_session(session_id)
            state = (session.status, session.payment_status, session.payment_intent_status)
            if state != last:
                last = state
                yield session
            if session.is_final:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.info("stripe checkout %s still open after %.0f s", session_id, give_up_after)
                return
            await asyncio.sleep(min(poll_interval, remaining))

    async def wait_for_checkout(
        self,
        session_id: str,
        *,
        poll_interval: float = 2.0,
        give_up_after: float = 1800.0,
    ) -> CheckoutSession:
        """Poll until the session is paid, failed or expired; the last state on timeout."""
        latest: CheckoutSession | None = None
        async for session in self.follow_checkout(
            session_id, poll_interval=poll_interval, give_up_after=give_up_after
        ):
            latest = session
        assert latest is not None  # follow_checkout yields at least once
        return latest

    # ------------------------------------------------------------------ catalog

    async def list_prices(self, *, limit: int = 100) -> PriceCatalog:
        """Active prices, sorted: credit packs by credits, tiers by amount.

        Prices whose metadata (or product metadata) has no console ``type``
        and no recurring interval are left out.
        """
        prices = self._client.v1.prices
        params: dict[str, Any] = {"active": True, "limit": limit, "expand": ["data.product"]}
        reader = await self._call(
            "GET /v1/prices",
            lambda: prices.list_async(params),  # type: ignore[arg-type]
        )
        parsed = [Price.parse(x) for x in reader.items("data")]
        packs = sorted(
            (p for p in parsed if p.kind == "credit-pack" and p.credits),
            key=lambda p: p.credits or 0,
        )
        tiers = sorted(
            (p for p in parsed if p.kind == "subscription"),
            key=lambda p: p.unit_amount or 0,
        )
        logger.info("stripe prices: %d packs, %d tiers", len(packs), len(tiers))
        return PriceCatalog(packs=tuple(packs), tiers=tuple(tiers))

    # ------------------------------------------------------------------ customers

    async def get_or_create_customer(
        self,
        org_id: str,
        email: str | None,
        *,
        customer_id: str | None = None,
        name: str | None = None,
    ) -> Customer:
        """The organization's customer: `customer_id` if it still exists, else a new one.

        Stripe has no lookup by our org id in the contract's operations, so the
        caller keeps the id (store) and passes it back. The creation's key is
        derived from what it sends and from the customer it replaces: two
        racing calls create one customer, other details (a new email) are a
        new request, and replacing a deleted customer is never answered with
        the replay of that customer's own creation.
        """
        customers = self._client.v1.customers
        replaces: str | None = None
        if customer_id:
            try:
                reader = await self._call(
                    f"GET /v1/customers/{customer_id}",
                    lambda: customers.retrieve_async(customer_id),
                )
                found = Customer.parse(reader)
                if not found.deleted:
                    return found
                logger.info("stripe customer %s was deleted; creating a new one", customer_id)
            except NotFound:
                logger.info("stripe customer %s is gone; creating a new one", customer_id)
            replaces = customer_id
        params: dict[str, Any] = {"metadata": {"orgId": org_id}}
        if email:
            params["email"] = email
        if name:
            params["name"] = name
        options = {
            "idempotency_key": request_key("customer", {"params": params, "replaces": replaces})
        }
        reader = await self._call(
            "POST /v1/customers",
            lambda: customers.create_async(params, options),  # type: ignore[arg-type]
        )
        customer = Customer.parse(reader)
        logger.info("stripe customer %s created for org %s", customer.id, org_id)
        return customer

    async def create_portal_session(
        self, customer: str, return_url: str, *, idempotency_key: str | None = None
    ) -> PortalSession:
        """A billing portal session (manage the subscription, cards, invoices)."""
        portal = self._client.v1.billing_portal.sessions
        params: dict[str, Any] = {"customer": customer, "return_url": return_url}
        options = self._options(idempotency_key)
        reader = await self._call(
            "POST /v1/billing_portal/sessions",
            lambda: portal.create_async(params, options),  # type: ignore[arg-type]
        )
        return PortalSession.parse(reader)

    async def default_portal_configuration(self) -> PortalConfiguration | None:
        """The active default customer portal configuration, None if the account has none.

        ``GET /v1/billing_portal/configurations``: Stripe opens portal sessions
        with this configuration and refuses to while there is none (it is
        created by saving Settings > Billing > Customer portal in the dashboard).
        """
        configurations = self._client.v1.billing_portal.configurations
        params: dict[str, Any] = {"active": True, "is_default": True, "limit": 1}
        reader = await self._call(
            "GET /v1/billing_portal/configurations",
            lambda: configurations.list_async(params),  # type: ignore[arg-type]
        )
        found = [PortalConfiguration.parse(x) for x in reader.items("data")]
        return next((c for c in found if c.active and c.is_default), None)

    async def list_invoices(self, customer: str, *, limit: int = 24) -> tuple[Invoice, ...]:
        """The customer's invoices, newest first."""
        invoices = self._client.v1.invoices
        params: dict[str, Any] = {"customer": customer, "limit": limit}
        reader = await self._call(
            "GET /v1/invoices",
            lambda: invoices.list_async(params),  # type: ignore[arg-type]
        )
        return tuple(Invoice.parse(x) for x in reader.items("data"))


# ---------------------------------------------------------------------- error mapping


def _classify(exc: Exception) -> Failure | None:
    """Judge a stripe-python failure: typed error, and whether to try again."""
    import stripe

    if not isinstance(exc, stripe.StripeError):
        return None
    status = exc.http_status
    headers: Mapping[str, str] = exc.headers or {}
    should_retry = str(headers.get("stripe-should-retry", "")).lower()
    override = {"true": True, "false": False}.get(should_retry)
    error = _translate(exc)
    if isinstance(exc, stripe.APIConnectionError):
        return Failure(error, retry=True if override is None else override)
    if isinstance(error, RateLimited):
        return Failure(error, retry=True if override is None else override, wait=error.retry_after)
    if status is not None and status >= 500:
        wait = parse_retry_after(headers.get("retry-after"))
        return Failure(error, retry=True if override is None else override, wait=wait)
    return Failure(error, retry=bool(override))


def _translate(exc: Any) -> RemoteError:
    import stripe

    status: int | None = exc.http_status
    err = (exc.json_body or {}).get("error") if isinstance(exc.json_body, dict) else None
    code: str | None = exc.code or (err.get("type") if isinstance(err, dict) else None)
    message: str = exc.user_message or (err.get("message") if isinstance(err, dict) else None) or ""
    kw: dict[str, Any] = {"remote": REMOTE, "status": status, "code": code}
    if isinstance(exc, stripe.APIConnectionError):
        cause = exc.__cause__
        if isinstance(cause, Exception):
            return network_error(REMOTE, cause)
        return NetworkError("connection failed", remote=REMOTE)
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return AuthError(message or "the Stripe key was refused", **kw)
    if isinstance(exc, stripe.RateLimitError):
        retry_after = parse_retry_after((exc.headers or {}).get("retry-after"))
        return RateLimited(message or "too many requests", retry_after=retry_after, **kw)
    if isinstance(exc, stripe.CardError):
        return PaymentRequired(message or "the card was declined", **kw)
    if isinstance(exc, stripe.IdempotencyError):
        return Conflict(message or "idempotency key reused", **kw)
    if isinstance(exc, stripe.APIError) and str(exc._message or "").startswith(
        "Invalid response body"
    ):
        return contract_error(REMOTE, "the body is not JSON", status=status)
    if status is None:
        return contract_error(REMOTE, f"{type(exc).__name__} without a status")
    if status == 429:
        retry_after = parse_retry_after((exc.headers or {}).get("retry-after"))
        return RateLimited(message or "too many requests", retry_after=retry_after, **kw)
    return error_for_status(REMOTE, status, code=code, message=message or None)
