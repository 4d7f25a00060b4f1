"""Tailwind CSS v4 syntax back to v3, which the console's scaffold builds with.

v0 now exports Tailwind 4 projects: CSS-first configuration (`@import
"tailwindcss"`, `@theme`, `@custom-variant`, `@plugin`, `@utility`), the
`@tailwindcss/postcss` plugin, and renamed utilities (`shadow-xs`,
`rounded-xs`, `outline-hidden`, `bg-linear-to-r`, `bg-(--x)`, `flex!`). This
rule writes the equivalent v3 project: `@tailwind` directives, the theme moved
into `tailwind.config.ts`, a v3 PostCSS config, v3 packages, and the
utilities renamed to their v3 names.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    dependency,
    major_of,
    remove_dependency,
    set_dependency,
)

logger = logging.getLogger(__name__)

TAILWIND_V3 = "^3.4.17"
IMPORT_TAILWIND = re.compile(r"""@import\s+(['"])tailwindcss\1[^;]*;[^\S\n]*\n?""")
IMPORT_ANIMATE = re.compile(r"""@import\s+(['"])tw-animate-css\1[^;]*;[^\S\n]*\n?""")
AT_PLUGIN = re.compile(r"""@plugin\s+(['"])([^'"]+)\1\s*;[^\S\n]*\n?""")
AT_DROP = re.compile(r"""@(?:source|config|reference)\s+[^;]*;[^\S\n]*\n?""")
CUSTOM_VARIANT = re.compile(r"""@custom-variant\s+([\w-]+)\s*[^;{]*;[^\S\n]*\n?""")
THEME_START = re.compile(r"@theme\b(?P<opts>[^{]*)\{")
UTILITY_START = re.compile(r"@utility\s+(?P<name>[\w-]+(?:-\*)?)\s*\{")
KEYFRAMES_START = re.compile(r"@keyframes\s+[\w-]+\s*\{")
DECLARATION = re.compile(r"--(?P<name>[\w-]+)\s*:\s*(?P<value>[^;]+);")
APPLY = re.compile(r"@apply\s+(?P<body>[^;]+);")
V4_MARKERS = (IMPORT_TAILWIND, THEME_START, CUSTOM_VARIANT, AT_PLUGIN, UTILITY_START)

CODE_PREFIXES = ("app/", "components/", "src/", "lib/", "hooks/", "pages/")
CODE_SUFFIXES = (".tsx", ".jsx", ".ts", ".js")
STRING_LITERAL = re.compile(r"""(?P<q>["'`])(?P<body>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)""")

#: v4 name -> v3 name. Order matters only in that each token maps once.
RENAMES: dict[str, str] = {
    "shadow-sm": "shadow",
    "shadow-xs": "shadow-sm",
    "shadow-2xs": "shadow-sm",
    "drop-shadow-sm": "drop-shadow",
    "drop-shadow-xs": "drop-shadow-sm",
    "blur-sm": "blur",
    "blur-xs": "blur-sm",
    "backdrop-blur-sm": "backdrop-blur",
    "backdrop-blur-xs": "backdrop-blur-sm",
    "rounded-sm": "rounded",
    "rounded-xs": "rounded-sm",
    "outline-hidden": "outline-none",
    "inset-shadow-none": "shadow-none",
}
ROUNDED_SIDE = re.compile(r"^rounded-(t|r|b|l|tl|tr|br|bl|s|e|ss|se|es|ee)-(sm|xs)$")
LINEAR = re.compile(r"^bg-linear-to-(t|tr|r|br|b|bl|l|tl)$")
VAR_SHORTHAND = re.compile(r"^(?P<utility>[\w-]+)-\((?P<var>--[\w-]+)\)$")

#: Theme variable prefix -> tailwind.config `theme.extend` key (longest first).
THEME_KEYS: tuple[tuple[str, str], ...] = (
    ("font-weight-", "fontWeight"),
    ("color-", "colors"),
    ("radius-", "borderRadius"),
    ("font-", "fontFamily"),
    ("shadow-", "boxShadow"),
    ("animate-", "animation"),
    ("breakpoint-", "screens"),
    ("tracking-", "letterSpacing"),
    ("leading-", "lineHeight"),
    ("ease-", "transitionTimingFunction"),
    ("blur-", "blur"),
    ("text-", "fontSize"),
)

CONTENT_GLOBS = (
    "./app/**/*.{js,ts,jsx,tsx,mdx}",
    "./pages/**/*.{js,ts,jsx,tsx,mdx}",
    "./components/**/*.{js,ts,jsx,tsx,mdx}",
    "./src/**/*.{js,ts,jsx,tsx,mdx}",
    "./lib/**/*.{js,ts,jsx,tsx}",
    "./hooks/**/*.{js,ts,jsx,tsx}",
)

POSTCSS_V3 = """/** @type {import('postcss-load-config').Config} */
const config = {
  plugins: {
    tailwindcss: {},
    autoprefixer: {},
  },
};

export default config;
"""


@dataclass
class _Theme:
    extend: dict[str, dict[str, Any]] = field(default_factory=dict)
    plugins: list[str] = field(default_factory=list)
    dark_class: bool = False

    def add(self, key: str, name: str, value: Any) -> None:
        self.extend.setdefault(key, {})[name] = value

    def plugin(self, name: str) -> None:
        if name not in self.plugins:
            self.plugins.append(name)

    @property
    def colors(self) -> dict[str, Any]:
        return self.extend.get("colors", {})


class TailwindV4ToV3Rule(Rule):
    id = "tailwind-v4-to-v3"
    title = "Tailwind 4 back to Tailwind 3"
    description = (
        'Rewrites Tailwind 4\'s CSS-first setup (`@import "tailwindcss"`, `@theme`, '
        "`@custom-variant`, `@plugin`, `@utility`) as Tailwind 3 (`@tailwind` directives and "
        "tailwind.config.ts), switches the PostCSS plugin and packages, and renames v4 "
        "utilities (shadow-xs, rounded-xs, outline-hidden, bg-linear-to-*) to their v3 names."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        if not is_tailwind_v4(files):
            return
        theme = _Theme()
        for path in files.paths():
            if path.endswith(".css"):
                text = files.read(path) or ""
                converted = self._convert_css(path, text, theme, ctx)
                if converted != text:
                    files.write(path, converted)
        self._write_config(files, theme, ctx)
        self._write_postcss(files)
        self._fix_packages(files, theme)
        self._rename_utilities(files, theme, ctx)

    # --- CSS ---------------------------------------------------------------
    def _convert_css(self, path: str, text: str, theme: _Theme, ctx: RuleContext) -> str:
        text = IMPORT_TAILWIND.sub(
            "@tailwind base;\n@tailwind components;\n@tailwind utilities;\n", text, count=1
        )
        text = IMPORT_TAILWIND.sub("", text)
        if IMPORT_ANIMATE.search(text):
            theme.plugin("tailwindcss-animate")
            text = IMPORT_ANIMATE.sub("", text)
        for match in AT_PLUGIN.finditer(text):
            theme.plugin(match.group(2))
        text = AT_PLUGIN.sub("", text)
        text = AT_DROP.sub("", text)

        def variant(match: re.Match[str]) -> str:
            if match.group(1) == "dark":
                theme.dark_class = True
            else:
                ctx.flag(
                    path,
                    _line(text, match.start()),
                    f"Custom variant `{match.group(1)}` has no Tailwind 3 equivalent; removed.",
                )
            return ""

        text = CUSTOM_VARIANT.sub(variant, text)
        text = self._convert_blocks(path, text, theme, ctx)
        text = APPLY.sub(lambda m: self._apply_line(m, theme), text)
        return re.sub(r"\n{3,}", "\n\n", text)

    def _convert_blocks(self, path: str, text: str, theme: _Theme, ctx: RuleContext) -> str:
        out: list[str] = []
        pos = 0
        while True:
            theme_match = THEME_START.search(text, pos)
            utility_match = UTILITY_START.search(text, pos)
            matches = [m for m in (theme_match, utility_match) if m is not None]
            if not matches:
                out.append(text[pos:])
                break
            match = min(matches, key=lambda m: m.start())
            end = _block_end(text, match.end())
            out.append(text[pos : match.start()])
            body = text[match.end() : end - 1]
            if match.re is THEME_START:
                out.append(self._theme_block(body, "inline" in match.group("opts"), theme))
            else:
                name = match.group("name")
                if name.endswith("-*"):
                    ctx.flag(
                        path,
                        _line(text, match.start()),
                        f"Functional utility `{name}` needs Tailwind 4; removed.",
                    )
                else:
                    out.append(f"@layer utilities {{\n  .{name} {{{_indent(body)}}}\n}}")
            pos = end
        return "".join(out)

    def _theme_block(self, body: str, inline: bool, theme: _Theme) -> str:
        keyframes: list[str] = []
        pos = 0
        rest: list[str] = []
        for match in KEYFRAMES_START.finditer(body):
            if match.start() < pos:
                continue
            end = _block_end(body, match.end())
            rest.append(body[pos : match.start()])
            keyframes.append(body[match.start() : end].strip())
            pos = end
        rest.append(body[pos:])
        root_vars: list[str] = []
        for decl in DECLARATION.finditer("".join(rest)):
            name, value = decl.group("name"), decl.group("value").strip()
            if value == "initial" or name.endswith("-*"):
                continue
            target = value if inline else f"var(--{name})"
            if not inline:
                root_vars.append(f"  --{name}: {value};")
            for prefix, key in THEME_KEYS:
                if name.startswith(prefix):
                    short = name[len(prefix) :]
                    if key == "fontFamily":
                        theme.add(key, short, [part.strip() for part in target.split(",")])
                    else:
                        theme.add(key, short, target)
                    break
        parts = []
        if root_vars:
            parts.append(":root {\n" + "\n".join(root_vars) + "\n}")
        parts.extend(keyframes)
        return "\n\n".join(parts)

    def _apply_line(self, match: re.Match[str], theme: _Theme) -> str:
        tokens = [
            _strip_var_opacity(_convert_token(token), theme)
            for token in match.group("body").split()
        ]
        return "@apply " + " ".join(tokens) + ";"

    # --- config files ----------------------------------------------------------
    def _write_config(self, files: ProjectFiles, theme: _Theme, ctx: RuleContext) -> None:
        for old in ("tailwind.config.js", "tailwind.config.cjs", "tailwind.config.mjs"):
            if files.exists(old):
                files.delete(old)
                ctx.flag(
                    old,
                    0,
                    f"{old} was ignored by Tailwind 4; replaced by tailwind.config.ts.",
                    "info",
                )
        config: dict[str, Any] = {}
        if theme.dark_class:
            config["darkMode"] = ["class"]
        config["content"] = list(CONTENT_GLOBS)
        config["theme"] = {"extend": theme.extend} if theme.extend else {"extend": {}}
        plugins = ", ".join(f"require({json.dumps(p)})" for p in theme.plugins)
        body = _ts(config, 0)
        body = body[: body.rindex("}")]
        text = (
            'import type { Config } from "tailwindcss";\n\n'
            f"const config: Config = {body}  plugins: [{plugins}],\n}};\n\n"
            "export default config;\n"
        )
        files.write("tailwind.config.ts", text)

    def _write_postcss(self, files: ProjectFiles) -> None:
        for old in (
            "postcss.config.js",
            "postcss.config.cjs",
            "postcss.config.json",
            ".postcssrc",
            ".postcssrc.json",
        ):
            files.delete(old)
        files.write("postcss.config.mjs", POSTCSS_V3)

    def _fix_packages(self, files: ProjectFiles, theme: _Theme) -> None:
        pkg = files.package_json()
        if pkg is None:
            return
        found = dependency(pkg, "tailwindcss")
        section = found[0] if found else "devDependencies"
        set_dependency(pkg, "tailwindcss", TAILWIND_V3, section)
        remove_dependency(pkg, "@tailwindcss/postcss")
        remove_dependency(pkg, "tw-animate-css")
        for name, version in (("postcss", "^8.5"), ("autoprefixer", "^10.4.20")):
            if dependency(pkg, name) is None:
                set_dependency(pkg, name, version, section)
        if (
            "tailwindcss-animate" in theme.plugins
            and dependency(pkg, "tailwindcss-animate") is None
        ):
            set_dependency(pkg, "tailwindcss-animate", "^1.0.7", section)
        for plugin in theme.plugins:
            if plugin.startswith("@tailwindcss/") and plugin != "@tailwindcss/postcss":
                found_plugin = dependency(pkg, plugin)
                if found_plugin and (major_of(found_plugin[1]) or 0) >= 4:
                    set_dependency(pkg, plugin, "^0.5.15")
        files.write_package_json(pkg)

    # --- utilities in code ----------------------------------------------------------
    def _rename_utilities(self, files: ProjectFiles, theme: _Theme, ctx: RuleContext) -> None:
        var_opacity = 0
        first: tuple[str, int] | None = None
        for path in files.paths():
            if not (path.startswith(CODE_PREFIXES) and path.endswith(CODE_SUFFIXES)):
                continue
            text = files.read(path) or ""

            def literal(match: re.Match[str]) -> str:
                body = match.group("body")
                new = " ".join(_convert_token(t) for t in body.split(" ")) if body else body
                return f"{match.group('q')}{new}{match.group('q')}"

            new_text = STRING_LITERAL.sub(literal, text)
            if new_text != text:
                files.write(path, new_text)
            for match in re.finditer(
                r"\b(?:bg|text|border|ring|outline|fill|stroke)-([\w-]+)/\d+", new_text
            ):
                if match.group(1) in theme.colors and _var_color(theme.colors[match.group(1)]):
                    var_opacity += 1
                    if first is None:
                        first = (path, _line(new_text, match.start()))
        if first is not None:
            ctx.flag(
                first[0],
                first[1],
                f"{var_opacity} class names put an opacity on a CSS-variable colour "
                "(e.g. bg-primary/90); Tailwind 3 cannot mix those and renders them opaque.",
                "info",
            )


def is_tailwind_v4(files: ProjectFiles) -> bool:
    pkg = files.package_json() or {}
    if dependency(pkg, "@tailwindcss/postcss"):
        return True
    found = dependency(pkg, "tailwindcss")
    if found and (major_of(found[1]) or 0) >= 4:
        return True
    for path in files.paths():
        if path.endswith(".css"):
            text = files.read(path) or ""
            if any(marker.search(text) for marker in V4_MARKERS):
                return True
    return False


def _convert_token(token: str) -> str:
    if not token or "${" in token or len(token) > 80:
        return token
    prefix, sep, base = token.rpartition(":")
    if "[" in prefix:  # an arbitrary variant like [&>svg]:size-4: keep whole
        prefix, sep, base = "", "", token
    important = ""
    if base.endswith("!") and len(base) > 1:
        base, important = base[:-1], "!"
    elif base.startswith("!"):
        base, important = base[1:], "!"
    negative = ""
    if base.startswith("-"):
        base, negative = base[1:], "-"
    base = _convert_base(base)
    return f"{prefix}{sep}{important}{negative}{base}"


def _convert_base(base: str) -> str:
    if base in RENAMES:
        return RENAMES[base]
    side = ROUNDED_SIDE.match(base)
    if side:
        return (
            f"rounded-{side.group(1)}" if side.group(2) == "sm" else f"rounded-{side.group(1)}-sm"
        )
    linear = LINEAR.match(base)
    if linear:
        return f"bg-gradient-to-{linear.group(1)}"
    var = VAR_SHORTHAND.match(base)
    if var:
        return f"{var.group('utility')}-[var({var.group('var')})]"
    return base


def _strip_var_opacity(token: str, theme: _Theme) -> str:
    head, slash, opacity = token.rpartition("/")
    if not slash or not opacity.isdigit():
        return token
    name = re.sub(
        r"^(?:[\w-]*:)?(?:bg|text|border|ring|outline|fill|stroke|divide|from|to|via)-", "", head
    )
    if name in theme.colors and _var_color(theme.colors[name]):
        return head
    return token


def _var_color(value: Any) -> bool:
    return isinstance(value, str) and ("var(" in value or "oklch(" in value)


def _block_end(text: str, start: int) -> int:
    """Offset just past the `}` closing the block whose body starts at `start`."""
    depth = 1
    i = start
    while i < len(text) and depth:
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
        i += 1
    return i


def _indent(body: str) -> str:
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    return "\n" + "".join(f"    {line}\n" for line in lines) + "  "


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")


def _ts(value: Any, level: int) -> str:
    pad = "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{},\n"
        lines = ["{\n"]
        for key, item in value.items():
            name = key if _IDENT.match(key) else json.dumps(key)
            lines.append(f"{pad}{name}: {_ts(item, level + 1)}")
        lines.append("  " * level + "},\n")
        return "".join(lines)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "],\n"
    return json.dumps(value) + ",\n"
