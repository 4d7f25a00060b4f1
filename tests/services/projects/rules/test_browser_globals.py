"""BrowserGlobalsRule: window/document/localStorage at module scope."""

from __future__ import annotations

from console.services.projects.rules import BrowserGlobalsRule
from tests.services.projects.rules.helpers import apply

SOURCE = """// analytics
const sessionId = window.localStorage.getItem("sid") ?? "anon"
document.title = "Portal"
const width: number = window.innerWidth
const handlers = {
  onResize: () => window.innerWidth,
}
export function track() {
  return navigator.userAgent
}
if (typeof window !== "undefined") window.addEventListener("x", () => {})
"""


def test_browser_globals_guarded_or_flagged() -> None:
    files, ctx = apply(BrowserGlobalsRule(), {"lib/analytics.ts": SOURCE})
    lines = (files.read("lib/analytics.ts") or "").splitlines()
    assert lines[1] == (
        'const sessionId = typeof window !== "undefined" ? '
        'window.localStorage.getItem("sid") ?? "anon" : undefined;'
    )
    assert lines[2] == 'if (typeof window !== "undefined") { document.title = "Portal"; }'
    assert lines[3] == "const width: number = window.innerWidth"  # typed: flagged, not changed
    where = {(f.line, f.severity) for f in ctx.findings}
    assert where == {(2, "info"), (3, "info"), (4, "error")}


def test_browser_globals_render_time_read_flagged() -> None:
    component = (
        '"use client"\nexport function Banner() {\n  const wide = window.innerWidth > 800\n'
        "  return wide\n}\n"
    )
    files, ctx = apply(BrowserGlobalsRule(), {"components/banner.tsx": component})
    assert files.read("components/banner.tsx") == component
    assert [(f.line, f.severity) for f in ctx.findings] == [(3, "warning")]
