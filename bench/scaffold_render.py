"""Rendering the full scaffold: every category, full stack and hybrid, all options on.

Run: `.venv/bin/python -m bench.scaffold_render`. Target: the median render of a
whole app stays under 100 ms (absolute). For scale, the same run measures
rendering one trivial template through the same jinja2 environment.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bench.report import Figure, table
from console.services.scaffold.config import (
    Architecture,
    AuthProvider,
    Backend,
    Category,
    Payments,
    PublishConfig,
    Tier,
)
from console.services.scaffold.generator import clear_template_cache, environment, render_scaffold

RUNS = 50
TARGET_MS = 100.0
#: Compiling the templates happens once per process; it only has to stay unnoticeable.
FIRST_TARGET_MS = 1000.0


def _config(architecture: Architecture, backend: Backend, auth: AuthProvider) -> PublishConfig:
    return PublishConfig(
        app_name="Bench",
        repo_name="bench",
        categories=tuple(Category),
        architecture=architecture,
        backend=backend,
        auth=auth,
        payments=Payments.BOTH,
        tier=Tier.FREE,
    )


#: Every category, Stripe and invoicing, the badge: the biggest apps there are.
CONFIGS = {
    "full stack, Neon, l4yercak3 OAuth": _config(
        Architecture.FULL_STACK, Backend.NEON_DRIZZLE, AuthProvider.L4YERCAK3_OAUTH
    ),
    "full stack, Convex, Clerk": _config(
        Architecture.FULL_STACK, Backend.CONVEX, AuthProvider.CLERK
    ),
    "hybrid, Supabase, l4yercak3 OAuth": _config(
        Architecture.HYBRID, Backend.SUPABASE, AuthProvider.L4YERCAK3_OAUTH
    ),
}


def _median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    work()  # compile templates once: the console renders many times per session
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _render(config: PublishConfig) -> Callable[[], object]:
    return lambda: render_scaffold(config)


def _first_render_ms(config: PublishConfig) -> float:
    """A fresh environment: jinja2 compiles every template (once per console process)."""
    clear_template_cache()
    started = time.perf_counter()
    render_scaffold(config)
    return (time.perf_counter() - started) * 1000


def measure() -> list[Figure]:
    first = _first_render_ms(CONFIGS["full stack, Neon, l4yercak3 OAuth"])
    trivial = environment().from_string("{{ name }}\n")
    figures = [
        Figure(
            "one trivial template (reference)",
            _median_ms(lambda: trivial.render(name="x")),
            "ms",
            TARGET_MS,
        ),
        Figure(
            "first render, compiling all templates (once/process)", first, "ms", FIRST_TARGET_MS
        ),
    ]
    for label, config in CONFIGS.items():
        count = len(render_scaffold(config))
        figures.append(
            Figure(
                f"full scaffold ({count} files), {label}",
                _median_ms(_render(config)),
                "ms",
                TARGET_MS,
            )
        )
    return figures


if __name__ == "__main__":
    print(table(measure()))
    print(f"(medians of {RUNS} renders after a first one; full scaffold target < {TARGET_MS:g} ms)")
