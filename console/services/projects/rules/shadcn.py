"""Missing shadcn/ui components (and their helpers) stubbed from templates.

v0 often generates pages that import `@/components/ui/<name>` without
including the component file (v0 has it in its own registry). The build then
fails with "Module not found". Each missing module is written from a small
dependency-free template (plain React + `cn`), and any name the app imports
that the template lacks is added as a permissive generic export, so the
import always type-checks.
"""

from __future__ import annotations

import logging
import posixpath
import re
from importlib import resources

from console.services.projects.jsscan import imported_originals, imports
from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    dependency,
)

logger = logging.getLogger(__name__)

RESOLVE_SUFFIXES = (".tsx", ".ts", ".jsx", ".js", "/index.tsx", "/index.ts", "/index.js")
#: module (relative to the alias root) -> template file in `stubs/`
TEMPLATES: dict[str, str] = {
    f"components/ui/{name}": f"{name}.tsx"
    for name in (
        "alert",
        "avatar",
        "badge",
        "button",
        "calendar",
        "card",
        "checkbox",
        "dialog",
        "input",
        "label",
        "progress",
        "scroll-area",
        "select",
        "separator",
        "sheet",
        "skeleton",
        "sonner",
        "switch",
        "table",
        "tabs",
        "textarea",
        "toaster",
    )
}
TEMPLATES.update(
    {
        "hooks/use-toast": "use-toast.ts",
        "components/ui/use-toast": "use-toast.ts",
        "hooks/use-mobile": "use-mobile.tsx",
        "components/ui/use-mobile": "use-mobile.tsx",
    }
)
STUBBABLE_PREFIXES = ("components/ui/", "hooks/use-")
EXPORT_RE = re.compile(
    r"export\s+(?:default\s+)?(?:async\s+)?(?:const|function|class|type|interface|let)\s+(\w+)"
)
EXPORT_LIST_RE = re.compile(r"export\s*\{([^}]*)\}")
TYPE_SUFFIXES = ("Props", "Config", "Type", "Options")


class ShadcnStubsRule(Rule):
    """See `description`.

    Targets: modules relative to the alias root (`components/hero`) that a
    failed build could not find, stubbed (with generic exports) even outside
    `components/ui/` and `hooks/`.
    """

    id = "shadcn-stubs"
    title = "Stub missing shadcn/ui components"
    description = (
        "Pages import shadcn/ui components (`@/components/ui/...`) and hooks that the export "
        "does not contain. Each missing one is written from a small template, with every "
        "imported name present, so the build finds it."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        root = alias_root(files)
        for attempt in range(3):  # stubs may import further stubs (toaster -> use-toast)
            wanted = self._missing(files, root, ctx if attempt == 0 else RuleContext())
            if not wanted:
                break
            for module, (names, where) in sorted(wanted.items()):
                self._write_stub(files, root, module, names)
                how = "a template" if module in TEMPLATES else "generic stand-ins"
                ctx.fixed(
                    where[0],
                    where[1],
                    f"@/{module} was missing; stubbed from {how} "
                    f"({', '.join(sorted(names)) or 'side effects only'}).",
                    f"Imports @/{module}, which is not in the export: `next build` fails "
                    "(Module not found).",
                )

    def _missing(
        self, files: ProjectFiles, root: str, ctx: RuleContext
    ) -> dict[str, tuple[set[str], tuple[str, int]]]:
        forced = frozenset(ctx.targets_of(self.id))
        wanted: dict[str, tuple[set[str], tuple[str, int]]] = {}
        for source in files.sources((".tsx", ".ts", ".jsx", ".js")):
            for module, clause, offset in imports(source.text):
                target = _module_path(module, source.path, root)
                if target is None or _resolves(files, target):
                    continue
                relative = target[len(root) :] if root and target.startswith(root) else target
                if (
                    relative == "lib/utils"
                    or relative.startswith(STUBBABLE_PREFIXES)
                    or relative in forced
                ):
                    names, _where = wanted.setdefault(
                        relative, (set(), (source.path, source.line_of(offset)))
                    )
                    names.update(imported_originals(clause))
                elif module.startswith(("@/", "./", "../")) and not module.endswith(
                    (".css", ".scss", ".svg", ".png", ".json")
                ):
                    ctx.flag(
                        source.path,
                        source.line_of(offset),
                        f"Imports {module}, which is not in the export: `next build` fails "
                        "(Module not found). Add the file before publishing.",
                        "blocker",
                    )
        return wanted

    def _write_stub(self, files: ProjectFiles, root: str, module: str, names: set[str]) -> None:
        if module == "lib/utils":
            pkg = files.package_json() or {}
            has_deps = dependency(pkg, "clsx") and dependency(pkg, "tailwind-merge")
            text = _template("utils-clsx.ts" if has_deps else "utils.ts")
            files.write(f"{root}lib/utils.ts", text)
            return
        template = TEMPLATES.get(module)
        if module == "components/ui/form" and dependency(
            files.package_json() or {}, "react-hook-form"
        ):
            template = "form.tsx"
        if template is not None:
            text = _template(template)
            suffix = posixpath.splitext(template)[1]
        else:
            text = 'import * as React from "react"\n'
            suffix = ".tsx" if module.startswith("components/") else ".ts"
        extra = sorted(
            names - exported_names(text) - ({"default"} if "export default" in text else set())
        )
        if extra:
            text = _with_generic_exports(text, extra)
        files.write(f"{root}{module}{suffix}", text)


def alias_root(files: ProjectFiles) -> str:
    """The folder `@/` points at ("" or "src/"), from tsconfig's paths."""
    tsconfig = files.read("tsconfig.json") or ""
    match = re.search(r'"@/\*"\s*:\s*\[\s*"\.?/?([^"*]*)\*"', tsconfig)
    if match:
        return match.group(1)
    if not files.exists("components") and any(p.startswith("src/") for p in files.paths()):
        return "src/"
    return ""


def exported_names(text: str) -> set[str]:
    names = set(EXPORT_RE.findall(text))
    for group in EXPORT_LIST_RE.findall(text):
        for part in group.split(","):
            part = re.sub(r"^\s*type\s+", "", part).strip()
            if part:
                names.add(part.split(" as ")[-1].strip())
    return names


def _module_path(module: str, importer: str, root: str) -> str | None:
    if module.startswith("@/"):
        return root + module[2:]
    if module.startswith("."):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), module))
    return None


def _resolves(files: ProjectFiles, target: str) -> bool:
    if files.exists(target):
        return True
    return any(files.exists(target + suffix) for suffix in RESOLVE_SUFFIXES)


def _template(name: str) -> str:
    return (
        resources.files("console.services.projects.rules")
        .joinpath("stubs", name)
        .read_text(encoding="utf-8")
    )


def _with_generic_exports(text: str, names: list[str]) -> str:
    lines = [text.rstrip("\n"), ""]
    if "React" not in text:
        lines.insert(0, 'import * as React from "react"\n')
    lines.append("// Generic stand-ins for names the app imports but the template lacks.")
    lines.append("// eslint-disable-next-line @typescript-eslint/no-explicit-any")
    lines.append("type StubProps = React.HTMLAttributes<HTMLElement> & { [key: string]: any }")
    lines.append("")
    for name in names:
        if name == "default":
            lines.append(
                "export default React.forwardRef<HTMLDivElement, StubProps>("
                "function Stub({ className, children, style, id }, ref) {"
            )
            lines.append(
                '  return React.createElement("div", { ref, id, style, className }, children)'
            )
            lines.append("})")
        elif name.endswith(TYPE_SUFFIXES):
            lines.append(f"export type {name} = StubProps")
        elif name.endswith("Variants") or name.endswith("Style"):
            lines.append(f"export function {name}(_options?: Record<string, unknown>): string {{")
            lines.append('  return ""')
            lines.append("}")
        elif name.startswith("use") and name[3:4].isupper():
            lines.append("// eslint-disable-next-line @typescript-eslint/no-explicit-any")
            lines.append(f"export function {name}(..._args: unknown[]): any {{")
            lines.append("  return {}")
            lines.append("}")
        elif name[:1].isupper():
            lines.append(
                f"export const {name} = React.forwardRef<HTMLDivElement, StubProps>("
                f"function {name}({{ className, children, style, id }}, ref) {{"
            )
            lines.append(
                '  return React.createElement("div", { ref, id, style, className }, children)'
            )
            lines.append("})")
        else:
            lines.append("// eslint-disable-next-line @typescript-eslint/no-explicit-any")
            lines.append(f"export const {name}: any = (..._args: unknown[]) => undefined")
        lines.append("")
    return "\n".join(lines)
