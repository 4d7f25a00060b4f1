"""Client of the l4yercak3 platform API v1 (`console/contracts/platform.yaml`).

One typed coroutine per operation. Conventions from the contract:

- ``org_id`` on any call acts in that (child) organization: ``X-Organization-Id``.
  ``filter_org`` is the separate ``orgId`` list filter.
- every POST/PATCH takes ``idempotency_key`` (``Idempotency-Key``); with a key
  the call is retried like a GET (the platform replays the first answer).
- lists return `Page` (``items`` and ``next_cursor``); pass the cursor back.
- the change log: `poll_events` (``GET /events?after=``) and `stream_events`
  (SSE with ``Last-Event-ID`` resume); both raise `EventCursorInvalid` (410)
  when the log was reset and the console must resync.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal
from urllib.parse import quote

import httpx
from httpx_sse import SSEError, aconnect_sse

from console.errors import Conflict, ContractError, NetworkError, RemoteError
from console.services.http import (
    Failure,
    HttpApi,
    HttpStatusFailure,
    Reader,
    RetryPolicy,
    contract_error,
    parse_json,
)
from console.services.platform.models import (
    Agent,
    ApiKey,
    ApiKeyInfo,
    Architecture,
    BuilderApp,
    BuilderAppLinks,
    BuilderAppStatus,
    Category,
    CategoryId,
    Channel,
    ChildOrganization,
    ChildStatus,
    Conversation,
    ConversationStatus,
    CreatedOAuthClient,
    CreditBalance,
    CreditTransaction,
    CreditUsage,
    EventPage,
    LicensingLimits,
    Message,
    OAuthClient,
    ObjectType,
    Organization,
    Page,
    PlatformEvent,
    RegisteredWebhook,
    StaffRef,
    Template,
    TransactionKind,
    UsageGroup,
    Webhook,
    WebhookEvent,
    parse_event,
)

logger = logging.getLogger(__name__)

REMOTE = "platform"
#: Where the API lives under the platform's URL.
API_PREFIX = "/api/v1"
ORG_HEADER = "X-Organization-Id"
STAFF_HEADER = "X-Staff-Name"


def api_base_url(platform_url: str) -> str:
    """The API root for a platform URL (adds ``/api/v1`` unless present)."""
    url = platform_url.rstrip("/")
    return url if url.endswith(API_PREFIX) else url + API_PREFIX


class EventCursorInvalid(RemoteError):
    """The change-log cursor is beyond the log's head (410): the log was reset."""

    action = "The platform's change log was reset; the console resyncs everything."


class StaleContext(Conflict):
    """A reply refused with 409 ``stale_context``: the customer wrote, or staff
    replied, after the message its author had seen. Nothing was sent.

    Attributes:
        newer: those messages, oldest first (the newest 20 at most).
    """

    action = "Read what arrived, then send the reply anyway, edit it or discard it."

    def __init__(self, message: str, *, newer: tuple[Message, ...], **kw: Any) -> None:
        super().__init__(message, **kw)
        self.newer = newer


class HandledByOther(Conflict):
    """A reply refused with 409 ``handled_by_other``: someone else has the conversation.

    Attributes:
        handler: who took it over.
    """

    action = "Ask them to hand it back if you need to reply."

    def __init__(self, message: str, *, handler: StaffRef, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.handler = handler


class _PlatformApi(HttpApi):
    """`HttpApi` that reads the details of a refused reply (409) into typed errors."""

    def classify(self, exc: Exception, *, retryable: bool) -> Failure | None:
        """Override HttpApi.classify: `StaleContext` and `HandledByOther` carry their details."""
        failure = super().classify(exc, retryable=retryable)
        if (
            failure is None
            or not isinstance(exc, HttpStatusFailure)
            or not isinstance(failure.error, Conflict)
            or failure.error.code not in ("stale_context", "handled_by_other")
        ):
            return failure
        return replace(failure, error=_refused_reply(failure.error, exc.response))


def _refused_reply(error: Conflict, response: httpx.Response) -> RemoteError:
    kw: dict[str, Any] = {"remote": REMOTE, "status": error.status, "code": error.code}
    try:
        details = Reader(parse_json(REMOTE, response), remote=REMOTE).obj("error")
        if error.code == "stale_context":
            newer = tuple(Message.parse(m) for m in details.items("newerMessages"))
            return StaleContext(str(error), newer=newer, **kw)
        return HandledByOther(str(error), handler=StaffRef.parse(details.obj("handledBy")), **kw)
    except ContractError as bad:
        return bad


class Unset(Enum):
    """Marks a PATCH field the caller did not pass (None means "set to null")."""

    UNSET = "unset"


UNSET = Unset.UNSET


def _seg(value: str) -> str:
    return quote(value, safe="")


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _page(reader: Reader, parse: Any) -> Page[Any]:
    return Page(
        items=tuple(parse(x) for x in reader.items("data")),
        next_cursor=reader.opt_text("nextCursor"),
    )


class PlatformClient:
    """Typed coroutines over the platform API.

    Args:
        http: the platform's `httpx.AsyncClient`, base_url = `api_base_url(...)`,
            bearer API key (see `console.services.http.build_client`).
        policy: the retry policy; the default if None.
        staff_name: the human behind a shared key (``X-Staff-Name``), part of
            the handler identity in conversation takeover.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        policy: RetryPolicy | None = None,
        staff_name: str | None = None,
    ) -> None:
        self._http = http
        self._api = _PlatformApi(http, remote=REMOTE, policy=policy)
        self._staff_name = staff_name

    async def aclose(self) -> None:
        """Close the underlying HTTP client."""
        await self._http.aclose()

    @property
    def policy(self) -> RetryPolicy:
        return self._api.policy

    def _headers(self, org_id: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if org_id:
            headers[ORG_HEADER] = org_id
        if self._staff_name:
            headers[STAFF_HEADER] = self._staff_name
        return headers

    async def _get(
        self, url: str, *, org_id: str | None = None, params: Mapping[str, Any] | None = None
    ) -> Reader:
        return await self._api.request_reader(
            "GET", url, params=params, headers=self._headers(org_id)
        )

    async def _get_page(
        self,
        url: str,
        parse: Any,
        *,
        org_id: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Page[Any]:
        """GET a list page and parse it in a worker thread.

        Bulk pages (1,000 messages) take milliseconds to decode and type; off
        the event loop, the UI keeps its frames while a sync runs.
        """
        response = await self._api.send("GET", url, params=params, headers=self._headers(org_id))

        def parse_page() -> Page[Any]:
            return _page(Reader(parse_json(REMOTE, response), remote=REMOTE), parse)

        return await asyncio.to_thread(parse_page)

    async def _write(
        self,
        method: Literal["POST", "PATCH"],
        url: str,
        body: Mapping[str, Any],
        *,
        org_id: str | None,
        idempotency_key: str | None,
    ) -> Reader:
        return await self._api.request_reader(
            method,
            url,
            json_body=dict(body),
            headers=self._headers(org_id),
            idempotency_key=idempotency_key,
        )

    async def _delete(self, url: str, org_id: str | None) -> None:
        """A DELETE (204); retried like a GET (a repeat after a lost answer is 404)."""
        await self._api.send("DELETE", url, headers=self._headers(org_id))

    # ------------------------------------------------------------------ organizations

    async def get_organization(self, *, org_id: str | None = None) -> Organization:
        """getMyOrganization: the acting organization, its tier, limits and the staff member."""
        return Organization.parse(await self._get("/organizations/me", org_id=org_id))

    async def list_children(
        self,
        *,
        status: ChildStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[ChildOrganization]:
        """listChildOrganizations: client sub-organizations, newest first."""
        params = {"status": status, "limit": limit, "cursor": cursor}
        reader = await self._get("/organizations/children", org_id=org_id, params=params)
        return _page(reader, ChildOrganization.parse)

    async def create_child(
        self,
        *,
        name: str,
        slug: str,
        contact_email: str,
        brand_primary_color: str | None = None,
        brand_logo_url: str | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> ChildOrganization:
        """createChildOrganization (status starts as ``provisioning``).

        Raises:
            Conflict: the slug is taken.
            AuthError: acting as a child organization (only top level has children).
        """
        body: dict[str, Any] = {"name": name, "slug": slug, "contactEmail": contact_email}
        if brand_primary_color is not None:
            body["brandPrimaryColor"] = brand_primary_color
        if brand_logo_url is not None:
            body["brandLogoUrl"] = brand_logo_url
        reader = await self._write(
            "POST",
            "/organizations/children",
            body,
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        child = ChildOrganization.parse(reader)
        logger.info("platform child organization %s created", child.id)
        return child

    async def get_child(self, child_id: str, *, org_id: str | None = None) -> ChildOrganization:
        """getChildOrganization."""
        reader = await self._get(f"/organizations/children/{_seg(child_id)}", org_id=org_id)
        return ChildOrganization.parse(reader)

    async def update_child(
        self,
        child_id: str,
        *,
        name: str | None = None,
        contact_email: str | None = None,
        brand_primary_color: str | None = None,
        brand_logo_url: str | Unset | None = UNSET,
        status: ChildStatus | None = None,
        portal_url: str | Unset | None = UNSET,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> ChildOrganization:
        """updateChildOrganization: only the fields passed change (None clears a nullable URL)."""
        body: dict[str, Any] = {}
        for key, value in (
            ("name", name),
            ("contactEmail", contact_email),
            ("brandPrimaryColor", brand_primary_color),
            ("status", status),
        ):
            if value is not None:
                body[key] = value
        if brand_logo_url is not UNSET:
            body["brandLogoUrl"] = brand_logo_url
        if portal_url is not UNSET:
            body["portalUrl"] = portal_url
        if not body:
            raise ValueError("update_child needs at least one field")
        reader = await self._write(
            "PATCH",
            f"/organizations/children/{_seg(child_id)}",
            body,
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        return ChildOrganization.parse(reader)

    async def delete_child(self, child_id: str, *, org_id: str | None = None) -> None:
        """deleteChildOrganization (204); it must hold no builder apps (409 `Conflict`)."""
        await self._delete(f"/organizations/children/{_seg(child_id)}", org_id)
        logger.info("platform child organization %s deleted", child_id)

    # ------------------------------------------------------------------ builder apps

    async def list_builder_apps(
        self,
        *,
        filter_org: str | None = None,
        status: BuilderAppStatus | None = None,
        updated_since: datetime | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[BuilderApp]:
        """listBuilderApps: most recently updated first."""
        params = {
            "orgId": filter_org,
            "status": status,
            "updatedSince": _iso(updated_since),
            "limit": limit,
            "cursor": cursor,
        }
        reader = await self._get("/builder-apps", org_id=org_id, params=params)
        return _page(reader, BuilderApp.parse)

    async def create_builder_app(
        self,
        *,
        name: str,
        slug: str | None = None,
        description: str | None = None,
        owner_org_id: str | None = None,
        architecture: Architecture | None = None,
        categories: Sequence[CategoryId] | None = None,
        repo_url: str | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> BuilderApp:
        """createBuilderApp (status ``draft``).

        Raises:
            PaymentRequired: the tier's builder-app limit is reached (``limit_exceeded``).
            Conflict: the slug is used in that organization.
        """
        body: dict[str, Any] = {"name": name}
        for key, value in (
            ("slug", slug),
            ("description", description),
            ("orgId", owner_org_id),
            ("architecture", architecture),
            ("repoUrl", repo_url),
        ):
            if value is not None:
                body[key] = value
        if categories is not None:
            body["categories"] = list(categories)
        reader = await self._write(
            "POST", "/builder-apps", body, org_id=org_id, idempotency_key=idempotency_key
        )
        app = BuilderApp.parse(reader)
        logger.info("platform builder app %s created in %s", app.id, app.org_id)
        return app

    async def get_builder_app(self, app_id: str, *, org_id: str | None = None) -> BuilderApp:
        """getBuilderApp."""
        return BuilderApp.parse(await self._get(f"/builder-apps/{_seg(app_id)}", org_id=org_id))

    async def update_builder_app(
        self,
        app_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        status: BuilderAppStatus | None = None,
        architecture: Architecture | None = None,
        categories: Sequence[CategoryId] | None = None,
        repo_url: str | Unset | None = UNSET,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> BuilderApp:
        """updateBuilderApp: only the fields passed change (``repo_url=None`` clears it)."""
        body: dict[str, Any] = {}
        for key, value in (
            ("name", name),
            ("description", description),
            ("status", status),
            ("architecture", architecture),
        ):
            if value is not None:
                body[key] = value
        if categories is not None:
            body["categories"] = list(categories)
        if repo_url is not UNSET:
            body["repoUrl"] = repo_url
        if not body:
            raise ValueError("update_builder_app needs at least one field")
        reader = await self._write(
            "PATCH",
            f"/builder-apps/{_seg(app_id)}",
            body,
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        return BuilderApp.parse(reader)

    async def delete_builder_app(self, app_id: str, *, org_id: str | None = None) -> None:
        """deleteBuilderApp (204): its API keys, webhooks, OAuth clients and links go with it."""
        await self._delete(f"/builder-apps/{_seg(app_id)}", org_id)
        logger.info("platform builder app %s deleted", app_id)

    async def record_deployment(
        self,
        app_id: str,
        status: Literal["deploying", "deployed", "failed"],
        *,
        production_url: str | None = None,
        deployment_id: str | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> BuilderApp:
        """recordBuilderAppDeployment (``deployed`` needs `production_url`)."""
        body: dict[str, Any] = {"status": status}
        if production_url is not None:
            body["productionUrl"] = production_url
        if deployment_id is not None:
            body["deploymentId"] = deployment_id
        reader = await self._write(
            "POST",
            f"/builder-apps/{_seg(app_id)}/deployment",
            body,
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        return BuilderApp.parse(reader)

    async def link_objects(
        self,
        app_id: str,
        object_type: ObjectType,
        object_ids: Sequence[str],
        *,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> BuilderAppLinks:
        """linkBuilderAppObjects: add records (one object type) to the app's links."""
        reader = await self._write(
            "POST",
            f"/builder-apps/{_seg(app_id)}/links",
            {"objectType": object_type, "objectIds": list(object_ids)},
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        return BuilderAppLinks.parse(reader)

    # ------------------------------------------------------------------ catalog, keys, webhooks

    async def list_categories(self) -> tuple[Category, ...]:
        """listCatalogCategories: the 10 API categories and their scopes."""
        reader = await self._get("/catalog/categories")
        return tuple(Category.parse(x) for x in reader.items("data"))

    async def create_api_key(
        self,
        app_id: str,
        scopes: Sequence[str],
        *,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> ApiKey:
        """createApiKey: a scoped key for one app; `ApiKey.key` is shown only now.

        The secret is registered with the log redactor and kept out of repr().
        """
        reader = await self._write(
            "POST",
            "/api-keys",
            {"appId": app_id, "scopes": list(scopes)},
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        key = ApiKey.parse(reader)
        logger.info("platform api key %s created for app %s", key.id, key.app_id)
        return key

    async def list_api_keys(
        self,
        *,
        app_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[ApiKeyInfo]:
        """listApiKeys: the live keys (never their secrets), newest first."""
        params = {"appId": app_id, "limit": limit, "cursor": cursor}
        return _page(await self._get("/api-keys", org_id=org_id, params=params), ApiKeyInfo.parse)

    async def revoke_api_key(self, key_id: str, *, org_id: str | None = None) -> None:
        """revokeApiKey (204): the key stops working at once."""
        await self._delete(f"/api-keys/{_seg(key_id)}", org_id)
        logger.info("platform api key %s revoked", key_id)

    async def create_oauth_client(
        self,
        app_id: str,
        redirect_uris: Sequence[str],
        *,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> CreatedOAuthClient:
        """createOAuthClient: the client secret is returned only now."""
        reader = await self._write(
            "POST",
            "/oauth-clients",
            {"appId": app_id, "redirectUris": list(redirect_uris)},
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        created = CreatedOAuthClient.parse(reader)
        logger.info("platform oauth client %s created for app %s", created.client.id, app_id)
        return created

    async def list_oauth_clients(
        self,
        *,
        app_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[OAuthClient]:
        """listOAuthClients (without secrets), newest first."""
        params = {"appId": app_id, "limit": limit, "cursor": cursor}
        reader = await self._get("/oauth-clients", org_id=org_id, params=params)
        return _page(reader, OAuthClient.parse)

    async def delete_oauth_client(self, client_id: str, *, org_id: str | None = None) -> None:
        """deleteOAuthClient (204)."""
        await self._delete(f"/oauth-clients/{_seg(client_id)}", org_id)
        logger.info("platform oauth client %s deleted", client_id)

    async def register_webhook(
        self,
        *,
        url: str,
        events: Sequence[WebhookEvent],
        app_id: str,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> RegisteredWebhook:
        """registerWebhook: the signing secret is returned only now."""
        reader = await self._write(
            "POST",
            "/webhooks/register",
            {"url": url, "events": list(events), "appId": app_id},
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        registered = RegisteredWebhook.parse(reader)
        logger.info("platform webhook %s registered for app %s", registered.webhook.id, app_id)
        return registered

    async def list_webhooks(
        self,
        *,
        app_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[Webhook]:
        """listWebhooks (without secrets), newest first."""
        params = {"appId": app_id, "limit": limit, "cursor": cursor}
        return _page(await self._get("/webhooks", org_id=org_id, params=params), Webhook.parse)

    async def delete_webhook(self, webhook_id: str, *, org_id: str | None = None) -> None:
        """deleteWebhook (204)."""
        await self._delete(f"/webhooks/{_seg(webhook_id)}", org_id)
        logger.info("platform webhook %s deleted", webhook_id)

    # ------------------------------------------------------------------ conversations

    async def list_conversations(
        self,
        *,
        status: ConversationStatus | None = None,
        channel: Channel | None = None,
        filter_org: str | None = None,
        agent_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        updated_since: datetime | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[Conversation]:
        """listConversations: most recently updated first."""
        params = {
            "status": status,
            "channel": channel,
            "orgId": filter_org,
            "agentId": agent_id,
            "since": _iso(since),
            "until": _iso(until),
            "updatedSince": _iso(updated_since),
            "limit": limit,
            "cursor": cursor,
        }
        return await self._get_page(
            "/conversations", Conversation.parse, org_id=org_id, params=params
        )

    async def get_conversation(self, session_id: str, *, org_id: str | None = None) -> Conversation:
        """getConversation."""
        reader = await self._get(f"/conversations/{_seg(session_id)}", org_id=org_id)
        return Conversation.parse(reader)

    async def list_messages(
        self,
        session_id: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        org_id: str | None = None,
    ) -> Page[Message]:
        """listConversationMessages: oldest first, after the message id `after`."""
        reader = await self._get(
            f"/conversations/{_seg(session_id)}/messages",
            org_id=org_id,
            params={"after": after, "limit": limit},
        )
        return _page(reader, Message.parse)

    async def export_messages(
        self,
        *,
        after: str | None = None,
        filter_org: str | None = None,
        limit: int | None = None,
        org_id: str | None = None,
    ) -> Page[Message]:
        """exportMessages: every message in scope, oldest first (bulk initial sync)."""
        return await self._get_page(
            "/messages",
            Message.parse,
            org_id=org_id,
            params={"after": after, "orgId": filter_org, "limit": limit},
        )

    async def send_message(
        self,
        session_id: str,
        *,
        text: str | None = None,
        template_name: str | None = None,
        template_params: Sequence[str] = (),
        last_seen_message_id: str | Unset | None = UNSET,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> Message:
        """sendConversationMessage as the handler: free `text` or an approved template.

        Args:
            session_id: the conversation.
            text: free text.
            template_name: an approved template (WhatsApp), instead of `text`.
            template_params: the template's values.
            last_seen_message_id: safe sending: the newest message the author
                had seen (None: none); the platform refuses the reply if the
                customer wrote or staff replied after it. Left out: no check.
            idempotency_key: replays the first answer for a repeat.
            org_id: acting organization.

        Raises:
            StaleContext: the customer wrote or staff replied after
                `last_seen_message_id` (code ``stale_context``).
            HandledByOther: someone else took the conversation over.
            Conflict: codes ``conversation_closed`` and ``not_handed_off``.
            ValidationFailed: code ``whatsapp_window_closed`` (24 h passed; use a template).
        """
        if (text is None) == (template_name is None):
            raise ValueError("send_message needs exactly one of text and template_name")
        body: dict[str, Any]
        if text is not None:
            body = {"text": text}
        else:
            body = {"templateName": template_name}
            if template_params:
                body["templateParams"] = list(template_params)
        if not isinstance(last_seen_message_id, Unset):
            body["lastSeenMessageId"] = last_seen_message_id
        reader = await self._write(
            "POST",
            f"/conversations/{_seg(session_id)}/messages",
            body,
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        message = Message.parse(reader)
        logger.info("platform message %s sent in %s", message.id, session_id)
        return message

    async def update_conversation(
        self,
        session_id: str,
        status: ConversationStatus,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> Conversation:
        """updateConversationStatus: take over, hand back or close.

        Raises:
            Conflict: someone else handles it (the message names them), or it is closed.
        """
        body: dict[str, Any] = {"status": status}
        if reason is not None:
            body["reason"] = reason
        reader = await self._write(
            "PATCH",
            f"/conversations/{_seg(session_id)}",
            body,
            org_id=org_id,
            idempotency_key=idempotency_key,
        )
        conversation = Conversation.parse(reader)
        logger.info("platform conversation %s is now %s", session_id, conversation.status)
        return conversation

    async def take_over(
        self, session_id: str, *, idempotency_key: str | None = None, org_id: str | None = None
    ) -> Conversation:
        """Take the conversation over (``handed_off``): the agent goes silent."""
        return await self.update_conversation(
            session_id, "handed_off", idempotency_key=idempotency_key, org_id=org_id
        )

    async def hand_back(
        self,
        session_id: str,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> Conversation:
        """Hand the conversation back to the agent (``active``)."""
        return await self.update_conversation(
            session_id, "active", reason=reason, idempotency_key=idempotency_key, org_id=org_id
        )

    async def close_conversation(
        self,
        session_id: str,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
        org_id: str | None = None,
    ) -> Conversation:
        """Close the conversation (final)."""
        return await self.update_conversation(
            session_id, "closed", reason=reason, idempotency_key=idempotency_key, org_id=org_id
        )

    async def list_templates(
        self, session_id: str, *, org_id: str | None = None
    ) -> tuple[Template, ...]:
        """listConversationTemplates: approved templates (WhatsApp; else empty)."""
        reader = await self._get(f"/conversations/{_seg(session_id)}/templates", org_id=org_id)
        return tuple(Template.parse(x) for x in reader.items("data"))

    async def list_agents(
        self,
        *,
        filter_org: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[Agent]:
        """listAgents: by organization, then name."""
        params = {"orgId": filter_org, "limit": limit, "cursor": cursor}
        return _page(await self._get("/agents", org_id=org_id, params=params), Agent.parse)

    # ------------------------------------------------------------------ credits and licensing

    async def get_credit_balance(self, *, org_id: str | None = None) -> CreditBalance:
        """getCreditBalance: the pool the acting organization draws from."""
        return CreditBalance.parse(await self._get("/credits/balance", org_id=org_id))

    async def list_credit_transactions(
        self,
        *,
        agent_id: str | None = None,
        filter_org: str | None = None,
        session_id: str | None = None,
        checkout_session_id: str | None = None,
        kind: TransactionKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        org_id: str | None = None,
    ) -> Page[CreditTransaction]:
        """listCreditTransactions: newest first (`checkout_session_id`: that purchase's grant)."""
        params = {
            "agentId": agent_id,
            "orgId": filter_org,
            "sessionId": session_id,
            "checkoutSessionId": checkout_session_id,
            "kind": kind,
            "since": _iso(since),
            "until": _iso(until),
            "limit": limit,
            "cursor": cursor,
        }
        return await self._get_page(
            "/credits/transactions", CreditTransaction.parse, org_id=org_id, params=params
        )

    async def get_credit_usage(
        self,
        group_by: UsageGroup = "day",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        org_id: str | None = None,
    ) -> CreditUsage:
        """getCreditUsage: spending grouped by day, agent or organization."""
        params = {"group_by": group_by, "since": _iso(since), "until": _iso(until)}
        return CreditUsage.parse(await self._get("/credits/usage", org_id=org_id, params=params))

    async def get_licensing_limits(self, *, org_id: str | None = None) -> LicensingLimits:
        """getLicensingLimits: the tier's limits and current usage."""
        return LicensingLimits.parse(await self._get("/licensing/limits", org_id=org_id))

    # ------------------------------------------------------------------ change log

    async def poll_events(
        self,
        after: int | Literal["head"] | None = None,
        *,
        limit: int | None = None,
        org_id: str | None = None,
    ) -> EventPage:
        """pollEvents: events after the cursor, oldest first.

        Args:
            after: the last event id applied; ``"head"`` to learn the head
                without events; None for the start of the log.
            limit: batch size (1..500).
            org_id: acting organization.

        Raises:
            EventCursorInvalid: the cursor is beyond the head (resync).
        """
        params = {"after": None if after is None else str(after), "limit": limit}
        try:
            reader = await self._get("/events", org_id=org_id, params=params)
        except RemoteError as exc:
            if exc.status == 410:
                raise EventCursorInvalid(
                    str(exc), remote=REMOTE, status=410, code=exc.code
                ) from exc
            raise
        return EventPage.parse(reader)

    async def stream_events(
        self,
        *,
        last_event_id: int | None = None,
        org_id: str | None = None,
        read_timeout: float = 45.0,
    ) -> AsyncIterator[PlatformEvent]:
        """streamEvents: follow the change log live over server-sent events.

        Starts after `last_event_id` (None: at the head, only new events) and
        resumes with ``Last-Event-ID`` after a drop. Failed (re)connections
        are retried with the policy's backoff; the count restarts with every
        event received. When the policy gives up, the error is raised and the
        caller falls back to `poll_events` with the same cursor.

        Args:
            last_event_id: the last event id applied.
            org_id: acting organization.
            read_timeout: longest silence tolerated (the server sends a
                keep-alive comment every 15 s by default).

        Raises:
            EventCursorInvalid: the cursor is beyond the head (resync).
            AuthError, RateLimited, Unavailable, NetworkError: the stream is
                unavailable; poll instead.
            ContractError: an event that does not fit the contract.
        """
        cursor = last_event_id
        failures = 0
        policy = self._api.policy
        base_timeout = self._http.timeout
        timeout = httpx.Timeout(
            connect=base_timeout.connect,
            read=read_timeout,
            write=base_timeout.write,
            pool=base_timeout.pool,
        )
        while True:
            headers = self._headers(org_id)
            headers["Accept"] = "text/event-stream"
            if cursor is not None:
                headers["Last-Event-ID"] = str(cursor)
            failure: Failure | None
            try:
                async with aconnect_sse(
                    self._http, "GET", "/events/stream", headers=headers, timeout=timeout
                ) as source:
                    response = source.response
                    if response.status_code >= 400:
                        await response.aread()
                        raise HttpStatusFailure(response)
                    logger.info("platform event stream open after %s", cursor)
                    # Closed here, not by the garbage collector after the loop is gone,
                    # when our caller stops while we are suspended at `yield event`.
                    async with contextlib.aclosing(source.aiter_sse()) as frames:
                        async for sse in frames:
                            if not sse.data or not sse.id:
                                continue  # the opening "retry:" frame
                            event = _parse_sse(sse.id, sse.event, sse.data)
                            cursor = event.id
                            failures = 0
                            yield event
                # The server closed the stream: reconnect from the cursor.
                failure = Failure(NetworkError("the event stream ended", remote=REMOTE), retry=True)
            except HttpStatusFailure as exc:
                if exc.response.status_code == 410:
                    judged = self._api.classify(exc, retryable=False)
                    assert judged is not None
                    raise EventCursorInvalid(
                        str(judged.error), remote=REMOTE, status=410, code=judged.error.code
                    ) from exc
                failure = self._api.classify(exc, retryable=True)
            except SSEError as exc:
                # A 200 that is not an event stream (a proxy's page, a cut
                # answer): try again; if it persists, it is a contract error.
                failure = Failure(
                    contract_error(REMOTE, f"the event stream is not SSE ({exc})"), retry=True
                )
            except httpx.TransportError as exc:
                failure = self._api.classify(exc, retryable=True)
            assert failure is not None
            failures += 1
            error = failure.error
            too_long = failure.wait is not None and failure.wait > policy.retry_after_cap
            if not failure.retry or too_long or failures >= policy.attempts:
                logger.info(
                    "platform event stream gave up after %d failure(s): %s",
                    failures,
                    type(error).__name__,
                )
                raise error
            wait = failure.wait if failure.wait is not None else policy.backoff(failures)
            logger.info(
                "platform event stream: %s, reconnect %d/%d in %.2f s (after %s)",
                type(error).__name__,
                failures,
                policy.attempts - 1,
                wait,
                cursor,
            )
            await policy.sleep(wait)


def _parse_sse(event_id: str, event_type: str, data: str) -> PlatformEvent:
    try:
        number = int(event_id)
        payload = json.loads(data)
    except ValueError as exc:
        raise contract_error(REMOTE, f"event {event_id[:20]!r} is not an id with JSON") from exc
    return parse_event(number, event_type, Reader(payload, remote=REMOTE, path="$.data"), None)
