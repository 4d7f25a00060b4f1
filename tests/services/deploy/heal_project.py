"""A support desk on MongoDB whose env rule is off, and the Vercel build log its deploy leaves.

lib/mongodb.ts is the classic module of v0's MongoDB exports (as in the corpus
export helpdesk-mongo): it throws when MONGODB_URI is unset as soon as it
loads, so `next build` fails collecting the page data of the route that
imports it unless the env rule gives it a build-time placeholder. Shared by
the deploy healer's service and view tests.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from console.services.projects import ProjectService
from console.store.db import Store
from console.store.models import Deployment, DeploymentEvent, Project

CORPUS = Path(__file__).resolve().parents[2] / "data" / "v0corpus"
OUTPUTS = Path(__file__).resolve().parents[2] / "data" / "buildcheck" / "outputs"

FILES: dict[str, str] = {
    "package.json": json.dumps(
        {
            "name": "my-v0-project",
            "scripts": {"build": "next build", "start": "next start"},
            "dependencies": {"next": "15.2.4", "react": "^19", "mongodb": "6.12.0"},
        },
        indent=2,
    ),
    "app/page.tsx": "export default function Page() {\n  return <main>Helpdesk</main>\n}\n",
    "app/api/users/route.ts": (
        "import { NextResponse } from 'next/server'\n"
        "import clientPromise from '@/lib/mongodb'\n\n"
        "export async function GET() {\n"
        "  const users = await (await clientPromise).db().collection('users').find().toArray()\n"
        "  return NextResponse.json(users)\n"
        "}\n"
    ),
    "lib/mongodb.ts": (CORPUS / "helpdesk-mongo" / "lib" / "mongodb.ts").read_text(),
}


async def import_helpdesk(projects: ProjectService, folder: Path) -> int:
    """Import the export as a user would, then turn the env rule off (its build now fails)."""
    for path, text in FILES.items():
        target = folder / "helpdesk" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    project_id = await projects.import_export(folder / "helpdesk", name="Helpdesk")
    await projects.apply_compat(project_id, {"env-checks"})
    return project_id


def vercel_log(sample: str) -> list[tuple[str, str]]:
    """A failed Vercel build's events (kind, text) around a real `next build` output sample."""
    head = [
        ("stdout", "Running build in Washington, D.C., USA (East) – iad1"),
        ("stdout", "Build machine configuration: 2 cores, 8 GB"),
        ("stdout", "Cloning github.com/sandbox-agency/helpdesk (Branch: main, Commit: 4c1e2d9)"),
        ("stdout", "Cloning completed: 412.000ms"),
        ("command", 'Running "vercel build"'),
        ("stdout", "Vercel CLI 48.2.0"),
        ("command", 'Running "install" command: `pnpm install --frozen-lockfile`...'),
        ("stdout", "Lockfile is up to date, resolution step is skipped"),
        ("stdout", "Packages: +412"),
        ("stdout", "Done in 6.1s using pnpm v10.18.0"),
        ("stdout", "Detected Next.js version: 15.2.4"),
        ("command", 'Running "pnpm run build"'),
        ("stdout", "> my-v0-project@0.1.0 build /vercel/path0"),
        ("stdout", "> next build"),
    ]
    output = (OUTPUTS / sample).read_text(encoding="utf-8").splitlines()
    tail = [
        ("stderr", " ELIFECYCLE  Command failed with exit code 1."),
        ("stderr", 'Error: Command "pnpm run build" exited with 1'),
        ("exit", "exit code 1"),
        ("deployment-state", "ERROR"),
    ]
    return [*head, *(("stdout", line) for line in output), *tail]


def store_deployment(
    store: Store,
    project_id: int,
    deployment_id: str,
    state: str,
    events: list[tuple[str, str]],
    created_at: datetime,
) -> None:
    """A deployment of the project as the deploy pipeline stores it, with its build log."""
    with store.write() as tx:
        tx.session.add(
            Deployment(
                id=deployment_id,
                project_id=project_id,
                state=state,
                url=f"helpdesk-{deployment_id[4:]}.vercel.app",
                created_at=created_at,
            )
        )
        tx.session.flush()
        for kind, text in events:
            tx.session.add(DeploymentEvent(deployment_id=deployment_id, kind=kind, text=text))


def mark_published(store: Store, project_id: int, app_id: str) -> None:
    """The project's builder app on the platform (the deploy needs it)."""
    with store.write() as tx:
        row = tx.session.get(Project, project_id)
        assert row is not None
        row.remote_id = app_id
