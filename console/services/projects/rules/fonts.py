"""Fonts that build offline: no `next/font/google`, and correct `geist` imports.

`next/font/google` downloads the font files during `next build`, which fails
without internet ("Failed to fetch `Inter` from Google Fonts"). The project
keeps its fonts, self-hosted from npm instead: Geist and Geist Mono from the
`geist` package, the families v0 uses most from fontsource packages through
`next/font/local` (same CSS variable, same className use), so the build
reads the files from node_modules, offline and on Vercel alike. Other
families get a local fallback (the same family name first, then the
platform's stack), flagged: the visitor sees them only if installed.
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
#: Every fontsource package below is at 5.3.x (`npm view`); one range covers them all.
FONTSOURCE_VERSION = "^5.3.0"
GOOGLE_IMPORT = re.compile(
    r"""^[^\S\n]*import\s*\{(?P<names>[^}]*)\}\s*from\s*(?P<q>['"])next/font/google(?P=q)[^\S\n]*;?[^\S\n]*\n?""",
    re.M,
)
LOCAL_IMPORT = re.compile(r"""import\s+(?P<name>[\w$]+)\s+from\s*['"]next/font/local['"]""")
CSS_IMPORT = re.compile(r"""^\s*import\s+(['"])(?P<path>[^'"]+\.css)\1""", re.M)
VARIABLE_OPTION = re.compile(r"""variable\s*:\s*(['"])(?P<var>--[\w-]+)\1""")
#: next/font options that mean the same to next/font/local, copied as written.
KEPT_OPTIONS = ("variable", "display", "preload", "fallback", "adjustFontFallback")
OPTION_VALUE = r"""\s*:\s*(?P<value>(['"])[^'"]*\2|\[[^\]]*\]|true|false)"""

GEIST = {
    "Geist": ("GeistSans", "geist/font/sans", "--font-geist-sans"),
    "Geist_Mono": ("GeistMono", "geist/font/mono", "--font-geist-mono"),
}


@dataclass(frozen=True)
class Fontsource:
    """A Google family as a fontsource npm package (files checked with `npm pack`).

    Attributes:
        weights: a variable family's weight range ("100 900"): one file,
            `files/<slug>-latin-wght-<style>.woff2` in `@fontsource-variable/<slug>`.
        static_weights: a static family's weights: one file per weight,
            `files/<slug>-latin-<weight>-<style>.woff2` in `@fontsource/<slug>`.
        italic: whether italic files exist.
    """

    weights: str = ""
    static_weights: tuple[int, ...] = ()
    italic: bool = True

    def package(self, slug: str) -> str:
        return f"@fontsource-variable/{slug}" if self.weights else f"@fontsource/{slug}"


#: The families v0 uses most, by their next/font/google export name.
FONTSOURCE: dict[str, Fontsource] = {
    "Inter": Fontsource("100 900"),
    "Roboto": Fontsource("100 900"),
    "Montserrat": Fontsource("100 900"),
    "Open_Sans": Fontsource("300 800"),
    "Playfair_Display": Fontsource("400 900"),
    "DM_Sans": Fontsource("100 1000"),
    "Manrope": Fontsource("200 800", italic=False),
    "Space_Grotesk": Fontsource("300 700", italic=False),
    "JetBrains_Mono": Fontsource("100 800"),
    "Source_Serif_4": Fontsource("200 900"),
    "Plus_Jakarta_Sans": Fontsource("200 800"),
    "Outfit": Fontsource("100 900", italic=False),
    "Nunito": Fontsource("200 1000"),
    "Raleway": Fontsource("100 900"),
    "Work_Sans": Fontsource("100 900"),
    "IBM_Plex_Sans": Fontsource("100 700"),
    "Fira_Code": Fontsource("300 700", italic=False),
    "Lora": Fontsource("400 700"),
    "Merriweather": Fontsource("300 900"),
    "Oswald": Fontsource("200 700", italic=False),
    "Sora": Fontsource("100 800", italic=False),
    "Figtree": Fontsource("300 900"),
    "Instrument_Sans": Fontsource("400 700"),
    "Libre_Baskerville": Fontsource("400 700"),
    "Cormorant_Garamond": Fontsource("300 700"),
    "Rubik": Fontsource("300 900"),
    "Karla": Fontsource("200 800"),
    "Noto_Sans": Fontsource("100 900"),
    "Archivo": Fontsource("100 900"),
    "Urbanist": Fontsource("100 900"),
    "Lexend": Fontsource("100 900", italic=False),
    "Syne": Fontsource("400 800", italic=False),
    "Fraunces": Fontsource("100 900"),
    "Poppins": Fontsource(static_weights=(100, 200, 300, 400, 500, 600, 700, 800, 900)),
    "Lato": Fontsource(static_weights=(100, 300, 400, 700, 900)),
    "IBM_Plex_Mono": Fontsource(static_weights=(100, 200, 300, 400, 500, 600, 700)),
    "Instrument_Serif": Fontsource(static_weights=(400,)),
    "Crimson_Text": Fontsource(static_weights=(400, 600, 700)),
    "Bebas_Neue": Fontsource(static_weights=(400,), italic=False),
    "Space_Mono": Fontsource(static_weights=(400, 700)),
    "DM_Serif_Display": Fontsource(static_weights=(400,)),
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


@dataclass
class _Rewrite:
    """What replacing one file's next/font/google calls needs besides the new text."""

    imports: list[str]
    css: list[str]
    packages: set[str]
    not_hosted: list[str]
    statement_end: str


class NextFontGoogleRule(Rule):
    id = "next-font-google"
    title = "Fonts without Google Fonts"
    description = (
        "`next/font/google` fetches fonts during `next build`, which fails offline. Geist "
        "and Geist Mono switch to the `geist` package; the families v0 uses most are "
        "self-hosted from fontsource packages with `next/font/local` (same CSS variable and "
        "className); other families get a local fallback with the same family name."
    )

    def apply(self, files: ProjectFiles, ctx: RuleContext) -> None:
        packages: set[str] = set()
        for path in files.paths():
            if not path.endswith((".tsx", ".jsx", ".ts", ".js")):
                continue
            text = files.read(path) or ""
            match = GOOGLE_IMPORT.search(text)
            if match is None:
                if re.search(r"""from\s*['"]next/font/google['"]""", text):
                    ctx.flag(
                        path,
                        0,
                        "Imports next/font/google in a shape this rule cannot rewrite: "
                        "`next build` fetches the fonts from Google and fails offline.",
                        "blocker",
                    )
                continue
            line = text.count("\n", 0, match.start()) + 1
            fonts = [
                _FontUse(original, local)
                for original, local in zip(
                    imported_originals("{" + match.group("names") + "}"),
                    imported_names("{" + match.group("names") + "}"),
                    strict=True,
                )
            ]
            local_font = LOCAL_IMPORT.search(text)
            loader = local_font.group("name") if local_font else "localFont"
            # New imports end like the one they replace (with or without `;`).
            end = ";" if match.group(0).rstrip().endswith(";") else ""
            rewrite = _Rewrite([], [], set(), [], end)
            if local_font is None and any(f.original in FONTSOURCE for f in fonts):
                rewrite.imports.append(f'import {loader} from "next/font/local"{end}\n')
            body = text[: match.start()] + "\x00IMPORTS\x00" + text[match.end() :]
            for font in fonts:
                body = self._replace_calls(body, font, path, loader, rewrite)
            body = body.replace("\x00IMPORTS\x00", "".join(rewrite.imports), 1)
            if rewrite.css:
                body = self._add_css(files, path, body, rewrite.css)
            files.write(path, body)
            packages |= rewrite.packages
            families = ", ".join(f.original for f in fonts)
            ctx.fixed(
                path,
                line,
                f"Replaced next/font/google ({families}) with fonts from npm packages, so the "
                "build needs no internet.",
                f"next/font/google fetches {families} from Google Fonts during `next build`: "
                "the build fails without internet.",
            )
            for family in rewrite.not_hosted:
                ctx.flag(
                    path,
                    line,
                    f"{family.replace('_', ' ')} has no self-hosted package here: it falls back "
                    "to the visitor's installed font, then the platform's stack.",
                )
        _ensure_packages(files, packages)

    def _replace_calls(
        self, text: str, font: _FontUse, path: str, loader: str, rewrite: _Rewrite
    ) -> str:
        call = re.compile(rf"\b{re.escape(font.local)}\s*\(")
        out: list[str] = []
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
                _add_once(
                    rewrite.imports, f'import {{ {name} }} from "{module}"{rewrite.statement_end}\n'
                )
                rewrite.packages.add("geist")
                out.append(name)
                if variable and variable != default_var:
                    rewrite.css.append(
                        f":where(html, body) {{\n  {variable}: var({default_var});\n}}"
                    )
            elif font.original in FONTSOURCE:
                source = FONTSOURCE[font.original]
                rewrite.packages.add(source.package(_slug(font.original)))
                out.append(f"{loader}({_local_options(font.original, source, args, path)})")
            else:
                rewrite.not_hosted.append(font.original)
                out.append(self._fallback(font.original, variable, rewrite.css))
            pos = end
        out.append(text[pos:])
        if font.original in GEIST:
            name, module, _ = GEIST[font.original]
            _add_once(
                rewrite.imports, f'import {{ {name} }} from "{module}"{rewrite.statement_end}\n'
            )
            rewrite.packages.add("geist")
        return "".join(out)

    def _fallback(self, original: str, variable: str | None, css: list[str]) -> str:
        family = original.replace("_", " ")
        if original in SERIF:
            stack = SERIF_STACK
        elif any(hint in original for hint in MONO_HINTS):
            stack = MONO_STACK
        else:
            stack = SANS_STACK
        families = f"'{family}', {stack}"
        class_name = f"font-fallback-{_slug(original)}"
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


def _local_options(original: str, source: Fontsource, args: str, path: str) -> str:
    """The `next/font/local` options for one family: its files, then the call's own options."""
    slug = _slug(original)
    base = posixpath.relpath(
        f"node_modules/{source.package(slug)}/files", posixpath.dirname(path) or "."
    )
    base = base if base.startswith("..") else f"./{base}"
    styles = (
        ["normal", "italic"] if source.italic and "italic" in _values(args, "style") else ["normal"]
    )
    if source.weights:
        files = [
            (source.weights, style, f"{base}/{slug}-latin-wght-{style}.woff2") for style in styles
        ]
    else:
        asked = [int(w) for w in _values(args, "weight") if w.isdigit()]
        weights = [w for w in asked if w in source.static_weights] or [
            400 if 400 in source.static_weights else source.static_weights[0]
        ]
        files = [
            (str(weight), style, f"{base}/{slug}-latin-{weight}-{style}.woff2")
            for weight in weights
            for style in styles
        ]
    if len(files) == 1:
        weight, _style, file = files[0]
        lines = [f'  src: "{file}",', f'  weight: "{weight}",']
    else:
        entries = "\n".join(
            f'    {{ path: "{file}", weight: "{weight}", style: "{style}" }},'
            for weight, style, file in files
        )
        lines = ["  src: [", entries, "  ],"]
    for option in KEPT_OPTIONS:
        found = re.search(rf"\b{option}{OPTION_VALUE}", args)
        if found:
            lines.append(f"  {option}: {found.group('value')},")
    return "{\n" + "\n".join(lines) + "\n}"


def _values(args: str, option: str) -> list[str]:
    """The string values of one option (`weight: "400"` or `weight: ["400", "700"]`)."""
    found = re.search(rf"\b{option}{OPTION_VALUE}", args)
    if found is None:
        return []
    return re.findall(r"""['"]([^'"]*)['"]""", found.group("value"))


def _slug(original: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", original.lower()).strip("-")


def _add_once(lines: list[str], line: str) -> None:
    if line not in lines:
        lines.append(line)


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
            _ensure_packages(files, {"geist"})

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


def _ensure_packages(files: ProjectFiles, packages: set[str]) -> None:
    """Declare the font packages the new imports read (package.json changes only if needed)."""
    pkg = files.package_json()
    missing = sorted(name for name in packages if pkg is not None and dependency(pkg, name) is None)
    if pkg is None or not missing:
        return
    for name in missing:
        set_dependency(pkg, name, GEIST_VERSION if name == "geist" else FONTSOURCE_VERSION)
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
