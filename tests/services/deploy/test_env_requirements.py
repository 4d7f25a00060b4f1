"""Which variables a deploy asks the user for: the scaffold's, the wizard's, the code's."""

from __future__ import annotations

from pathlib import Path

import httpx

from console.services.deploy.deploy import DeployService
from console.services.deploy.env import DeployEnv, EnvRequirement, looks_secret, user_env
from console.services.projects import ProjectService
from console.services.projects.models import EnvVar as CodeEnvVar
from console.services.publish import CustomEnvVar, PublishService
from console.services.scaffold import Architecture, AuthProvider, Backend, Category, PublishConfig
from console.services.vercel.models import EnvVarInput
from console.store.db import Store
from tests.services.deploy.conftest import FAST_OPTIONS, Remotes
from tests.services.deploy.env_project import add_env_project


def test_user_env_merges_scaffold_wizard_and_code() -> None:
    config = PublishConfig(
        "Shop",
        "shop",
        categories=(Category.CONVERSATIONS,),
        architecture=Architecture.FULL_STACK,
        backend=Backend.NEON_DRIZZLE,
        auth=AuthProvider.L4YERCAK3_OAUTH,
    )
    added = (CustomEnvVar("RESEND_FROM", "Sender address"), CustomEnvVar(""))
    code = (
        CodeEnvVar("DATABASE_URL", "x", ("lib/db.ts",), False),
        CodeEnvVar("RESEND_FROM", "x", ("lib/mail.ts",), True),
        CodeEnvVar("L4YERCAK3_API_KEY", "x", ("lib/api.ts",), True),
        CodeEnvVar("MONGODB_URI", "x", ("lib/mongo.ts", "app/page.tsx"), True),
        CodeEnvVar("NEXT_PUBLIC_SITE_URL", "x", ("app/page.tsx",), False),
    )
    env = {v.name: v for v in user_env(config, added, code)}
    # The console's own (API key, OAuth client, URL, org, webhook secret) are never asked for.
    assert not {n for n in env if n.startswith("L4YERCAK3_") and n != "L4YERCAK3_AGENT_ID"}
    assert list(env) == [
        "L4YERCAK3_AGENT_ID",
        "DATABASE_URL",
        "CRON_SECRET",
        "SESSION_SECRET",
        "RESEND_FROM",
        "MONGODB_URI",
        "NEXT_PUBLIC_SITE_URL",
    ]
    assert env["SESSION_SECRET"] == EnvRequirement(
        "SESSION_SECRET",
        "At least 32 random characters; encrypts the session cookie.",
        "scaffold",
        secret=True,
        required=True,
    )
    # Listed by the scaffold and read by the code: one entry, the code's file added.
    assert env["DATABASE_URL"].source == "scaffold"
    assert env["DATABASE_URL"].files == ("lib/db.ts",)
    # Added in the wizard: optional, unless the code checks it while loading.
    assert (env["RESEND_FROM"].source, env["RESEND_FROM"].required) == ("wizard", True)
    mongo, site = env["MONGODB_URI"], env["NEXT_PUBLIC_SITE_URL"]
    assert (mongo.source, mongo.required, mongo.secret) == ("code", True, True)
    assert mongo.files == ("lib/mongo.ts", "app/page.tsx")
    assert (site.source, site.required, site.secret) == ("code", False, False)


def test_looks_secret_by_name() -> None:
    for name in ("MONGODB_URI", "DATABASE_URL", "OPENAI_API_KEY", "GITHUB_TOKEN", "SENTRY_DSN"):
        assert looks_secret(name), name
    for name in ("NEXT_PUBLIC_STRIPE_KEY", "SITE_URL", "KEYCLOAK_REALM", "MONKEY_COUNT"):
        assert not looks_secret(name), name


def test_deploy_env_missing_and_inputs() -> None:
    env = DeployEnv(
        (
            EnvRequirement("SESSION_SECRET", "", "scaffold", secret=True, required=True),
            EnvRequirement("MONGODB_URI", "", "code", secret=True, required=True),
            EnvRequirement("CRON_SECRET", "", "scaffold", secret=True, required=True),
            EnvRequirement("SITE_URL", "", "code", secret=False, required=False),
        ),
        on_vercel=frozenset({"CRON_SECRET"}),
    )
    assert env.missing({}) == ["SESSION_SECRET", "MONGODB_URI"]
    assert env.missing({"SESSION_SECRET": "  ", "MONGODB_URI": "mongodb://x"}) == ["SESSION_SECRET"]
    assert env.inputs({"SESSION_SECRET": " s3cret ", "SITE_URL": "https://a.b", "X": "y"}) == [
        EnvVarInput("SESSION_SECRET", "s3cret", type="sensitive"),
        EnvVarInput("SITE_URL", "https://a.b", type="encrypted"),
    ]


async def test_deploy_service_answers_for_a_stored_project(
    remotes: Remotes, store: Store, tmp_path: Path
) -> None:
    app_id = await remotes.builder_app("Mongo Shop", ["forms"])
    project_id = await add_env_project(
        store, tmp_path, app_id=app_id, added=(CustomEnvVar("BRAND_NAME", "Shown in the header"),)
    )
    service = DeployService(
        store,
        remotes.vercel_client(),
        remotes.platform_client(),
        httpx.AsyncClient(timeout=5.0),
        options=FAST_OPTIONS,
        drafts=PublishService(store, None),
        compat=ProjectService(store, workspace_root=tmp_path / "workspaces"),
    )
    try:
        first = await service.env_requirements(project_id)
        assert [(v.name, v.source, v.required) for v in first.variables] == [
            ("SESSION_SECRET", "scaffold", True),
            ("BRAND_NAME", "wizard", False),
            ("MONGODB_URI", "code", True),
            ("NEXT_PUBLIC_SITE_URL", "code", False),
        ]
        assert first.variables[2].files == ("lib/db.ts",)
        assert first.on_vercel == frozenset()  # no Vercel project yet
        assert first.missing({}) == ["SESSION_SECRET", "MONGODB_URI"]

        # A redeploy: what Vercel holds for production counts as set.
        created = await service.vercel.create_project("mongo-shop", framework="nextjs")
        await service.vercel.create_env(
            created.id,
            [
                EnvVarInput("MONGODB_URI", "mongodb://db", type="sensitive"),
                EnvVarInput("SESSION_SECRET", "only-preview", target=("preview",)),
            ],
        )
        again = await service.env_requirements(project_id)
        assert again.on_vercel == frozenset({"MONGODB_URI"})
        assert again.missing({}) == ["SESSION_SECRET"]
    finally:
        await service.vercel.aclose()
        await service.platform.aclose()
        await service.health_http.aclose()
