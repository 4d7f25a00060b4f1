"""The configurations the slow tests generate, type-check and build.

A covering set, not the full product: every architecture, backend, auth
provider and payment option appears, every category is selected in several
combinations, and the combinations that interact (Supabase Auth with the
Supabase backend, Stripe with products, invoicing with invoices, private
pages with and without sign-in) are all present.
"""

from __future__ import annotations

from console.services.scaffold.config import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    Payments,
    PublishConfig,
    Tier,
)

ALL = tuple(Category)
C = Category
A = Architecture
B = Backend
AU = AuthProvider
P = Payments


def _config(
    name: str,
    arch: Architecture,
    backend: Backend,
    auth: AuthProvider,
    payments: Payments,
    categories: tuple[Category, ...],
    tier: Tier = Tier.PRO,
) -> PublishConfig:
    return PublishConfig(
        app_name=f"Matrix {name}",
        repo_name=f"matrix-{name}",
        description=f"Type-check matrix: {name}",
        categories=categories,
        architecture=arch,
        backend=backend,
        auth=auth,
        payments=payments,
        tier=tier,
        org_id="org_matrix",
    )


MATRIX: dict[str, PublishConfig] = {
    "thin-forms-free": _config(
        "thin-forms-free", A.THIN_CLIENT, B.NONE, AU.NONE, P.NONE, (C.FORMS,), Tier.FREE
    ),
    "thin-empty": _config("thin-empty", A.THIN_CLIENT, B.NONE, AU.NONE, P.NONE, ()),
    "thin-shop-stripe": _config(
        "thin-shop-stripe", A.THIN_CLIENT, B.NONE, AU.NONE, P.STRIPE, (C.PRODUCTS,)
    ),
    "thin-all-noauth": _config(
        "thin-all-noauth", A.THIN_CLIENT, B.NONE, AU.NONE, P.BOTH, ALL, Tier.FREE
    ),
    "thin-oauth-invoicing": _config(
        "thin-oauth-invoicing",
        A.THIN_CLIENT,
        B.NONE,
        AU.L4YERCAK3_OAUTH,
        P.INVOICING,
        (C.INVOICES, C.CRM),
    ),
    "thin-nextauth-both": _config(
        "thin-nextauth-both",
        A.THIN_CLIENT,
        B.NONE,
        AU.NEXTAUTH,
        P.BOTH,
        (C.PRODUCTS, C.CHECKOUT, C.INVOICES),
    ),
    "thin-clerk-events": _config(
        "thin-clerk-events",
        A.THIN_CLIENT,
        B.NONE,
        AU.CLERK,
        P.NONE,
        (C.EVENTS, C.TICKETS),
        Tier.ENTERPRISE,
    ),
    "thin-checkout-only": _config(
        "thin-checkout-only", A.THIN_CLIENT, B.NONE, AU.NONE, P.STRIPE, (C.CHECKOUT, C.BOOKINGS)
    ),
    "full-convex-plain": _config(
        "full-convex-plain",
        A.FULL_STACK,
        B.CONVEX,
        AU.NONE,
        P.NONE,
        (C.EVENTS, C.FORMS, C.CRM),
        Tier.FREE,
    ),
    "full-convex-clerk-all": _config(
        "full-convex-clerk-all", A.FULL_STACK, B.CONVEX, AU.CLERK, P.STRIPE, ALL
    ),
    "full-supabase-auth": _config(
        "full-supabase-auth",
        A.FULL_STACK,
        B.SUPABASE,
        AU.SUPABASE_AUTH,
        P.INVOICING,
        (C.INVOICES, C.BOOKINGS, C.CONVERSATIONS),
    ),
    "full-supabase-nextauth-all": _config(
        "full-supabase-nextauth-all",
        A.FULL_STACK,
        B.SUPABASE,
        AU.NEXTAUTH,
        P.STRIPE,
        ALL,
        Tier.AGENCY,
    ),
    "full-neon-shop": _config(
        "full-neon-shop",
        A.FULL_STACK,
        B.NEON_DRIZZLE,
        AU.NONE,
        P.BOTH,
        (C.PRODUCTS, C.CHECKOUT, C.INVOICES, C.WORKFLOWS),
    ),
    "full-neon-oauth-all": _config(
        "full-neon-oauth-all", A.FULL_STACK, B.NEON_DRIZZLE, AU.L4YERCAK3_OAUTH, P.NONE, ALL
    ),
    "hybrid-convex": _config(
        "hybrid-convex",
        A.HYBRID,
        B.CONVEX,
        AU.L4YERCAK3_OAUTH,
        P.STRIPE,
        (C.BOOKINGS, C.CONVERSATIONS, C.CRM),
    ),
    "hybrid-supabase-all": _config(
        "hybrid-supabase-all", A.HYBRID, B.SUPABASE, AU.L4YERCAK3_OAUTH, P.BOTH, ALL, Tier.FREE
    ),
    "hybrid-neon": _config(
        "hybrid-neon",
        A.HYBRID,
        B.NEON_DRIZZLE,
        AU.L4YERCAK3_OAUTH,
        P.INVOICING,
        (C.INVOICES, C.TICKETS, C.EVENTS, C.WORKFLOWS),
    ),
    "hybrid-nodb": _config(
        "hybrid-nodb", A.HYBRID, B.NONE, AU.L4YERCAK3_OAUTH, P.NONE, (C.CONVERSATIONS, C.FORMS)
    ),
}

#: Built with `next build` too: a thin client with the badge (also serves the
#: webhook test) and a hybrid app with every category, which carries the
#: full-stack pages; every entry of MATRIX is type-checked.
BUILT = ("thin-forms-free", "hybrid-supabase-all")
