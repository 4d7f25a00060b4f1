"""The app's credentials on the platform and in Vercel's env, across many runs.

Each app has exactly one live API key, one webhook and (with l4yercak3 sign-in)
one OAuth client, and each is the one whose secret Vercel's production env
holds, set before the deployment that reads it was created. Secrets never
reach the store. What the sandboxes hold is asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from console.sandbox.faults import FaultRule
from console.services.deploy.deploy import DeployService
from console.services.deploy.events import ProgressEvent, StepProgress
from console.services.deploy.history import HistoryService
from console.services.deploy.pipeline import PipelineFailed
from console.services.scaffold import (
    Architecture,
    AuthProvider,
    Category,
    PublishConfig,
    api_scopes,
)
from console.store.db import Store
from console.store.models import PipelineRun, Project
from console.store.models import PublishConfig as PublishConfigRow
from tests.services.deploy.conftest import Remotes, add_project

API_KEY = "L4YERCAK3_API_KEY"
HOOK_SECRET = "L4YERCAK3_WEBHOOK_SECRET"
CONSOLE_SET = {
    "NEXT_PUBLIC_L4YERCAK3_URL",
    "L4YERCAK3_APP_ID",
    API_KEY,
    HOOK_SECRET,
}


async def close(service: DeployService) -> None:
    await service.vercel.aclose()
    await service.platform.aclose()
    await service.health_http.aclose()


def app_of(store: Store, project_id: int) -> str:
    with store.read() as session:
        project = session.get(Project, project_id)
        assert project is not None
        assert project.remote_id is not None
        return project.remote_id


def env_of(remotes: Remotes, name: str) -> dict[str, str]:
    project = remotes.vercel.store.find_project(name)
    assert project is not None
    return remotes.vercel.production_env(project.id)


def set_before(remotes: Remotes, name: str, deployment_id: str) -> set[str]:
    """Production variables that were in place when the deployment was created."""
    project = remotes.vercel.store.find_project(name)
    deployment = remotes.vercel.store.find_deployment(deployment_id)
    assert project is not None
    assert deployment is not None
    return {
        e.key
        for e in remotes.vercel.store.list_envs(project.id)
        if "production" in e.targets and e.updated_at <= deployment.created_at
    }


def one_of_each(remotes: Remotes, app_id: str, name: str) -> tuple[str, str]:
    """Exactly one live key and one webhook, and Vercel holds their secrets: (key, hook)."""
    env = env_of(remotes, name)
    keys = remotes.platform.api_keys(app_id)
    assert len(keys) == 1, [k.id for k in keys]
    assert remotes.platform.api_key_id(env[API_KEY]) == keys[0].id
    hooks = [w for w in remotes.platform.webhooks() if w.app_id == app_id]
    assert len(hooks) == 1, [w.id for w in hooks]
    assert hooks[0].secret == env[HOOK_SECRET]
    return keys[0].id, hooks[0].id


def publish_as(store: Store, project_id: int, config: PublishConfig, webhook_path: str) -> None:
    """What a publish from this console records: the config the pushed app came from."""
    with store.write() as tx:
        tx.session.merge(
            PublishConfigRow(
                project_id=project_id,
                config={
                    "publish_state": {
                        "published_config": config.to_dict(),
                        "webhook_path": webhook_path,
                    }
                },
            )
        )


def secrets_in_store(root: Path) -> list[bytes]:
    raw = b"".join(p.read_bytes() for p in root.glob("console.sqlite3*"))
    return [s for s in (b"l4k_app_", b"whsec_", b"l4cs_") if s in raw]


# ------------------------------------------------------------------ ten runs, one key


def test_ten_deploys_redeploys_retries_and_rollbacks_keep_one_live_key(
    remotes: Remotes, store: Store, tmp_path: Path
) -> None:
    asyncio.run(asyncio.wait_for(ten_runs(remotes, store, tmp_path), 120))


async def ten_runs(remotes: Remotes, store: Store, tmp_path: Path) -> None:
    project_id = await add_project(store, remotes)
    app_id = app_of(store, project_id)
    service = remotes.service(store)
    history = HistoryService(store, service.vercel, service.platform)
    runs = 0
    keys_seen: set[str] = set()

    async def deploy() -> dict[str, object]:
        nonlocal runs
        runs += 1
        return await service.deploy(project_id)

    async def fails() -> int:
        nonlocal runs
        runs += 1
        with pytest.raises(PipelineFailed) as caught:
            await service.deploy(project_id)
        return caught.value.run_id

    async def retry(run_id: int) -> None:
        nonlocal runs
        runs += 1
        await service.run(run_id)

    def check() -> str:
        key, _hook = one_of_each(remotes, app_id, "acme-shop")
        keys_seen.add(key)
        return key

    try:
        first = await deploy()  # 1: a first deploy makes the key
        key = check()
        await deploy()  # 2, 3: redeploys reuse it
        await deploy()
        assert check() == key
        remotes.platform.faults.add(
            FaultRule("status", path=r"/deployment$", method="POST", status=400)
        )
        await retry(await fails())  # 4, 5: a rollback late in the run, then its retry
        assert check() == key
        remotes.vercel.fail_next_build()
        await retry(await fails())  # 6, 7: a failed build rolled back, then retried
        assert check() == key

        # 8, 9: the Vercel project is gone (deleted on Vercel): the new one needs a new key;
        # its first run fails and its rollback revokes what it made, the old key stays.
        remotes.vercel.delete_project("acme-shop")
        remotes.vercel.fail_next_build()
        failed = await fails()
        assert [k.id for k in remotes.platform.api_keys(app_id)] == [key]
        await retry(failed)
        key = check()  # the new project's key; the old one was revoked once healthy

        # 10: a redeploy that answers badly is rolled back: production is the last one again.
        remotes.vercel.faults.add(
            FaultRule("status", path=r"^/_deployments/", status=503, times=None)
        )
        warned = service.start(project_id)
        runs += 1
        await service.run(warned)
        remotes.vercel.faults.clear()
        await service.abandon(warned)
        assert check() == key

        # 11: the app's categories changed: a key with the new scopes replaces the old one.
        with store.write() as tx:
            row = tx.session.get(Project, project_id)
            assert row is not None
            row.categories = ["forms", "crm", "bookings"]
        await deploy()
        key = check()
        (live,) = remotes.platform.api_keys(app_id)
        assert set(live.scopes) == {"forms:read", "forms:write", "crm:read", "crm:write"} | {
            "bookings:read",
            "bookings:write",
        }

        # 12, 13: production rolled back to an earlier deployment from the history (Vercel
        # pins it there); a redeploy while pinned reuses the key.
        await history.refresh(project_id)
        earlier = await deploy()
        await history.roll_back(project_id, str(earlier["deployment_id"]))
        await deploy()
        assert check() == key

        # 14: a deploy canceled while it builds rolls back; the key stays.
        remotes.vercel.hang_next_build()
        building = asyncio.Event()

        def progress(event: ProgressEvent) -> None:
            if isinstance(event, StepProgress) and event.ready_state == "BUILDING":
                building.set()

        task = asyncio.ensure_future(service.deploy(project_id, progress))
        runs += 1
        await asyncio.wait_for(building.wait(), 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert check() == key
    finally:
        await close(service)
    with store.read() as session:
        statuses = [r.status for r in session.query(PipelineRun).order_by(PipelineRun.id)]
    print(f"\n{runs} runs ({', '.join(statuses)}): {len(keys_seen)} keys over time, 1 live")
    assert runs >= 10
    assert len(keys_seen) == 3  # first, after the project was lost, after the scopes changed
    assert first["api_key_id"] in keys_seen
    assert secrets_in_store(tmp_path) == []


# ------------------------------------------------------------------ what the app is given


async def test_first_deployment_starts_with_every_console_variable(
    remotes: Remotes, store: Store
) -> None:
    project_id = await add_project(store, remotes)
    service = remotes.service(store)
    try:
        state = await service.deploy(project_id)
    finally:
        await close(service)
    assert set_before(remotes, "acme-shop", state["deployment_id"]) >= CONSOLE_SET
    one_of_each(remotes, state["app_id"], "acme-shop")


async def test_scopes_and_webhook_come_from_the_published_config(
    remotes: Remotes, store: Store
) -> None:
    project_id = await add_project(store, remotes, categories=("forms", "crm"))
    published = PublishConfig(
        "Acme Shop", "acme-shop", categories=(Category.PRODUCTS, Category.CHECKOUT)
    )
    publish_as(store, project_id, published, "/l4yercak3/api/webhook")
    service = remotes.service(store)
    try:
        state = await service.deploy(project_id)
    finally:
        await close(service)
    (key,) = remotes.platform.api_keys(state["app_id"])
    assert sorted(key.scopes) == sorted(api_scopes(published))
    (hook,) = [w for w in remotes.platform.webhooks() if w.app_id == state["app_id"]]
    assert hook.url == "https://acme-shop.vercel.app/l4yercak3/api/webhook"
    assert set(hook.events) == {"payment.completed"}


async def test_an_app_without_categories_still_gets_its_key(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes, categories=())
    service = remotes.service(store)
    try:
        state = await service.deploy(project_id)
    finally:
        await close(service)
    (key,) = remotes.platform.api_keys(state["app_id"])
    assert key.scopes == ()
    one_of_each(remotes, state["app_id"], "acme-shop")


async def test_l4yercak3_sign_in_gets_one_oauth_client(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    config = PublishConfig(
        "Acme Shop",
        "acme-shop",
        categories=(Category.FORMS, Category.CRM),
        architecture=Architecture.HYBRID,
        auth=AuthProvider.L4YERCAK3_OAUTH,
    )
    publish_as(store, project_id, config, "/api/webhook")
    service = remotes.service(store)
    try:
        first = await service.deploy(project_id)
        second = await service.deploy(project_id)
    finally:
        await close(service)
    (client,) = remotes.platform.oauth_clients(first["app_id"])
    assert client.redirect_uris == ("https://acme-shop.vercel.app/api/auth/callback",)
    env = env_of(remotes, "acme-shop")
    assert env["L4YERCAK3_OAUTH_CLIENT_ID"] == client.id
    assert remotes.platform.oauth_client_id(env["L4YERCAK3_OAUTH_CLIENT_SECRET"]) == client.id
    before = set_before(remotes, "acme-shop", first["deployment_id"])
    assert {"L4YERCAK3_OAUTH_CLIENT_ID", "L4YERCAK3_OAUTH_CLIENT_SECRET"} <= before
    assert second["oauth_client_id"] == client.id  # the redeploy reused it


async def test_a_redeploy_that_lost_the_webhook_secret_provides_a_new_one(
    remotes: Remotes, store: Store
) -> None:
    project_id = await add_project(store, remotes)
    service = remotes.service(store)
    try:
        first = await service.deploy(project_id)
        remotes.vercel.delete_project("acme-shop")  # its variables go with it
        second = await service.deploy(project_id)
    finally:
        await close(service)
    _key, hook = one_of_each(remotes, first["app_id"], "acme-shop")
    assert hook == second["webhook_id"] != first["webhook_id"]  # the old one was removed
    assert HOOK_SECRET in set_before(remotes, "acme-shop", second["deployment_id"])
