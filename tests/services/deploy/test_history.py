"""Redeploy, history refresh, rollback to an earlier READY deployment, build logs."""

from __future__ import annotations

import pytest

from console.errors import UserInputError
from console.services.deploy.history import HistoryService, production_deployment
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent
from tests.services.deploy.conftest import Remotes, add_project


async def test_redeploy_history_rollback_logs(remotes: Remotes, store: Store) -> None:
    project_id = await add_project(store, remotes)
    deploy = remotes.service(store)
    history = HistoryService(
        store, remotes.vercel_client(), remotes.platform_client(), staff_name="Sam Operator"
    )
    try:
        first = await deploy.deploy(project_id)
        second = await deploy.deploy(project_id)  # redeploy
        remotes.vercel.fail_next_build("boom")
        with pytest.raises(Exception, match="Build"):
            await deploy.deploy(project_id)
        assert await history.refresh(project_id) == 3
        with store.read() as session:
            states = sorted(
                d.state for d in session.query(Deployment).filter_by(project_id=project_id)
            )
        assert states == ["ERROR", "READY", "READY"]
        assert production_deployment(store, project_id) == second["deployment_id"]
        # The redeploy reused the project and the webhook: one of each.
        assert remotes.vercel_projects() == ["acme-shop"]
        assert len([w for w in remotes.platform.webhooks() if w.app_id == first["app_id"]]) == 1

        url = await history.roll_back(project_id, first["deployment_id"])
        assert url == "https://acme-shop.vercel.app"
        project = remotes.vercel.store.find_project("acme-shop")
        assert project is not None
        _views, production = remotes.vercel.project_views(project)
        assert production is not None
        assert production.row.id == first["deployment_id"]
        assert production_deployment(store, project_id) == first["deployment_id"]

        failed = next(
            d.id
            for d in remotes.vercel.store.list_deployments(project.id)
            if d.id not in {first["deployment_id"], second["deployment_id"]}
        )
        with pytest.raises(UserInputError):
            await history.roll_back(project_id, failed)

        lines = await history.fetch_logs(first["deployment_id"])
        assert lines > 3
        with store.read() as session:
            kinds = [
                e.kind
                for e in session.query(DeploymentEvent).filter_by(
                    deployment_id=first["deployment_id"]
                )
            ]
        assert "promoted" in kinds
        assert remotes.check_vercel_contract() > 10
    finally:
        for client in (deploy.vercel, deploy.platform, history.vercel, history.platform):
            await client.aclose()
        await deploy.health_http.aclose()
