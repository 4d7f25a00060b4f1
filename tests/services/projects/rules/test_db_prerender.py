"""DbPrerenderRule: routes querying a database are rendered per request."""

from __future__ import annotations

from console.services.projects.rules import DbPrerenderRule
from tests.services.projects.rules.helpers import apply

DB = (
    'import { neon } from "@neondatabase/serverless"\n'
    "export const sql = neon(process.env.DATABASE_URL!)\n"
)


def test_db_prerender_direct_and_through_lib() -> None:
    files, ctx = apply(
        DbPrerenderRule(),
        {
            "lib/db.ts": DB,
            "lib/queries.ts": (
                'import { sql } from "./db"\nexport const rows = () => sql`SELECT 1`\n'
            ),
            "app/orders/page.tsx": (
                'import { rows } from "@/lib/queries"\n'
                "export default async function P() { return await rows() }\n"
            ),
            "app/direct/page.tsx": (
                'import { sql } from "@vercel/postgres"\n\n'
                "export default async function P() {\n  const r = await sql`SELECT 1`\n"
                "  return r\n}\n"
            ),
            "app/about/page.tsx": "export default function P() { return null }\n",
            "app/dynamic/page.tsx": (
                'import { sql } from "@vercel/postgres"\nexport const revalidate = 60\n'
            ),
        },
    )
    for path in ("app/orders/page.tsx", "app/direct/page.tsx"):
        assert 'export const dynamic = "force-dynamic";' in (files.read(path) or "")
    assert "force-dynamic" not in (files.read("app/about/page.tsx") or "")
    assert "force-dynamic" not in (files.read("app/dynamic/page.tsx") or "")
    direct = next(f for f in ctx.findings if f.path == "app/direct/page.tsx")
    assert direct.line == 4  # the query itself
    orders = next(f for f in ctx.findings if f.path == "app/orders/page.tsx")
    assert "lib/db.ts" in orders.message


def test_db_prerender_client_pages_untouched() -> None:
    page = '"use client"\nimport { createClient } from "@supabase/supabase-js"\n'
    files, _ = apply(DbPrerenderRule(), {"app/page.tsx": page})
    assert files.read("app/page.tsx") == page
