"""Contract checks for the Vercel sandbox's exchanges (its extensions skipped)."""

from __future__ import annotations

from console.sandbox.recording import Exchange
from console.sandbox.vercel import is_sandbox_extension
from tests.contract_check import VendorContract, check_all, contract


def vercel_contract() -> VendorContract:
    return contract("vercel")


def check_vercel(exchanges: list[Exchange]) -> int:
    """Check every contract exchange both ways; returns how many were checked."""
    return check_all("vercel", exchanges, extension=is_sandbox_extension)


def operations_hit(exchanges: list[Exchange]) -> set[str]:
    checker = vercel_contract()
    hit = set()
    for ex in exchanges:
        if is_sandbox_extension(ex.path) or ex.path.startswith("/_sandbox"):
            continue
        op, _ = checker.operation_for(ex.method, ex.path)
        hit.add(op.spec["operationId"])
    return hit
