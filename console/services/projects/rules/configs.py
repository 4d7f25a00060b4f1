"""Duplicate configuration (several globals.css, stray Tailwind/PostCSS configs,
two lockfiles) and `next.config` fixes.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable

from console.services.projects.jsscan import imports
from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    dependency,
    major_of,
)
from console.services.projects.rules.deps import LOCKFILES, installed_version, kept_lockfile

logger = logging.getLogger(__name__)

#: In the order Tailwind 3 looks for them.
TAILWIND_CONFIGS = (
    "tailwind.config.js",
    "tailwind.config.cjs",
    "tailwind.config.mjs",
    "tailwind.config.ts",
)
POSTCSS_CONFIGS = (
    ".postcssrc",
    ".postcssrc.json",
    ".postcssrc.js",
    "postcss.config.js",
    "postcss.config.mjs",
    "postcss.config.cjs",
    "postcss.config.json",
)
#: In the order Next looks for them.
NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")
#: Options stable Next releases reject ("can only be enabled when using the latest canary").
CANARY_OPTIONS = ("ppr", "dynamicIO", "useCache", "nodeMiddleware", "reactCompiler", "inlineCss")


class DuplicateConfigsRule(Rule):
    id = "duplicate-configs"
    title = "Reconcile duplicate config files"
    description = (
        "Exports often carry two globals.css, a stray Tailwind or PostCSS config, or two "
        "lockfiles from different package managers, which makes builds pick the wrong one. "
        "The one in use is kept and the others are removed."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        self._globals(files, ctx)
        self._keep_one(files, ctx, TAILWIND_CONFIGS, "Tailwind config", self._tailwind_choice)
        self._keep_one(files, ctx, POSTCSS_CONFIGS, "PostCSS config", self._postcss_choice)
        self._lockfiles(files, ctx)

    def _globals(self, files: ProjectFiles, ctx: RuleContext) -> None:
        sheets = [p for p in files.paths() if p.rsplit("/", 1)[-1] == "globals.css"]
        if len(sheets) < 2:
            return
        imported = css_imports(files)
        used = [p for p in sheets if p in imported]
        if not used:
            ctx.flag(sheets[0], 0, "Several globals.css and none is imported; kept all.")
            return
        for path in sheets:
            if path not in used:
                files.delete(path)
                ctx.flag(
                    path,
                    0,
                    f"Removed {path}: no file imports it (the app uses {used[0]}).",
                    "info",
                )

    def _keep_one(
        self,
        files: ProjectFiles,
        ctx: RuleContext,
        candidates: tuple[str, ...],
        what: str,
        choose: Callable[[ProjectFiles, list[str]], str],
    ) -> None:
        present = [p for p in candidates if files.exists(p)]
        if len(present) < 2:
            return
        keep = choose(files, present)
        for path in present:
            if path != keep:
                files.delete(path)
                ctx.flag(path, 0, f"Removed a second {what}; kept {keep}.", "info")

    @staticmethod
    def _tailwind_choice(files: ProjectFiles, present: list[str]) -> str:
        # The most customised one is the one v0 generated the theme into.
        return max(present, key=lambda p: (len(files.read(p) or ""), -present.index(p)))

    @staticmethod
    def _postcss_choice(files: ProjectFiles, present: list[str]) -> str:
        pkg = files.package_json() or {}
        # The installed major: `latest` with a lockfile is whatever the lockfile pins.
        tailwind = installed_version(files, pkg, "tailwindcss")
        v4 = (major_of(tailwind) or 0) >= 4 or (
            tailwind is None and dependency(pkg, "@tailwindcss/postcss") is not None
        )
        wanted = "@tailwindcss/postcss" if v4 else "tailwindcss"
        for path in present:
            text = files.read(path) or ""
            if wanted in text and (v4 or "@tailwindcss/postcss" not in text):
                return path
        return present[0]

    def _lockfiles(self, files: ProjectFiles, ctx: RuleContext) -> None:
        present = [p for p in LOCKFILES.values() if files.exists(p)]
        keep = kept_lockfile(files)
        if len(present) < 2 or keep is None:
            return
        for path in present:
            if path != keep:
                files.delete(path)
                ctx.flag(
                    path,
                    0,
                    f"Removed {path}: two package managers' lockfiles; kept {keep}.",
                    "info",
                )


class NextConfigRule(Rule):
    id = "next-config"
    title = "Fix next.config"
    description = (
        "Keeps the one next.config that Next actually loads, turns next.config.ts into "
        ".mjs for Next 14 (which cannot read TypeScript configs), and removes the options "
        "that stable Next 14 and 15 accept only on canary (ppr, dynamicIO, reactCompiler...). "
        "Next 16 made several of them stable: its config is left as the project wrote it."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        present = [p for p in NEXT_CONFIGS if files.exists(p)]
        if not present:
            return
        pkg = files.package_json() or {}
        next_major = major_of(installed_version(files, pkg, "next"))
        loadable = [p for p in present if not (p.endswith(".ts") and (next_major or 15) < 15)]
        keep = loadable[0] if loadable else present[0]
        for path in present:
            if path != keep:
                files.delete(path)
                ctx.flag(path, 0, f"Removed {path}: Next loads {keep} and ignores it.", "info")
        text = files.read(keep) or ""
        if keep.endswith(".ts") and (next_major or 15) < 15:
            converted = strip_config_types(text)
            files.delete(keep)
            keep = "next.config.mjs"
            ctx.fixed(
                keep,
                0,
                f"Next {next_major} cannot load next.config.ts; converted to .mjs.",
                f"Next {next_major} cannot load next.config.ts: the build fails.",
            )
            text = converted
        fixed = text
        allow_compiler = dependency(pkg, "babel-plugin-react-compiler") is not None
        # Next 16 ships reactCompiler and cacheComponents as stable options.
        canary_only = CANARY_OPTIONS if (next_major or 15) < 16 else ()
        for option in canary_only:
            if option == "reactCompiler" and allow_compiler:
                continue
            pattern = re.compile(
                rf"^[^\S\n]*{option}\s*:\s*[^,\n{{]+,?[^\S\n]*(?://[^\n]*)?\n", re.M
            )
            if pattern.search(fixed):
                fixed = pattern.sub("", fixed)
                ctx.fixed(
                    keep,
                    0,
                    f"Removed experimental `{option}`: it needs a canary Next.",
                    f"`{option}` needs a canary Next: stable `next build` refuses the config.",
                )
            elif re.search(rf"\b{option}\s*:\s*\{{", fixed):
                ctx.flag(
                    keep,
                    0,
                    f"`{option}` needs a canary Next: stable `next build` refuses the config; "
                    "remove it before building.",
                    "blocker",
                )
        if next_major is not None and next_major >= 15:
            swc = re.compile(r"^[^\S\n]*swcMinify\s*:\s*[^,\n]+,?[^\S\n]*\n", re.M)
            fixed = swc.sub("", fixed)
        if fixed != files.read(keep):
            files.write(keep, fixed)


def strip_config_types(text: str) -> str:
    """A next.config.ts as plain ESM (the usual shapes: a typed const, `satisfies`)."""
    out = re.sub(r"^\s*import\s+type\s+[^;\n]+;?[^\S\n]*\n", "", text, flags=re.M)
    out = re.sub(
        r"^(\s*import\s*)\{\s*type\s+\w+\s*\}\s*from\s*['\"]next['\"];?\s*\n", "", out, flags=re.M
    )
    out = re.sub(
        r"^([^\S\n]*(?:export\s+)?const\s+\w+)\s*:\s*NextConfig\s*=",
        r"/** @type {import('next').NextConfig} */\n\1 =",
        out,
        flags=re.M,
    )
    out = re.sub(r"\s+satisfies\s+NextConfig\b", "", out)
    out = re.sub(r"\s+as\s+NextConfig\b", "", out)
    return out


def css_imports(files: ProjectFiles) -> set[str]:
    """Project paths of the CSS files some module imports."""
    found: set[str] = set()
    for source in files.sources((".tsx", ".ts", ".jsx", ".js")):
        for module, _clause, _offset in imports(source.text):
            if not module.endswith(".css"):
                continue
            if module.startswith("@/"):
                found.add(module[2:])
                found.add("src/" + module[2:])
            elif module.startswith("."):
                found.add(
                    posixpath.normpath(posixpath.join(posixpath.dirname(source.path), module))
                )
    return found
