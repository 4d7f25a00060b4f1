"""Next.js releases with critical advisories, moved to the patched release of the same line.

Next.js 15.x and 16.x App Router apps were exposed to remote code execution
through React Server Components (CVE-2025-55182 / CVE-2025-66478, December
2025); Vercel blocks new deployments of the vulnerable releases at build time.
Exports generated before the fix pin such a release (v0's long-standing
`15.2.4`). The fix is a patch release of the same minor line, so the stack
stays the project's: the version moves to the line's release that also
carries the January 2026 follow-up fixes (CVE-2026-23864), which every line
received. Next 14 was not affected by that one, but 14.2 releases before
14.2.25 let a crafted header skip middleware (CVE-2025-29927), the very place
sign-in layers check the session; Clerk and others require 14.2.25 or later
as a peer, so npm refuses the install. The 14.2 line moves to 14.2.35, which
also carries the December 2025 denial-of-service fixes.
"""

from __future__ import annotations

import logging

from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    dependency,
    set_dependency,
    version_tuple,
)
from console.services.projects.rules.deps import installed_version, line_of_key

logger = logging.getLogger(__name__)

#: (major, minor) -> the first release of that line with the RSC fixes. Each
#: version was checked to exist on the npm registry.
PATCHED: dict[tuple[int, int], tuple[int, int, int]] = {
    (14, 2): (14, 2, 35),
    (15, 0): (15, 0, 8),
    (15, 1): (15, 1, 12),
    (15, 2): (15, 2, 9),
    (15, 3): (15, 3, 9),
    (15, 4): (15, 4, 11),
    (15, 5): (15, 5, 10),
    (16, 0): (16, 0, 11),
    (16, 1): (16, 1, 5),
}


def patched_release(version: str) -> str | None:
    """The release `version` must move to, or None when it is not a blocked one."""
    found = version_tuple(version)
    if found is None or "-" in version:  # canaries are the project's own choice
        return None
    fixed = PATCHED.get(found[:2])
    if fixed is None or found >= fixed:
        return None
    return ".".join(str(part) for part in fixed)


def advisory(patched: str) -> str:
    if patched.startswith("14."):
        return "CVE-2025-29927: requests can skip middleware; sign-in libraries refuse it"
    return "CVE-2025-66478: Vercel refuses to deploy it"


class NextSecurityRule(Rule):
    id = "next-security"
    title = "Move Next.js off releases with critical advisories"
    description = (
        "Next.js 15 and 16 releases before the React Server Components fixes (CVE-2025-66478) "
        "are blocked by Vercel at deploy time; 14.2 releases before 14.2.25 let requests skip "
        "middleware (CVE-2025-29927) and sign-in libraries refuse them. The project's Next.js "
        "moves to the patched release of the same line (15.2.4 -> 15.2.9); nothing else changes."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        pkg = files.package_json()
        if pkg is None or dependency(pkg, "next") is None:
            return
        version = installed_version(files, pkg, "next")
        target = patched_release(version or "")
        if target is None:
            return
        set_dependency(pkg, "next", target)
        files.write_package_json(pkg)
        ctx.fixed(
            "package.json",
            line_of_key(files.read("package.json") or "", "next"),
            f"Moved next {version} to {target}, the patched release of the same line.",
            f"next {version} has a critical advisory ({advisory(target)}).",
        )
