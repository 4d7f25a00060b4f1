"""Where each remote lives and the client for it: one place that opens them all.

`Endpoints` says where the four remotes are and which token each takes (from
Settings and the keyring, or from the embedded sandbox); `open_remotes`
builds one client per remote; `check_connection` is the Settings page's
"Test connection".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from console.errors import RemoteError, UserInputError
from console.services.github.client import GitHubClient
from console.services.http import build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.secrets import Account, SecretsService
from console.services.settings import AccountSettings
from console.services.stripe.client import StripeBilling
from console.services.stripe.errors import PortalNotConfigured
from console.services.vercel.client import GitAccessMissing, VercelClient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str


@dataclass(frozen=True)
class Endpoints:
    """The four remotes the console talks to."""

    platform: Endpoint
    github: Endpoint
    vercel: Endpoint
    stripe: Endpoint
    github_owner: str = ""
    vercel_team: str = ""
    sandbox: bool = False

    @classmethod
    def from_settings(cls, accounts: AccountSettings, secrets: SecretsService) -> Endpoints:
        def token(account: Account) -> str:
            return secrets.get(account) or ""

        return cls(
            platform=Endpoint(accounts.platform_url, token(Account.PLATFORM)),
            github=Endpoint(accounts.github_url, token(Account.GITHUB)),
            vercel=Endpoint(accounts.vercel_url, token(Account.VERCEL)),
            stripe=Endpoint(accounts.stripe_url, token(Account.STRIPE)),
            github_owner=accounts.github_owner,
            vercel_team=accounts.vercel_team,
        )


@dataclass
class Remotes:
    """One client per remote, closed together."""

    platform: PlatformClient
    github: GitHubClient
    vercel: VercelClient
    stripe: StripeBilling

    async def aclose(self) -> None:
        await self.platform.aclose()
        await self.vercel.aclose()
        await self.github.aclose()
        await self.stripe.aclose()


def platform_client(endpoint: Endpoint) -> PlatformClient:
    return PlatformClient(build_client("platform", api_base_url(endpoint.url), endpoint.token))


def open_remotes(endpoints: Endpoints) -> Remotes:
    return Remotes(
        platform=platform_client(endpoints.platform),
        github=GitHubClient(endpoints.github.url, endpoints.github.token),
        vercel=VercelClient(
            build_client("vercel", endpoints.vercel.url, endpoints.vercel.token),
            team_id=endpoints.vercel_team or None,
        ),
        stripe=StripeBilling(endpoints.stripe.token, base_url=endpoints.stripe.url),
    )


async def check_connection(account: Account, accounts: AccountSettings, token: str) -> str:
    """Call one cheap endpoint of `account` with these settings; say what was seen."""
    if not token:
        raise UserInputError(f"No {account.value} token is set.")
    endpoints = Endpoints.from_settings(accounts, SecretsService())
    if account is Account.PLATFORM:
        if not accounts.platform_url:
            raise UserInputError("Enter the platform URL first.")
        client = platform_client(Endpoint(accounts.platform_url, token))
        try:
            org = await client.get_organization()
        finally:
            await client.aclose()
        return f"Connected to {org.name} ({org.tier}) as {org.staff.name}."
    if account is Account.GITHUB:
        github = GitHubClient(endpoints.github.url, token)
        try:
            user = await github.get_user()
        finally:
            await github.aclose()
        return f"Signed in to GitHub as {user.login}."
    if account is Account.VERCEL:
        owner = accounts.github_owner or await _github_login(endpoints.github)
        return await check_vercel(endpoints.vercel.url, token, accounts.vercel_team, owner)
    return await check_stripe(endpoints.stripe.url, token)


async def check_vercel(url: str, token: str, team: str, github_owner: str | None) -> str:
    """The Vercel part of "Test connection": the token, and what its GitHub app can see.

    The console creates a repository per project under `github_owner` and
    links a Vercel project to it; Vercel refuses the link (400) unless its
    GitHub app is installed on that owner.

    Args:
        url: Vercel's API root.
        token: the Vercel token to test.
        team: the Vercel team, or "" for the personal account.
        github_owner: where the console creates repositories; None if unknown
            (no owner set and no working GitHub token).

    Raises:
        GitAccessMissing: the token works, but Vercel's GitHub app is not
            installed on `github_owner`; the error says where to install it.
    """
    vercel = VercelClient(build_client("vercel", url, token), team_id=team or None)
    try:
        await vercel.list_deployments(limit=1)
        namespaces = await vercel.list_git_namespaces()
    finally:
        await vercel.aclose()
    if github_owner is None:
        return (
            "Vercel answered. Set the GitHub owner (or a GitHub token) to check that "
            "Vercel's GitHub app can see where the console creates repositories."
        )
    if not any(n.slug.lower() == github_owner.lower() for n in namespaces):
        seen = ", ".join(n.slug for n in namespaces) or "no GitHub owner"
        raise GitAccessMissing(
            f"the token works, but Vercel's GitHub app is not installed on {github_owner} "
            f"(it sees {seen}), so Vercel cannot link or build the repositories the "
            f"console creates there.",
            remote="vercel",
        )
    return f"Vercel answered; its GitHub app can see {github_owner}."


async def _github_login(endpoint: Endpoint) -> str | None:
    """The GitHub token's login: where repositories go when no owner is set."""
    if not endpoint.token:
        return None
    github = GitHubClient(endpoint.url, endpoint.token)
    try:
        return (await github.get_user()).login
    except RemoteError as exc:
        logger.info("github login not read for the Vercel check: %s", type(exc).__name__)
        return None
    finally:
        await github.aclose()


async def check_stripe(url: str, token: str) -> str:
    """The Stripe part of "Test connection": the key, the catalog and the billing portal.

    Raises:
        PortalNotConfigured: the key works but the account has no customer
            portal configuration, so "Billing portal" would fail; the error
            says where to fix it.
    """
    stripe = StripeBilling(token, base_url=url)
    try:
        catalog = await stripe.list_prices()
        portal = await stripe.default_portal_configuration()
    finally:
        await stripe.aclose()
    found = f"{len(catalog.packs)} credit packs, {len(catalog.tiers)} plans"
    if portal is None:
        raise PortalNotConfigured(
            f"the key works ({found}), but the account has no customer portal "
            "configuration, so Billing portal cannot open."
        )
    return f"Stripe answered: {found}, customer portal configured."
