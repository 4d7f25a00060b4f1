"""The local l4yercak3 platform: a seeded Starlette server following platform.yaml."""

from __future__ import annotations

from console.sandbox.platform.models import (
    Agent,
    BuilderApp,
    Conversation,
    CreditBalance,
    CreditTransaction,
    Event,
    Message,
    Organization,
    StaffRef,
    Template,
    TickResult,
    Turn,
    Webhook,
)
from console.sandbox.platform.sandbox import PlatformSandbox, SandboxStats
from console.sandbox.platform.seed import SeedScale
from console.sandbox.platform.state import TrafficConfig
from console.sandbox.platform.stripe_signature import signature_header

__all__ = [
    "Agent",
    "BuilderApp",
    "Conversation",
    "CreditBalance",
    "CreditTransaction",
    "Event",
    "Message",
    "Organization",
    "PlatformSandbox",
    "SandboxStats",
    "SeedScale",
    "StaffRef",
    "Template",
    "TickResult",
    "TrafficConfig",
    "Turn",
    "Webhook",
    "signature_header",
]
