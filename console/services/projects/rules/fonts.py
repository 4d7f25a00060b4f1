"""Fonts that build offline: no `next/font/google`, and correct `geist` imports.

`next/font/google` downloads the font files during `next build`, which fails
without internet ("Failed to fetch `Geist` from Google Fonts"). Geist comes
from the `geist` npm package instead; other Google fonts get a local
fallback (the same family name first, then the platform's stack), so the
app builds and renders with the font when the visitor has it installed.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from dataclasses import dataclass

from console.services.projects.jsscan import imported_names, imported_originals
from console.services.projects.rules.base import (
    ProjectFiles,
    Rule,
    RuleContext,
    dependency,
    module_scope_insert_point,
    set_dependency,
)

logger = logging.getLogger(__name__)

GEIST_VERSION = "^1.3.1"
GOOGLE_IMPORT = re.compile(
    r"""^[^\S\n]*import\s*\{(?P<names>[^}]*)\}\s*from\s*(?P<q>['"])next/font/google(?P=q)[^\S\n]*;?[^\S\n]*\n?""",
    re.M,
)
CSS_IMPORT = re.compile(r"""^\s*import\s+(['"])(?P<path>[^'"]+\.css)\1""", re.M)
VARIABLE_OPTION = re.compile(r"""variable\s*:\s*(['"])(?P<var>--[\w-]+)\1""")

GEIST = {
    "Geist": ("GeistSans", "geist/font/sans", "--font-geist-sans"),
    "Geist_Mono": ("GeistMono", "geist/font/mono", "--font-geist-mono"),
}
SERIF = frozenset(
    {
        "Playfair_Display",
        "Lora",
        "Merriweather",
        "Libre_Baskerville",
        "Crimson_Text",
        "Crimson_Pro",
        "EB_Garamond",
        "Cormorant_Garamond",
        "Cormorant",
        "DM_Serif_Display",
        "DM_Serif_Text",
        "Source_Serif_4",
        "PT_Serif",
        "Noto_Serif",
        "Fraunces",
        "Instrument_Serif",
        "Bodoni_Moda",
        "Roboto_Serif",
        "Libre_Caslon_Text",
    }
)
MONO_HINTS = ("_Mono", "Code", "Courier")
SANS_STACK = "ui-sans-serif, system-ui, sans-serif"
SERIF_STACK = "ui-serif, Georgia, serif"
MONO_STACK = "ui-monospace, SFMono-Regular, Menlo, monospace"


@dataclass(frozen=True)
class _FontUse:
    original: str
    local: str


class NextFontGoogleRule(Rule):
    id = "next-font-google"
    title = "Fonts without Google Fonts"
    description = (
        "`next/font/google` fetches fonts during `next build`, which fails offline. Geist "
        "and Geist Mono switch to the `geist` package; other Google fonts get a local "
        "fallback with the same family name and CSS variable."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        uses_geist = False
        for path in files.paths():
            if not path.endswith((".tsx", ".jsx", ".ts", ".js")):
                continue
            text = files.read(path) or ""
            match = GOOGLE_IMPORT.search(text)
            if match is None:
                continue
            fonts = [
                _FontUse(original, local)
                for original, local in zip(
                    imported_originals("{" + match.group("names") + "}"),
                    imported_names("{" + match.group("names") + "}"),
                    strict=True,
                )
            ]
            new_imports: list[str] = []
            css_rules: list[str] = []
            body = text[: match.start()] + "\x00IMPORTS\x00" + text[match.end() :]
            for font in fonts:
                body, rules, imports = self._replace_calls(body, font)
                css_rules += rules
                for line in imports:
                    if line not in new_imports:
                        new_imports.append(line)
                if font.original in GEIST:
                    uses_geist = True
            body = body.replace("\x00IMPORTS\x00", "".join(new_imports), 1)
            if css_rules:
                body = self._add_css(files, path, body, css_rules)
            files.write(path, body)
            ctx.flag(
                path,
                text.count("\n", 0, match.start()) + 1,
                "Replaced next/font/google ("
                + ", ".join(f.original for f in fonts)
                + ") so the build needs no internet.",
                "info",
            )
        if uses_geist:
            _ensure_geist(files)

    def _replace_calls(self, text: str, font: _FontUse) -> tuple[str, list[str], list[str]]:
        call = re.compile(rf"\b{re.escape(font.local)}\s*\(")
        out: list[str] = []
        css: list[str] = []
        imports: list[str] = []
        pos = 0
        for match in call.finditer(text):
            if match.start() < pos:
                continue
            end = _paren_end(text, match.end())
            args = text[match.end() : end - 1]
            variable_match = VARIABLE_OPTION.search(args)
            variable = variable_match.group("var") if variable_match else None
            out.append(text[pos : match.start()])
            if font.original in GEIST:
                name, module, default_var = GEIST[font.original]
                imports.append(f'import {{ {name} }} from "{module}";\n')
                out.append(name)
                if variable and variable != default_var:
                    css.append(f":where(html, body) {{\n  {variable}: var({default_var});\n}}")
            else:
                out.append(self._fallback(font.original, variable, css))
            pos = end
        out.append(text[pos:])
        if font.original in GEIST and not imports:
            name, module, _ = GEIST[font.original]
            imports.append(f'import {{ {name} }} from "{module}";\n')
        return "".join(out), css, imports

    def _fallback(self, original: str, variable: str | None, css: list[str]) -> str:
        family = original.replace("_", " ")
        if original in SERIF:
            stack = SERIF_STACK
        elif any(hint in original for hint in MONO_HINTS):
            stack = MONO_STACK
        else:
            stack = SANS_STACK
        families = f"'{family}', {stack}"
        slug = re.sub(r"[^a-z0-9]+", "-", original.lower()).strip("-")
        class_name = f"font-fallback-{slug}"
        css.append(f".{class_name} {{\n  font-family: {families};\n}}")
        variable_class = ""
        if variable:
            variable_class = f"{class_name}-variable"
            css.append(f".{variable_class} {{\n  {variable}: {families};\n}}")
        family_literal = json.dumps(families)
        return (
            f'{{ className: "{class_name}", variable: "{variable_class}", '
            f"style: {{ fontFamily: {family_literal} }} }}"
        )

    def _add_css(self, files: ProjectFiles, path: str, text: str, rules: list[str]) -> str:
        directory = posixpath.dirname(path)
        target = None
        for candidate_file, candidate_text in ((path, text), *self._layouts(files)):
            found = CSS_IMPORT.search(candidate_text)
            if found and not found.group("path").startswith(("http", "//")):
                target = _resolve(posixpath.dirname(candidate_file), found.group("path"))
                if target and files.exists(target):
                    break
                target = None
        block = "\n/* Fonts that replace next/font/google, which needs internet at build time. */\n"
        block += "\n\n".join(rules) + "\n"
        if target is not None:
            css = files.read(target) or ""
            files.write(target, css.rstrip("\n") + "\n" + block)
            return text
        fonts_css = posixpath.join(directory, "fonts.css") if directory else "fonts.css"
        files.write(fonts_css, block.lstrip("\n"))
        insert = module_scope_insert_point(text)
        return text[:insert] + 'import "./fonts.css";\n' + text[insert:]

    def _layouts(self, files: ProjectFiles) -> list[tuple[str, str]]:
        found = []
        for path in ("app/layout.tsx", "app/layout.jsx", "src/app/layout.tsx", "pages/_app.tsx"):
            text = files.read(path)
            if text is not None:
                found.append((path, text))
        return found


class GeistImportsRule(Rule):
    id = "geist-imports"
    title = "Fix `geist` font imports"
    description = (
        "Older exports import `GeistSans` from `geist/font` or as a default export; the "
        "package only has the named exports in `geist/font/sans` and `geist/font/mono`. "
        "Imports are fixed and the `geist` package is added when missing."
    )

    OLD_IMPORT = re.compile(
        r"""^[^\S\n]*import\s*\{(?P<names>[^}]*)\}\s*from\s*(?P<q>['"])geist/font(?P=q)[^\S\n]*;?[^\S\n]*\n?""",
        re.M,
    )
    DEFAULT_IMPORT = re.compile(
        r"""^[^\S\n]*import\s+(?P<local>\w+)\s+from\s*(?P<q>['"])geist/font/(?P<kind>sans|mono)(?P=q)[^\S\n]*;?""",
        re.M,
    )
    WRONG_NAME = re.compile(
        r"""import\s*\{\s*(?P<name>Geist|Geist_Mono|GeistMonoFont|GeistSansFont)\s*\}\s*from\s*(?P<q>['"])geist/font/(?P<kind>sans|mono)(?P=q)"""
    )
    ANY_GEIST = re.compile(r"""from\s*['"]geist/""")

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        used = False
        for path in files.paths():
            if not path.endswith((".tsx", ".jsx", ".ts", ".js")):
                continue
            text = files.read(path) or ""
            if not self.ANY_GEIST.search(text) and "geist/font" not in text:
                continue
            used = True
            new = self.OLD_IMPORT.sub(self._split_old, text)
            new = self.DEFAULT_IMPORT.sub(self._named_default, new)
            for wrong in self.WRONG_NAME.finditer(new):
                proper = "GeistSans" if wrong.group("kind") == "sans" else "GeistMono"
                local = wrong.group("name")
                new = new.replace(
                    wrong.group(0),
                    f"import {{ {proper} as {local} }} from {wrong.group('q')}geist/font/"
                    f"{wrong.group('kind')}{wrong.group('q')}",
                )
                new = re.sub(rf"\b{local}\s*\((?:\s*\{{[^}}]*\}})?\s*\)", local, new)
            if new != text:
                files.write(path, new)
                ctx.flag(path, 0, "Fixed the geist font import.", "info")
        if used:
            _ensure_geist(files)

    @staticmethod
    def _split_old(match: re.Match[str]) -> str:
        q = match.group("q")
        lines = []
        for part in match.group("names").split(","):
            part = part.strip()
            if not part:
                continue
            original = part.split(" as ")[0].strip()
            kind = "mono" if "Mono" in original else "sans"
            lines.append(f"import {{ {part} }} from {q}geist/font/{kind}{q};\n")
        return "".join(lines)

    @staticmethod
    def _named_default(match: re.Match[str]) -> str:
        proper = "GeistSans" if match.group("kind") == "sans" else "GeistMono"
        local = match.group("local")
        q = match.group("q")
        clause = proper if local == proper else f"{proper} as {local}"
        return f"import {{ {clause} }} from {q}geist/font/{match.group('kind')}{q};"


def _ensure_geist(files: ProjectFiles) -> None:
    pkg = files.package_json()
    if pkg is not None and dependency(pkg, "geist") is None:
        set_dependency(pkg, "geist", GEIST_VERSION)
        files.write_package_json(pkg)


def _paren_end(text: str, start: int) -> int:
    """Offset past the `)` that closes a call whose arguments start at `start`."""
    depth = 1
    i = start
    while i < len(text) and depth:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in "'\"`":
            close = text.find(ch, i + 1)
            i = close if close > 0 else i
        i += 1
    return i


def _resolve(directory: str, spec: str) -> str | None:
    if spec.startswith("@/"):
        return spec[2:]
    if spec.startswith("."):
        return posixpath.normpath(posixpath.join(directory, spec))
    return None
