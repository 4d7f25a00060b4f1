"""What every vendor's sandbox holds, counted per client: what the fault figures compare.

Read straight from the sandboxes' own state (not through the console's clients),
so a resource the console forgot still counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from console.sandbox.github import GitHubSandbox
from tests.services.deploy.conftest import Remotes


@dataclass
class Census:
    """Counts by what identifies a client's resource (names, slugs, app ids).

    Attributes:
        repos: GitHub repositories by full name.
        projects: Vercel projects by name.
        env: Vercel variables by (project, key, target).
        deployments: Vercel deployments by project name.
        children: platform sub-organizations by slug.
        apps: platform builder apps by slug (in any organization).
        keys: live platform API keys by app slug.
        webhooks: platform webhooks by app slug.
        oauth: platform OAuth clients by app slug.
    """

    repos: Counter[str] = field(default_factory=Counter)
    projects: Counter[str] = field(default_factory=Counter)
    env: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    deployments: Counter[str] = field(default_factory=Counter)
    children: Counter[str] = field(default_factory=Counter)
    apps: Counter[str] = field(default_factory=Counter)
    keys: Counter[str] = field(default_factory=Counter)
    webhooks: Counter[str] = field(default_factory=Counter)
    oauth: Counter[str] = field(default_factory=Counter)

    def kinds(self) -> dict[str, Counter[str]]:
        """Each kind's counts, keyed by name (variables as "project/key@target")."""
        env: Counter[str] = Counter({f"{p}/{k}@{t}": n for (p, k, t), n in self.env.items()})
        return {
            "GitHub repositories": self.repos,
            "Vercel projects": self.projects,
            "Vercel variables": env,
            "Vercel deployments": self.deployments,
            "platform sub-orgs": self.children,
            "platform builder apps": self.apps,
            "platform API keys": self.keys,
            "platform webhooks": self.webhooks,
            "platform OAuth clients": self.oauth,
        }


def take(remotes: Remotes, github: GitHubSandbox, slugs: Iterable[str]) -> Census:
    """Everything the sandboxes hold that belongs to one of the clients `slugs`."""
    wanted = set(slugs)
    portals = {f"{s}-portal" for s in wanted}
    census = Census()
    for repo in github.state.all_repos():
        if repo.name in portals:
            census.repos[repo.full_name] += 1
    store = remotes.vercel.store
    for name in remotes.vercel_projects():
        if name not in portals:
            continue
        census.projects[name] += 1
        project = store.find_project(name)
        assert project is not None
        for env in store.list_envs(project.id):
            for target in env.targets:
                census.env[(name, env.key, target)] += 1
        census.deployments[name] += len(store.list_deployments(project.id))
    platform = remotes.platform
    children = {c.id for c in platform.children() if c.slug in wanted}
    census.children.update(c.slug for c in platform.children() if c.slug in wanted)
    slug_of = {}
    for app in platform.builder_apps():
        if app.org_id in children or app.slug in portals:
            census.apps[app.slug] += 1
            slug_of[app.id] = app.slug
    census.keys.update(slug_of[k.app_id] for k in platform.api_keys() if k.app_id in slug_of)
    census.webhooks.update(slug_of[w.app_id] for w in platform.webhooks() if w.app_id in slug_of)
    census.oauth.update(slug_of[c.app_id] for c in platform.oauth_clients() if c.app_id in slug_of)
    return census


def surplus(found: Census, expected: Census) -> dict[str, int]:
    """Per kind, how many resources exist beyond what is expected (left behind or doubled)."""
    want = expected.kinds()
    return {
        kind: sum(max(0, n - want[kind].get(name, 0)) for name, n in counts.items())
        for kind, counts in found.kinds().items()
    }


def missing(found: Census, expected: Census) -> dict[str, int]:
    """Per kind, how many expected resources do not exist."""
    have = found.kinds()
    return {
        kind: sum(max(0, n - have[kind].get(name, 0)) for name, n in counts.items())
        for kind, counts in expected.kinds().items()
    }
