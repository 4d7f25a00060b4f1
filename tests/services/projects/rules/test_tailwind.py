"""TailwindV4ToV3Rule: CSS-first config, PostCSS, packages and renamed utilities."""

from __future__ import annotations

from console.services.projects.rules import TailwindV4ToV3Rule
from tests.services.projects.rules.helpers import apply, deps, diff_of, package

CSS = """@import "tailwindcss";
@import "tw-animate-css";
@plugin "@tailwindcss/typography";

@custom-variant dark (&:is(.dark *));

@theme {
  --color-brand: #0f766e;
  --font-display: "Fraunces", serif;
}

@theme inline {
  --color-background: var(--background);
  --color-primary: var(--primary);
  --color-border: var(--border);
  --color-ring: var(--ring);
  --radius-lg: var(--radius);
}

@utility container-narrow {
  max-width: 48rem;
}

@layer base {
  * {
    @apply border-border outline-ring/50 shadow-xs;
  }
}
"""


def _project() -> dict[str, str]:
    return {
        "app/globals.css": CSS,
        "postcss.config.mjs": 'export default { plugins: { "@tailwindcss/postcss": {} } }\n',
        "tailwind.config.js": "module.exports = { content: [] }\n",
        "package.json": package(
            devDependencies={"tailwindcss": "^4.1.9", "@tailwindcss/postcss": "^4.1.9"},
            dependencies={"tw-animate-css": "1.3.3"},
        ),
        "components/card.tsx": (
            'export const C = () => <div className="rounded-xs shadow-sm hover:shadow-xs '
            'bg-linear-to-r outline-hidden md:rounded-t-sm flex! bg-(--brand)">x</div>\n'
        ),
    }


def test_tailwind_css_back_to_v3() -> None:
    files, _ = apply(TailwindV4ToV3Rule(), _project())
    css = files.read("app/globals.css") or ""
    assert css.startswith("@tailwind base;\n@tailwind components;\n@tailwind utilities;")
    for gone in ("@import", "@theme", "@custom-variant", "@plugin", "@utility"):
        assert gone not in css
    assert "--color-brand: #0f766e;" in css  # a non-inline theme stays a CSS variable
    assert ".container-narrow {" in css
    assert "@layer utilities" in css
    assert "@apply border-border outline-ring shadow-sm;" in css  # no opacity on var colours


def test_tailwind_config_postcss_and_packages() -> None:
    files, ctx = apply(TailwindV4ToV3Rule(), _project())
    config = files.read("tailwind.config.ts") or ""
    assert 'darkMode: ["class"]' in config
    assert 'brand: "var(--color-brand)"' in config
    assert 'background: "var(--background)"' in config
    assert 'lg: "var(--radius)"' in config
    assert 'display: ["var(--font-display)"]' in config
    assert 'require("tailwindcss-animate")' in config
    assert 'require("@tailwindcss/typography")' in config
    assert not files.exists("tailwind.config.js")
    assert "tailwindcss: {}" in (files.read("postcss.config.mjs") or "")
    d = deps(files)
    assert d["tailwindcss"] == "^3.4.17"
    assert "@tailwindcss/postcss" not in d
    assert "tw-animate-css" not in d
    assert d["tailwindcss-animate"] == "^1.0.7"
    assert "autoprefixer" in d
    assert any("tailwind.config.js" in f.path for f in ctx.findings)


def test_tailwind_renames_v4_utilities() -> None:
    files, _ = apply(TailwindV4ToV3Rule(), _project())
    card = files.read("components/card.tsx") or ""
    assert (
        'className="rounded-sm shadow hover:shadow-sm bg-gradient-to-r outline-none '
        'md:rounded-t !flex bg-[var(--brand)]"' in card
    )


def test_tailwind_v3_project_untouched() -> None:
    v3 = {
        "app/globals.css": "@tailwind base;\n@tailwind components;\n@tailwind utilities;\n",
        "package.json": package(devDependencies={"tailwindcss": "^3.4.17"}),
        "components/a.tsx": 'export const A = () => <p className="shadow-sm rounded-sm">a</p>\n',
    }
    assert diff_of(TailwindV4ToV3Rule(), v3) == ""
