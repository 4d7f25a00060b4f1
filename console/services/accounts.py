"""Where each remote lives and the client for it: one place that opens them all.

`Endpoints` says where the four remotes are and which token each takes (from
Settings and the keyring, or from the embedded sandbox); `open_remotes`
builds one client per remote; `check_connection` is the Settings page's
"Test connection".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from console.errors import AuthError, UserInputError
from console.services.github.client import GitHubClient
from console.services.http import build_client
from console.services.platform.client import PlatformClient, api_base_url
from console.services.secrets import Account, SecretsService
from console.services.settings import AccountSettings
from console.services.stripe.client import StripeBilling
from console.services.vercel.client import VercelClient

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
        vercel = VercelClient(
            build_client("vercel", endpoints.vercel.url, token),
            team_id=accounts.vercel_team or None,
        )
        try:
            page = await vercel.list_deployments(limit=1)
        finally:
            await vercel.aclose()
        return f"Vercel answered ({len(page.deployments)} recent deployment shown)."
    stripe = StripeBilling(token, base_url=endpoints.stripe.url)
    try:
        catalog = await stripe.list_prices()
    except AuthError:
        raise
    finally:
        await stripe.aclose()
    return f"Stripe answered: {len(catalog.packs)} credit packs, {len(catalog.tiers)} plans."
