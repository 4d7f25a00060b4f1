"""What went wrong in an install or a build, read from its output.

A `BuildProblem` is the first real error of a failed step (not the last line
of the log, which is usually a generic "exited with 1"): where it is (file,
line), what it says, and which known shape it has. The shape (`kind`) is what
the self-heal step looks up to find the compatibility rule that fixes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

logger = logging.getLogger(__name__)

ProblemKind = Literal[
    "env-at-build",  # a variable read (and checked) while `next build` loads a module
    "font-fetch",  # next/font/google (or another font) fetched at build time
    "peer-conflict",  # the package manager refused peer dependency ranges (ERESOLVE...)
    "lockfile-outdated",  # a frozen install refused a lockfile out of date with package.json
    "css-syntax",  # the CSS toolchain rejected a stylesheet
    "browser-api-prerender",  # window/document/localStorage used while prerendering
    "module-not-found",  # an import the build cannot resolve
    "type-error",  # the type check inside `next build`
    "network",  # the registry (or another host) could not be reached
    "tooling",  # node, npm, pnpm... missing or unusable on this machine
    "other",  # a failure with none of the shapes above
]


@dataclass(frozen=True)
class BuildProblem:
    """The first real error of a failed install or build.

    Attributes:
        kind: its known shape, "other" when none fits.
        message: the error itself, one or a few lines, as the tool printed it.
        step: the step that failed ("install", "build", ...).
        file: project-relative path the error points at, when it names one.
        line: 1-based line in `file`, when known.
        subject: what the error is about, when the shape has one: the
            variable name (env-at-build), the font family (font-fetch), the
            package (peer-conflict, module-not-found), the route being
            prerendered (browser-api-prerender).
    """

    kind: ProblemKind
    message: str
    step: str
    file: str | None = None
    line: int | None = None
    subject: str = ""

    def location(self) -> str:
        """`app/page.tsx:12`, `app/page.tsx`, or "" when the error names no file."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def headline(self) -> str:
        """One line for a status label: where, then what."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else self.kind
        where = self.location()
        return f"{where}: {first}" if where else first

    def advice(self) -> str:
        """What to do about it, in a sentence or two."""
        subject = self.subject or "a variable"
        return {
            "env-at-build": (
                f"A module checks {subject} while `next build` loads it, and the build has no "
                "secrets. Give that module a build-time placeholder (the environment rule does "
                "it); the deployment reads the real value."
            ),
            "font-fetch": (
                f"The build fetches the font {self.subject or ''} from Google Fonts. Self-host "
                "it from its npm package (the fonts rule does it) so the build needs no internet."
            ),
            "peer-conflict": (
                f"{self.subject or 'A package'} declares a peer range the project's React is "
                "outside of. Let the package manager accept it (the peer rule does it)."
            ),
            "lockfile-outdated": (
                "The lockfile does not match package.json, so the frozen install Vercel runs "
                "refuses it. Run the build check: it regenerates the lockfile and pushes it."
            ),
            "css-syntax": (
                "A stylesheet uses syntax this Tailwind/PostCSS setup rejects. Fix the line "
                "named, or keep only the config files the project really uses."
            ),
            "browser-api-prerender": (
                f"Prerendering {self.subject or 'a page'} touches window, document or "
                "localStorage, which exist only in the browser. Guard that code or make the "
                "component a client component (the browser-globals rule does it)."
            ),
            "module-not-found": (
                f"The build cannot find {self.subject or 'an import'}. Add the file or the "
                "package (the stubs and missing-dependencies rules handle the usual cases)."
            ),
            "type-error": (
                "Fix the type error in the file named, or build without the type check as v0 "
                "does (`typescript.ignoreBuildErrors` in next.config)."
            ),
            "network": (
                "A host could not be reached. Check that the package registry is reachable "
                "from this machine (proxy settings: HTTPS_PROXY), then run the check again."
            ),
            "tooling": (
                "This machine lacks a tool the build needs; the message says which. Reinstall "
                "the console or install it, then run the check again."
            ),
            "other": "Read the output above the failure line for the cause.",
        }[self.kind]
