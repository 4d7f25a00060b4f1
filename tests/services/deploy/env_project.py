"""A published project whose code reads MONGODB_URI and whose draft signs in with l4yercak3 OAuth.

Shared by the deploy service and deploy view tests of the variables a deploy asks for.
"""

from __future__ import annotations

import json
from pathlib import Path

from console.services.projects import ProjectService
from console.services.publish import CustomEnvVar, PublishService
from console.services.scaffold import AuthProvider, Category, PublishConfig
from console.store.db import Store
from console.store.models import Project

#: lib/db.ts checks MONGODB_URI as soon as it loads; the page reads the site URL on use.
FILES = {
    "package.json": json.dumps(
        {"name": "mongo-shop", "dependencies": {"next": "15.1.0", "mongodb": "6.12.0"}}
    ),
    "lib/db.ts": (
        'import { MongoClient } from "mongodb"\n\n'
        "if (!process.env.MONGODB_URI) {\n"
        '  throw new Error("Missing MONGODB_URI")\n'
        "}\n\n"
        "export const client = new MongoClient(process.env.MONGODB_URI)\n"
    ),
    "app/page.tsx": (
        'import { client } from "@/lib/db"\n\n'
        "export default async function Page() {\n"
        "  const key = process.env.L4YERCAK3_API_KEY\n"
        "  return <a href={process.env.NEXT_PUBLIC_SITE_URL}>{String(Boolean(client && key))}</a>\n"
        "}\n"
    ),
}


async def add_env_project(
    store: Store,
    export_dir: Path,
    *,
    app_id: str,
    added: tuple[CustomEnvVar, ...] = (),
) -> int:
    """Import the export, save its draft (OAuth sign-in, forms) and mark it published."""
    for path, text in FILES.items():
        target = export_dir / "mongo-shop" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    projects = ProjectService(store, workspace_root=export_dir / "workspaces")
    project_id = await projects.import_export(export_dir / "mongo-shop", name="Mongo Shop")
    config = PublishConfig(
        app_name="Mongo Shop",
        repo_name="mongo-shop",
        categories=(Category.FORMS,),
        auth=AuthProvider.L4YERCAK3_OAUTH,
    )
    await PublishService(store, None).save_draft(project_id, config, added)
    with store.write() as tx:
        row = tx.session.get(Project, project_id)
        assert row is not None
        row.remote_id = app_id
        row.status = "published"
        row.repo_url = "https://github.com/acme/mongo-shop"
    return project_id
