"""The platform's Stripe catalog, seeded into every Stripe sandbox.

Credit packs: one-time prices with
`metadata.type = "credit-pack"` and `metadata.credits`. Tiers: monthly
recurring prices with `metadata.type = "subscription"` and `metadata.tier`.
IDs and lookup keys are fixed so the console and tests can name them; the
console should find prices by `lookup_keys[]` or metadata, not by ID.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from console.sandbox.stripe import objects

logger = logging.getLogger(__name__)

SEEDED_AT = 1_767_225_600  # 2026-01-01T00:00:00Z
CURRENCY = "eur"


@dataclass(frozen=True)
class CatalogEntry:
    product_id: str
    price_id: str
    lookup_key: str
    name: str
    description: str
    unit_amount: int  # cents
    interval: str | None
    metadata: dict[str, str]


CREDIT_PACKS: tuple[CatalogEntry, ...] = tuple(
    CatalogEntry(
        product_id=f"prod_credits_{credits}",
        price_id=f"price_credits_{credits}",
        lookup_key=f"credits_{credits}",
        name=f"{credits:,} credits",
        description=f"{credits:,} l4yercak3 credits (one-time purchase)",
        unit_amount=euros * 100,
        interval=None,
        metadata={"type": "credit-pack", "credits": str(credits)},
    )
    for credits, euros in ((100, 19), (500, 79), (2000, 249), (10000, 999))
)

TIERS: tuple[CatalogEntry, ...] = tuple(
    CatalogEntry(
        product_id=f"prod_tier_{tier}",
        price_id=f"price_tier_{tier}_monthly",
        lookup_key=f"tier_{tier}_monthly",
        name=name,
        description=f"l4yercak3 {name}: {credits:,} credits a month",
        unit_amount=euros * 100,
        interval="month",
        metadata={"type": "subscription", "tier": tier},
    )
    for tier, name, euros, credits in (("pro", "Pro", 29, 200), ("agency", "Agency", 299, 2000))
)

CATALOG: tuple[CatalogEntry, ...] = CREDIT_PACKS + TIERS


def seed_objects() -> list[objects.JSON]:
    """Products then prices of the catalog, as Stripe objects."""
    seeded: list[objects.JSON] = []
    for offset, entry in enumerate(CATALOG):
        created = SEEDED_AT + offset
        seeded.append(
            objects.product(
                entry.product_id,
                entry.name,
                created=created,
                description=entry.description,
                metadata=entry.metadata,
                default_price=entry.price_id,
            )
        )
        seeded.append(
            objects.price(
                entry.price_id,
                entry.product_id,
                unit_amount=entry.unit_amount,
                currency=CURRENCY,
                created=created,
                interval=entry.interval,
                lookup_key=entry.lookup_key,
                nickname=entry.name,
                metadata=entry.metadata,
            )
        )
    return seeded
