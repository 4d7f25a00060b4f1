"""DuplicateConfigsRule: one globals.css, one Tailwind and PostCSS config, one lockfile."""

from __future__ import annotations

from console.services.buildcheck import plan_install
from console.services.projects.rules import DuplicateConfigsRule
from tests.services.projects.rules.helpers import apply, package


def test_duplicate_configs_reconciled() -> None:
    files, ctx = apply(
        DuplicateConfigsRule(),
        {
            "app/layout.tsx": 'import "./globals.css"\n',
            "app/globals.css": "@tailwind base;\n",
            "styles/globals.css": "body {}\n",
            "tailwind.config.js": "module.exports = {}\n",
            "tailwind.config.ts": (
                "export default { theme: { extend: { colors: { brand: '#000' } } } }\n"
            ),
            "postcss.config.js": 'module.exports = { plugins: { "@tailwindcss/postcss": {} } }\n',
            "postcss.config.mjs": (
                "export default { plugins: { tailwindcss: {}, autoprefixer: {} } }\n"
            ),
            "package-lock.json": "{}",
            "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
            "package.json": package(devDependencies={"tailwindcss": "^3.4.17"}),
        },
    )
    assert files.exists("app/globals.css")
    assert not files.exists("styles/globals.css")
    assert files.exists("tailwind.config.ts")
    assert not files.exists("tailwind.config.js")
    assert files.exists("postcss.config.mjs")
    assert not files.exists("postcss.config.js")
    assert files.exists("pnpm-lock.yaml")  # Vercel's pick of the two
    assert not files.exists("package-lock.json")
    assert len(ctx.findings) == 4


def test_duplicate_lockfiles_follow_package_manager() -> None:
    pkg = package(dependencies={})
    pkg = pkg.replace('"private": true', '"private": true, "packageManager": "pnpm@9.15.0"')
    files, _ = apply(
        DuplicateConfigsRule(),
        {"package-lock.json": "{}", "pnpm-lock.yaml": "x: 1\n", "package.json": pkg},
    )
    assert files.exists("pnpm-lock.yaml")
    assert not files.exists("package-lock.json")


def test_duplicate_configs_single_files_untouched() -> None:
    files, ctx = apply(
        DuplicateConfigsRule(), {"app/globals.css": "a\n", "package-lock.json": "{}"}
    )
    assert files.paths() == ["app/globals.css", "package-lock.json"]
    assert ctx.findings == []


def test_two_lockfiles_keep_the_one_vercel_installs_from() -> None:
    files, _ = apply(
        DuplicateConfigsRule(),
        {
            "package.json": package(dependencies={"next": "15.2.4"}),
            "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
            "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        },
    )
    assert files.exists("pnpm-lock.yaml")
    assert not files.exists("package-lock.json")
    plan = plan_install({"package.json": b"{}", "pnpm-lock.yaml": b"", "package-lock.json": b""})
    assert plan.lockfile == "pnpm-lock.yaml"
