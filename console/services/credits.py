"""Credits: the balance and its level, usage, transactions, and buying through Stripe.

Reading is store-only (balance snapshots and transactions synced from the
platform, licensing limits kept as a setting). Buying opens a Stripe
Checkout Session (metadata ``type``, ``orgId`` and ``credits`` or ``tier``),
reports it (the view shows its link and opens the browser), follows it until
it is paid, failed or expired, and then waits for the platform's grant FOR
THAT SESSION (a transaction carrying its ``checkoutSessionId``, made on
Stripe's signed event): the balance alone would also rise with a daily grant.
A delayed payment (SEPA Direct Debit) completes the session unpaid; it is
followed as "processing" until the bank confirms or refuses it. Cancelling
expires the session, so its link can no longer be paid.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select

from console.errors import ConsoleError, UserInputError, ValidationFailed
from console.services.platform.client import PlatformClient
from console.services.platform.models import CreditTransaction as PlatformTransaction
from console.services.platform.models import LicensingLimits
from console.services.stripe.client import StripeBilling
from console.services.stripe.errors import PortalNotConfigured
from console.services.stripe.models import CheckoutSession, Invoice, Price, PriceCatalog
from console.services.sync import apply
from console.store.db import Store
from console.store.models import Agent, CreditBalance, CreditTransaction, Organization, Setting

logger = logging.getLogger(__name__)

#: Low-credit warning below this share of the monthly allocation.
LOW_CREDIT_FRACTION = 0.2
USAGE_KINDS = ("llm_message", "tool_call")
LIMITS_SETTING = "credits.licensing_limits"
CUSTOMER_SETTING = "stripe.customer_id"
#: Where Stripe sends the browser after checkout (a page of the platform's web app).
SUCCESS_URL = "https://app.l4yercak3.com/console/checkout/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://app.l4yercak3.com/console/checkout/cancelled"
PORTAL_RETURN_URL = "https://app.l4yercak3.com/console/billing"

Level = Literal["ok", "low", "empty"]


def credit_level(total: float, allocation: float) -> Level:
    """``empty`` at zero or below, ``low`` below 20% of the allocation, else ``ok``."""
    if total <= 0:
        return "empty"
    if allocation > 0 and total < LOW_CREDIT_FRACTION * allocation:
        return "low"
    return "ok"


@dataclass(frozen=True)
class CreditState:
    """The pool's latest balance, as the banner, the wall and the dashboard show it."""

    org_id: str
    tier: str
    daily: float
    monthly: float
    purchased: float
    allocation: float
    taken_at: datetime

    @property
    def total(self) -> float:
        return round(self.daily + self.monthly + self.purchased, 2)

    @property
    def level(self) -> Level:
        return credit_level(self.total, self.allocation)

    @property
    def low_threshold(self) -> float:
        return round(LOW_CREDIT_FRACTION * self.allocation, 2)

    @property
    def shortfall(self) -> float:
        """Credits needed to get back above the warning level (at least 1 when empty)."""
        need = max(self.low_threshold - self.total, -self.total, 0.0)
        if self.total <= 0:
            need = max(need, 1.0)
        return round(need, 2)


@dataclass(frozen=True)
class UsageDay:
    day: date
    llm_messages: float
    tool_calls: float

    @property
    def total(self) -> float:
        return self.llm_messages + self.tool_calls


@dataclass(frozen=True)
class UsageRow:
    """Spending of one agent or one client in a period."""

    key: str
    label: str
    llm_messages: float
    tool_calls: float
    operations: int

    @property
    def total(self) -> float:
        return round(self.llm_messages + self.tool_calls, 2)


@dataclass(frozen=True)
class TransactionRow:
    id: str
    created_at: datetime
    kind: str
    amount: float
    org_id: str
    org_name: str
    agent_name: str
    session_id: str
    description: str


CheckoutStage = Literal[
    "creating",  # the session is being created
    "opened",  # it exists: its link is in `session.url`
    "waiting",  # open, not paid yet
    "processing",  # completed with a delayed method; the bank has not answered
    "paid",  # paid; waiting for the platform's grant
    "granted",  # the platform granted this session's purchase
    "failed",  # the bank refused the delayed payment
    "expired",  # expired unpaid
    "cancelled",  # expired because staff cancelled (or the wait ran out)
    "timed_out",  # stopped following: still processing, or paid but not granted yet
]
#: What "processing" means, shown while a delayed payment is pending.
PROCESSING_TEXT = (
    "Payment submitted by bank debit (such as SEPA Direct Debit): processing. "
    "The credits arrive when the bank confirms the payment, usually within a few "
    "business days."
)


@dataclass(frozen=True)
class CheckoutProgress:
    """A step of a purchase, for the checkout panel."""

    stage: CheckoutStage
    text: str
    session: CheckoutSession | None = None


@dataclass(frozen=True)
class PurchaseResult:
    """How a purchase ended: its session, and the platform's grant for it, if any."""

    session: CheckoutSession
    grant: PlatformTransaction | None
    balance_before: float
    balance_after: float

    @property
    def granted(self) -> bool:
        return self.grant is not None


class TooLateToCancel(ConsoleError):
    """The checkout was completed before it could be cancelled."""

    action = "The purchase goes on; its outcome shows in the checkout panel."


def eur(cents: int | None) -> str:
    """Euro cents as the price tag staff read ("€79", "€1,000", "€19.50")."""
    if cents is None:
        return "custom"
    whole, rest = divmod(cents, 100)
    return f"€{whole:,}" if rest == 0 else f"€{whole:,}.{rest:02d}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CreditsService:
    """Credit figures from the store, refresh from the platform, buying through Stripe.

    Args:
        store: the local store.
        platform: the platform client.
        stripe: Stripe billing.
        clock: "now".
        poll_interval: seconds between checkout polls.
        checkout_timeout: how long to follow a checkout before giving up (an
            unpaid one is then cancelled, a processing one keeps going without us).
        grant_timeout: how long to wait for the platform to show a paid grant.
    """

    def __init__(
        self,
        store: Store,
        platform: PlatformClient,
        stripe: StripeBilling,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_interval: float = 2.0,
        checkout_timeout: float = 1800.0,
        grant_timeout: float = 30.0,
    ) -> None:
        self._store = store
        self._platform = platform
        self._stripe = stripe
        self._clock = clock
        self.poll_interval = poll_interval
        self.checkout_timeout = checkout_timeout
        self.grant_timeout = grant_timeout
        self._catalog: PriceCatalog | None = None
        # Sessions expired on purpose, so their end reads "cancelled", not "expired".
        self._cancelled: set[str] = set()

    # --- reading (store) ---------------------------------------------------------
    def state(self) -> CreditState | None:
        """The latest balance of the agency's pool, or None before the first sync."""
        with self._store.read() as session:
            agency = session.scalars(
                select(Organization).where(Organization.parent_id.is_(None))
            ).first()
            query = select(CreditBalance)
            if agency is not None:
                query = query.where(CreditBalance.org_id == agency.id)
            latest = session.scalars(
                query.order_by(CreditBalance.taken_at.desc(), CreditBalance.id.desc())
            ).first()
            if latest is None:
                return None
            return CreditState(
                org_id=latest.org_id,
                tier=agency.tier if agency is not None else "free",
                daily=latest.daily,
                monthly=latest.monthly,
                purchased=latest.purchased,
                allocation=latest.monthly_allocation,
                taken_at=_aware(latest.taken_at),
            )

    def limits(self) -> LicensingLimits | None:
        """The tier's limits and usage as last fetched (None before `refresh`)."""
        from console.services.http import Reader

        with self._store.read() as session:
            row = session.get(Setting, LIMITS_SETTING)
            if row is None or not isinstance(row.value, dict):
                return None
            return LicensingLimits.parse(Reader(row.value, remote="platform"))

    def _window_start(self, days: int) -> datetime:
        """Midnight (UTC) starting the last `days` calendar days, today included.

        Every usage figure uses this window, so the per-day chart and the
        per-agent and per-client tables add up to the same total.
        """
        first = self._clock().astimezone(UTC).date() - timedelta(days=days - 1)
        return datetime(first.year, first.month, first.day, tzinfo=UTC)

    def usage_by_day(self, days: int = 30) -> list[UsageDay]:
        """Credits spent per day (LLM messages, tool calls), oldest first, gaps as zero."""
        since = self._window_start(days)
        first = since.date()
        buckets: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0])
        with self._store.read() as session:
            for kind, amount, at in session.execute(
                select(
                    CreditTransaction.kind, CreditTransaction.amount, CreditTransaction.created_at
                ).where(
                    CreditTransaction.kind.in_(USAGE_KINDS), CreditTransaction.created_at >= since
                )
            ):
                buckets[_aware(at).date()][0 if kind == "llm_message" else 1] += -amount
        return [
            UsageDay(d, round(buckets[d][0], 2), round(buckets[d][1], 2))
            for d in (first + timedelta(days=i) for i in range(days))
        ]

    def usage_by(self, group: Literal["agent", "org"], days: int = 30) -> list[UsageRow]:
        """Spending per agent or per client in the last `days`, biggest first."""
        since = self._window_start(days)
        column = CreditTransaction.agent_id if group == "agent" else CreditTransaction.org_id
        with self._store.read() as session:
            names = self._names(session, group)
            rows = session.execute(
                select(
                    column,
                    CreditTransaction.kind,
                    func.sum(CreditTransaction.amount),
                    func.count(),
                )
                .where(
                    CreditTransaction.kind.in_(USAGE_KINDS), CreditTransaction.created_at >= since
                )
                .group_by(column, CreditTransaction.kind)
            ).all()
        merged: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for key, kind, amount, count in rows:
            bucket = merged[key or ""]
            bucket[0 if kind == "llm_message" else 1] += -float(amount or 0)
            bucket[2] += count
        result = [
            UsageRow(
                key,
                names.get(key, key or ("(no agent)" if group == "agent" else "(agency)")),
                round(v[0], 2),
                round(v[1], 2),
                int(v[2]),
            )
            for key, v in merged.items()
        ]
        result.sort(key=lambda r: -r.total)
        return result

    def transactions(self) -> list[TransactionRow]:
        """Every stored transaction, newest first, with client and agent names."""
        with self._store.read() as session:
            orgs = self._names(session, "org")
            agents = self._names(session, "agent")
            rows = session.scalars(
                select(CreditTransaction).order_by(CreditTransaction.created_at.desc())
            ).all()
            return [
                TransactionRow(
                    id=t.id,
                    created_at=_aware(t.created_at),
                    kind=t.kind,
                    amount=t.amount,
                    org_id=t.org_id,
                    org_name=orgs.get(t.org_id, t.org_id),
                    agent_name=agents.get(t.agent_id or "", ""),
                    session_id=t.session_id or "",
                    description=t.description,
                )
                for t in rows
            ]

    @staticmethod
    def _names(session: Any, group: Literal["agent", "org"]) -> dict[str, str]:
        model = Agent if group == "agent" else Organization
        return {k: v for k, v in session.execute(select(model.id, model.name))}

    # --- refreshing (platform -> store) ----------------------------------------------
    async def refresh(self) -> CreditState | None:
        """Fetch balance, tier, limits and new transactions into the store."""
        org, balance, limits = await asyncio.gather(
            self._platform.get_organization(),
            self._platform.get_credit_balance(),
            self._platform.get_licensing_limits(),
        )
        await asyncio.to_thread(apply.apply_organization, self._store, org)
        await asyncio.to_thread(apply.apply_balance, self._store, balance)
        await asyncio.to_thread(self._save_limits_blocking, limits)
        await self._pull_transactions()
        return self.state()

    async def _pull_transactions(self) -> None:
        with self._store.read() as session:
            newest = session.scalar(select(func.max(CreditTransaction.created_at)))
        since = _aware(newest) - timedelta(minutes=5) if newest is not None else None
        cursor: str | None = None
        while True:
            page = await self._platform.list_credit_transactions(
                since=since, limit=200, cursor=cursor
            )
            await asyncio.to_thread(apply.apply_transactions, self._store, page.items)
            cursor = page.next_cursor
            if cursor is None:
                return

    def _save_limits_blocking(self, limits: LicensingLimits) -> None:
        value = {
            "tier": limits.tier,
            "builderApps": {"used": limits.builder_apps.used, "limit": limits.builder_apps.limit},
            "checkoutInstances": {
                "used": limits.checkout_instances.used,
                "limit": limits.checkout_instances.limit,
            },
            "customDomains": {
                "used": limits.custom_domains.used,
                "limit": limits.custom_domains.limit,
            },
            "monthlyCredits": limits.monthly_credits,
            "badgeRequired": limits.badge_required,
            "whiteLabel": limits.white_label,
        }
        with self._store.write() as tx:
            tx.session.merge(Setting(key=LIMITS_SETTING, value=value))

    # --- buying (Stripe) ------------------------------------------------------------
    async def catalog(self) -> PriceCatalog:
        """Credit packs and tiers on sale (fetched once per run)."""
        if self._catalog is None:
            self._catalog = await self._stripe.list_prices()
        return self._catalog

    async def buy(
        self,
        price: Price,
        progress: Callable[[CheckoutProgress], None] | None = None,
    ) -> PurchaseResult:
        """Buy a credit pack or a tier: checkout, follow it, then the platform's grant.

        Args:
            price: a pack or a tier from `catalog()`.
            progress: told about each step; ``opened`` carries the session
                whose `url` the customer pays at.

        Raises:
            UserInputError: the price is neither a pack nor a tier.
            RemoteError: Stripe or the platform failed (after retries).
        """
        report = progress or (lambda _p: None)
        state = self.state()
        org_id = state.org_id if state is not None else await self._agency_id()
        before = state.total if state is not None else 0.0
        report(CheckoutProgress("creating", "Opening a Stripe checkout…"))
        customer = await self.customer_id(org_id)
        what, session = await self._create_checkout(price, org_id, customer)
        if not session.url:
            raise UserInputError("Stripe returned no checkout page for this session.")
        report(
            CheckoutProgress(
                "opened", f"Checkout for {what} ({eur(session.amount_total)}) is open.", session
            )
        )
        final = await self._follow(session, what, report)
        gave_up = final.outcome == "open"
        if gave_up:
            # We stop following: the unpaid session must not stay payable.
            final = await self._expire_unpaid(final)
        unchanged = PurchaseResult(final, None, before, before)
        outcome = final.outcome
        if outcome == "expired":
            cancelled = final.id in self._cancelled
            self._cancelled.discard(final.id)
            if gave_up:
                minutes = round(self.checkout_timeout / 60)
                text = (
                    f"Not paid within {minutes} minutes, so the purchase was cancelled: "
                    "the checkout link no longer works; nothing was charged."
                )
                report(CheckoutProgress("cancelled", text, final))
            elif cancelled:
                text = "Purchase cancelled: the checkout link no longer works; nothing was charged."
                report(CheckoutProgress("cancelled", text, final))
            else:
                text = "The checkout expired unpaid; nothing was charged."
                report(CheckoutProgress("expired", text, final))
            return unchanged
        if outcome == "failed":
            text = (
                "The bank refused the payment: nothing was charged and no credits were added. "
                "Try again with another payment method."
            )
            report(CheckoutProgress("failed", text, final))
            return unchanged
        if outcome == "processing":
            text = (
                "Still processing. The credits arrive when the bank confirms the payment "
                "(usually a few business days) and show up in the balance then."
            )
            report(CheckoutProgress("timed_out", text, final))
            return unchanged
        report(CheckoutProgress("paid", "Paid. Waiting for the platform to add it…", final))
        grant = await self._wait_for_grant(final.id)
        if grant is None:
            text = "Paid; the platform has not added it yet. It appears with the next sync."
            report(CheckoutProgress("timed_out", text, final))
            logger.info("checkout %s paid; no grant seen yet", final.id)
            return unchanged
        after = await self.refresh()
        total = after.total if after is not None else before
        text = f"Done: {what} added. Balance {total:,.0f} credits."
        report(CheckoutProgress("granted", text, final))
        logger.info("checkout %s paid and granted (%s)", final.id, grant.id)
        return PurchaseResult(final, grant, before, total)

    async def cancel_checkout(self, session_id: str) -> CheckoutSession:
        """Cancel a purchase still open: expire its Stripe session so it can no longer be paid.

        The purchase being followed then ends as cancelled.

        Raises:
            TooLateToCancel: the checkout was completed meanwhile (paid, or a
                bank debit submitted); the purchase goes on.
            RemoteError: Stripe failed (after retries).
        """
        self._cancelled.add(session_id)
        try:
            return await self._stripe.expire_checkout_session(session_id)
        except ValidationFailed as error:
            self._cancelled.discard(session_id)
            current = await self._stripe.get_checkout_session(session_id)
            if current.outcome == "open":
                raise
            raise TooLateToCancel(
                f"Too late to cancel: the checkout is already {current.outcome}."
            ) from error
        except BaseException:
            self._cancelled.discard(session_id)
            raise

    async def _create_checkout(
        self, price: Price, org_id: str, customer: str
    ) -> tuple[str, CheckoutSession]:
        # One key per purchase: retries of this create reuse it, a new purchase gets its own.
        key = f"l4-checkout-{uuid.uuid4()}"
        if price.kind == "credit-pack" and price.credits:
            session = await self._stripe.create_checkout_session(
                "credit-pack",
                price_id=price.id,
                org_id=org_id,
                credits=price.credits,
                customer=customer,
                success_url=SUCCESS_URL,
                cancel_url=CANCEL_URL,
                idempotency_key=key,
            )
            return f"{price.credits:,} credits", session
        if price.kind == "subscription" and price.tier:
            session = await self._stripe.create_checkout_session(
                "subscription",
                price_id=price.id,
                org_id=org_id,
                tier=price.tier,
                customer=customer,
                success_url=SUCCESS_URL,
                cancel_url=CANCEL_URL,
                idempotency_key=key,
            )
            return f"the {price.tier.capitalize()} tier", session
        raise UserInputError("This price is neither a credit pack nor a tier.")

    async def _follow(
        self,
        session: CheckoutSession,
        what: str,
        report: Callable[[CheckoutProgress], None],
    ) -> CheckoutSession:
        """Follow the session until it is final or the wait runs out; the last state."""
        final = session
        async for current in self._stripe.follow_checkout(
            session.id, poll_interval=self.poll_interval, give_up_after=self.checkout_timeout
        ):
            final = current
            if current.outcome == "open":
                text = f"Waiting for payment of {what} in the browser…"
                report(CheckoutProgress("waiting", text, current))
            elif current.outcome == "processing":
                report(CheckoutProgress("processing", PROCESSING_TEXT, current))
        return final

    async def _expire_unpaid(self, session: CheckoutSession) -> CheckoutSession:
        """Expire a session nobody paid in time; as it is now if it was just completed."""
        try:
            return await self.cancel_checkout(session.id)
        except TooLateToCancel:
            return await self._stripe.get_checkout_session(session.id)

    async def _wait_for_grant(self, session_id: str) -> PlatformTransaction | None:
        """The platform's transaction for this checkout session, once it shows; None on timeout.

        Only the session's own grant counts: a daily grant or a refund moving
        the balance meanwhile is not this purchase.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.grant_timeout
        while True:
            page = await self._platform.list_credit_transactions(
                checkout_session_id=session_id, limit=1
            )
            if page.items:
                return page.items[0]
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(min(self.poll_interval, 1.0))

    async def _agency_id(self) -> str:
        org = await self._platform.get_organization()
        return org.id

    async def customer_id(self, org_id: str | None = None) -> str:
        """The agency's Stripe customer (created once, remembered in the store)."""
        with self._store.read() as session:
            row = session.get(Setting, CUSTOMER_SETTING)
            known = str(row.value) if row is not None and row.value else None
            agency = session.scalars(
                select(Organization).where(Organization.parent_id.is_(None))
            ).first()
        org = org_id or (agency.id if agency is not None else await self._agency_id())
        name = agency.name if agency is not None else None
        customer = await self._stripe.get_or_create_customer(
            org, None, customer_id=known, name=name
        )
        if customer.id != known:
            with self._store.write() as tx:
                tx.session.merge(Setting(key=CUSTOMER_SETTING, value=customer.id))
        return customer.id

    async def portal_url(self) -> str:
        """A Stripe customer portal link (invoices, payment methods, subscription).

        Raises:
            PortalNotConfigured: the account's portal settings were never
                saved in the dashboard (Stripe then refuses every portal session).
        """
        customer = await self.customer_id()
        try:
            portal = await self._stripe.create_portal_session(customer, PORTAL_RETURN_URL)
        except ValidationFailed as error:
            if await self._stripe.default_portal_configuration() is None:
                raise PortalNotConfigured() from error
            raise
        return portal.url

    async def invoices(self) -> tuple[Invoice, ...]:
        customer = await self.customer_id()
        return await self._stripe.list_invoices(customer)


def write_csv(path: Path, rows: Iterable[TransactionRow]) -> int:
    """Write transactions as CSV (UTF-8, header row); returns how many were written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["date", "kind", "amount", "client", "agent", "session", "description", "id"]
        )
        for r in rows:
            writer.writerow(
                [
                    r.created_at.isoformat(timespec="seconds"),
                    r.kind,
                    f"{r.amount:g}",
                    r.org_name,
                    r.agent_name,
                    r.session_id,
                    r.description,
                    r.id,
                ]
            )
            count += 1
    logger.info("exported %d credit transactions", count)
    return count


def pack_label(price: Price) -> str:
    return f"{price.credits or 0:,} credits · {eur(price.unit_amount)}"


def tier_label(price: Price) -> str:
    name = (price.tier or price.product_name or "tier").capitalize()
    return f"{name} · {eur(price.unit_amount)}/{price.recurring_interval or 'month'}"


__all__: Sequence[str] = [
    "PROCESSING_TEXT",
    "CheckoutProgress",
    "CheckoutStage",
    "CreditState",
    "CreditsService",
    "PurchaseResult",
    "TooLateToCancel",
    "TransactionRow",
    "UsageDay",
    "UsageRow",
    "credit_level",
    "eur",
    "write_csv",
]
