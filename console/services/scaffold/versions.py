"""Exact npm versions of generated apps, and which configuration needs which package.

Every version is pinned (no ranges, no `latest`: a drifting version breaks
builds against the lockfile) and was checked with `npm view` against Node 20:
- next 15 line with React 19.2 (Clerk 6 accepts React ~19.2.3);
- tailwindcss 3 for apps generated whole (an imported project keeps its own Tailwind);
- @supabase/supabase-js 2.109.0 is the last release that runs on Node 20
  (2.110 requires Node 22), and @supabase/ssr 0.12.0 the last that accepts it;
- stripe 23 and convex 1.48 need Node >= 20.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from console.services.scaffold.config import AuthProvider, Backend, PublishConfig

#: Node.js major versions the generated apps support (`engines.node`).
NODE_ENGINES = ">=20.9.0"


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    dev: bool
    when: Callable[[PublishConfig], bool]


def _always(_: PublishConfig) -> bool:
    return True


PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage("next", "15.5.29", False, _always),
    NpmPackage("react", "19.2.9", False, _always),
    NpmPackage("react-dom", "19.2.9", False, _always),
    NpmPackage("geist", "1.9.2", False, _always),
    NpmPackage("server-only", "0.0.1", False, _always),
    NpmPackage("stripe", "23.1.0", False, lambda c: c.stripe),
    NpmPackage("@stripe/stripe-js", "10.2.1", False, lambda c: c.stripe),
    NpmPackage("convex", "1.48.0", False, lambda c: c.backend is Backend.CONVEX),
    NpmPackage(
        "@supabase/supabase-js",
        "2.109.0",
        False,
        lambda c: c.backend is Backend.SUPABASE,
    ),
    NpmPackage("@supabase/ssr", "0.12.0", False, lambda c: c.auth is AuthProvider.SUPABASE_AUTH),
    NpmPackage("drizzle-orm", "0.45.4", False, lambda c: c.backend is Backend.NEON_DRIZZLE),
    NpmPackage(
        "@neondatabase/serverless",
        "1.2.0",
        False,
        lambda c: c.backend is Backend.NEON_DRIZZLE,
    ),
    NpmPackage("next-auth", "4.24.15", False, lambda c: c.auth is AuthProvider.NEXTAUTH),
    NpmPackage("@clerk/nextjs", "6.39.8", False, lambda c: c.auth is AuthProvider.CLERK),
    NpmPackage("typescript", "5.9.3", True, _always),
    NpmPackage("@types/node", "22.20.5", True, _always),
    NpmPackage("@types/react", "19.2.18", True, _always),
    NpmPackage("@types/react-dom", "19.2.7", True, _always),
    NpmPackage("tailwindcss", "3.4.19", True, _always),
    NpmPackage("postcss", "8.5.33", True, _always),
    NpmPackage("autoprefixer", "10.4.27", True, _always),
    NpmPackage("drizzle-kit", "0.31.11", True, lambda c: c.backend is Backend.NEON_DRIZZLE),
)


def dependencies(config: PublishConfig) -> tuple[dict[str, str], dict[str, str]]:
    """(dependencies, devDependencies) of the app generated from `config`, sorted by name."""
    deps = {p.name: p.version for p in PACKAGES if not p.dev and p.when(config)}
    dev = {p.name: p.version for p in PACKAGES if p.dev and p.when(config)}
    return dict(sorted(deps.items())), dict(sorted(dev.items()))


def all_packages() -> dict[str, str]:
    """Every package any configuration can use (the scaffold matrix installs them all once)."""
    return dict(sorted((p.name, p.version) for p in PACKAGES))
