"""UseClientRule: "use client" added where hooks or event handlers need it."""

from __future__ import annotations

from console.services.projects.rules import UseClientRule
from tests.services.projects.rules.helpers import apply


def test_use_client_added_for_hooks_and_handlers() -> None:
    files, ctx = apply(
        UseClientRule(),
        {
            "components/counter.tsx": (
                "import { useState } from 'react'\n"
                "export function C() { const [n] = useState(0); return n }\n"
            ),
            "app/page.tsx": (
                "export default function P() { return <button onClick={() => 1}>x</button> }\n"
            ),
            "components/static.tsx": "export const S = () => <p>useState is a hook</p>\n",
            "components/done.tsx": '"use client"\nimport { useEffect } from "react"\n',
        },
    )
    assert (files.read("components/counter.tsx") or "").startswith('"use client"\n\n')
    assert (files.read("app/page.tsx") or "").startswith('"use client"')
    assert not (files.read("components/static.tsx") or "").startswith('"use client"')
    assert (files.read("components/done.tsx") or "").count("use client") == 1
    assert len(ctx.findings) == 2


def test_use_client_not_added_next_to_metadata() -> None:
    page = (
        'import { useState } from "react"\nexport const metadata = { title: "x" }\n'
        "export default function P() { const [a] = useState(1); return a }\n"
    )
    files, ctx = apply(UseClientRule(), {"app/page.tsx": page})
    assert files.read("app/page.tsx") == page
    assert ctx.findings[0].severity == "blocker"
    assert ctx.findings[0].line == 3
