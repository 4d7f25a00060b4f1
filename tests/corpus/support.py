"""The labelled corpus of v0-style exports, and building a pushed file set as Vercel would.

`tests/data/v0corpus/` holds exports of every generation real v0 exports come
in (see its README.md); `labels.json` says, per export, which data types a
careful person sees and which stack it is on. `publish_config` turns an
export's labels into the publish configuration a user would choose, rotating
the sign-in providers and payment options so the corpus also exercises the
integration layer on every stack.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from console.services.buildcheck import plan_install
from console.services.buildcheck.process import run_streaming
from console.services.buildcheck.toolchain import (
    child_environment,
    ensure_manager,
    find_toolchain,
    node_bin_dir,
)
from console.services.buildcheck.workspace import write_files
from console.services.scaffold import AuthProvider, Category, Payments, PublishConfig, Tier

CORPUS = Path(__file__).resolve().parents[1] / "data" / "v0corpus"
#: Sign-in providers the corpus rotates through (Supabase Auth needs its backend).
AUTH_ROTATION = (
    AuthProvider.NONE,
    AuthProvider.L4YERCAK3_OAUTH,
    AuthProvider.NEXTAUTH,
    AuthProvider.CLERK,
)


@cache
def labels() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((CORPUS / "labels.json").read_text())
    return data


def slugs() -> list[str]:
    return sorted(labels())


def stack(slug: str) -> tuple[int, int]:
    """(Next major, Tailwind major) of an export."""
    label = labels()[slug]
    return int(label["next"]), int(label["tailwind"])


def matrix_slugs() -> list[str]:
    """One export per Next x Tailwind pair: the integration layer's type-check matrix."""
    first: dict[tuple[int, int], str] = {}
    for slug in slugs():
        first.setdefault(stack(slug), slug)
    return [first[pair] for pair in sorted(first)]


def publish_config(slug: str) -> PublishConfig:
    """What a user would choose for this export: its labelled types, a rotating sign-in.

    The matrix exports get every category, so every page and helper of the
    integration layer is built and type-checked on their stack.
    """
    label = labels()[slug]
    wanted = set(label["types"]) if slug not in matrix_slugs() else {c.value for c in Category}
    categories = tuple(c for c in Category if c.value in wanted)
    auth = AUTH_ROTATION[slugs().index(slug) % len(AUTH_ROTATION)]
    if any(c in categories for c in (Category.CRM, Category.INVOICES, Category.TICKETS)):
        auth = auth if auth is not AuthProvider.NONE else AuthProvider.L4YERCAK3_OAUTH
    if Category.WORKFLOWS in categories and auth is AuthProvider.NONE:
        auth = AuthProvider.L4YERCAK3_OAUTH
    payments = Payments.STRIPE if Category.PRODUCTS in categories else Payments.NONE
    if Category.INVOICES in categories:
        payments = Payments.BOTH if payments is Payments.STRIPE else Payments.INVOICING
    return PublishConfig(
        app_name=slug.replace("-", " ").title(),
        repo_name=slug,
        categories=categories,
        auth=auth,
        payments=payments,
        tier=Tier.FREE if slugs().index(slug) % 3 == 0 else Tier.PRO,
    )


@dataclass(frozen=True)
class FreshBuild:
    """A pushed file set installed and built in a new folder, as Vercel would."""

    install_ok: bool
    build_ok: bool
    install_command: str
    output: tuple[str, ...]


async def build_as_vercel(
    files: Mapping[str, bytes],
    folder: Path,
    tools_root: Path,
    pnpm_store: Path,
    *,
    build_cache: Path | None = None,
) -> FreshBuild:
    """Write `files` to a new `folder`, install with Vercel's frozen command, `next build`.

    The build gets no project variables at all (none are set in this process
    for the test) and reaches no host but the package registry. `build_cache`
    (a `.next/cache` of an earlier build of the project) is restored first, as
    Vercel restores a project's build cache between deployments: it only
    saves compile time, the build still runs whole.
    """
    await asyncio.to_thread(write_files, files, folder)
    if build_cache is not None:
        await asyncio.to_thread(_restore_cache, build_cache, folder / ".next" / "cache")
    toolchain = await find_toolchain()
    assert toolchain is not None, "Node.js is needed"
    plan = plan_install(files)
    output: list[str] = []
    tool = await ensure_manager(plan, toolchain, tools_root=tools_root, on_line=output.append)
    path_first = tuple(p for p in (node_bin_dir(toolchain, tools_root), tool.bin_dir) if p)
    env = child_environment(path_first)
    argv = [*tool.argv, *plan.install_argv[1:]]
    if plan.manager == "pnpm":
        argv += ["--store-dir", str(pnpm_store), "--prefer-offline"]
    installed = await run_streaming(argv, cwd=folder, env=env, on_line=output.append, deadline=900)
    if not installed.ok:
        return FreshBuild(False, False, plan.command, tuple(output))
    built = await run_streaming(
        [str(toolchain.node), str(folder / "node_modules/next/dist/bin/next"), "build"],
        cwd=folder,
        env=env,
        on_line=output.append,
        deadline=900,
    )
    return FreshBuild(True, built.ok, plan.command, tuple(output))


async def type_check_layer(workdir: Path, layer_files: list[str]) -> tuple[bool, tuple[str, ...]]:
    """`tsc --noEmit` over the integration layer's files under the project's own tsconfig.

    Only the layer's files are checked (v0 projects often build with type
    errors of their own ignored); they must compile under the project's
    settings on every stack.
    """
    config = {
        "extends": "./tsconfig.json",
        "compilerOptions": {"noEmit": True, "incremental": False},
        "include": ["next-env.d.ts", *layer_files],
    }
    path = workdir / "tsconfig.l4yercak3-check.json"
    await asyncio.to_thread(path.write_text, json.dumps(config))
    toolchain = await find_toolchain()
    assert toolchain is not None
    output: list[str] = []
    result = await run_streaming(
        [
            str(toolchain.node),
            "node_modules/typescript/bin/tsc",
            "-p",
            path.name,
            "--pretty",
            "false",
        ],
        cwd=workdir,
        env=child_environment(),
        on_line=output.append,
        deadline=600,
    )
    return result.ok, tuple(output)


def _restore_cache(cache: Path, target: Path) -> None:
    if cache.is_dir():
        shutil.copytree(cache, target)


def clean_environment(names: list[str]) -> None:
    """Remove the project's variables from this process: the bare build gets none."""
    for name in names:
        os.environ.pop(name, None)
