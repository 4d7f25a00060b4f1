"""BrowserGlobalsRule: window/document/localStorage at module scope, and targeted render reads."""

from __future__ import annotations

from console.services.projects.rules import BrowserGlobalsRule, ProjectFiles, RuleContext
from tests.services.projects.rules.helpers import apply

SOURCE = """// analytics
const sessionId = window.localStorage.getItem("sid") ?? "anon"
document.title = "Portal"
const width: number = window.innerWidth
const handlers = {
  onResize: () => window.innerWidth,
}
window.addEventListener("resize", () => {
  console.log("resized")
})
export function track() {
  return navigator.userAgent
}
if (typeof window !== "undefined") window.addEventListener("x", () => {})
"""
BANNER = (
    '"use client"\nexport function Banner() {\n  const wide = window.innerWidth > 800\n'
    "  return wide\n}\n"
)


def test_browser_globals_guarded_or_flagged() -> None:
    files, ctx = apply(BrowserGlobalsRule(), {"lib/analytics.ts": SOURCE})
    lines = (files.read("lib/analytics.ts") or "").splitlines()
    assert lines[1] == (
        'const sessionId = typeof window !== "undefined" ? '
        'window.localStorage.getItem("sid") ?? "anon" : undefined;'
    )
    assert lines[2] == 'if (typeof window !== "undefined") { document.title = "Portal"; }'
    assert lines[3] == "const width: number = window.innerWidth"  # typed: flagged, not changed
    assert lines[7:12] == [  # a statement over three lines, guarded whole
        'if (typeof window !== "undefined") {',
        '  window.addEventListener("resize", () => {',
        '    console.log("resized")',
        "  })",
        "}",
    ]
    assert "  onResize: () => window.innerWidth," in lines  # runs on call, not on load
    where = {(f.line, f.severity) for f in ctx.findings}
    assert where == {(2, "info"), (3, "info"), (4, "blocker"), (8, "info")}
    fixed = next(f for f in ctx.findings if f.line == 2)
    assert "is not defined" in fixed.unfixed().message


def test_browser_globals_render_time_read_flagged() -> None:
    files, ctx = apply(BrowserGlobalsRule(), {"components/banner.tsx": BANNER})
    assert files.read("components/banner.tsx") == BANNER
    assert [(f.line, f.severity) for f in ctx.findings] == [(3, "warning")]


def test_browser_globals_render_time_read_guarded_when_targeted() -> None:
    files = ProjectFiles({"components/banner.tsx": BANNER})
    ctx = RuleContext(
        current_rule="browser-globals", targets={"browser-globals": ["components/banner.tsx"]}
    )
    BrowserGlobalsRule().apply(files, ctx)
    assert (files.read("components/banner.tsx") or "").splitlines()[2] == (
        '  const wide = typeof window !== "undefined" ? window.innerWidth > 800 : undefined'
    )
    assert [(f.line, f.severity) for f in ctx.findings] == [(3, "info")]
