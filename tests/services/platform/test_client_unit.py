"""PlatformClient over MockTransport: request shapes (checked against platform.yaml), parsing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from console import log as console_log
from console.errors import (
    Conflict,
    ContractError,
    PaymentRequired,
    Unavailable,
    ValidationFailed,
)
from console.services.http import RetryPolicy, build_client
from console.services.platform.client import (
    UNSET,
    EventCursorInvalid,
    HandledByOther,
    PlatformClient,
    StaleContext,
    api_base_url,
)
from console.services.platform.models import (
    BuilderAppUpdatedEvent,
    ConversationMessageEvent,
    ConversationStatusEvent,
    CreditsChangedEvent,
    OrganizationUpdatedEvent,
    UnknownEvent,
)
from tests.services.conftest import Recorder, json_response
from tests.services.platform.contract import check_request

KEY = "l4k_unit_test_key_0123456789"
TS = "2026-02-05T10:11:12.345Z"


def make(
    handler: Callable[[httpx.Request], httpx.Response],
    policy: RetryPolicy,
    *,
    staff: str | None = None,
) -> tuple[PlatformClient, Recorder]:
    rec = Recorder(handler)
    http = build_client(
        "platform", api_base_url("http://platform.test"), KEY, transport=rec.transport()
    )
    return PlatformClient(http, policy=policy, staff_name=staff), rec


def app_json(**extra: Any) -> dict[str, Any]:
    body = {
        "id": "app_1",
        "orgId": "org_c1",
        "name": "Crumb portal",
        "slug": "crumb-portal",
        "description": "",
        "status": "draft",
        "architecture": "thin_client",
        "categories": ["forms", "crm"],
        "repoUrl": None,
        "productionUrl": None,
        "deploymentStatus": "none",
        "createdAt": TS,
        "updatedAt": TS,
    }
    body.update(extra)
    return body


def conversation_json(**extra: Any) -> dict[str, Any]:
    body = {
        "id": "ses_1",
        "orgId": "org_c1",
        "agentId": "agt_1",
        "channel": "whatsapp",
        "status": "handed_off",
        "customerName": "Ada",
        "customerHandle": "+4915100000",
        "handledBy": {"id": "stf_1", "name": "Sam Operator"},
        "handoffRequested": False,
        "lastMessageAt": TS,
        "lastCustomerMessageAt": TS,
        "replyWindowExpiresAt": "2026-02-06T10:11:12.345Z",
        "messageCount": 4,
        "creditsSpent": 1.5,
        "createdAt": TS,
        "updatedAt": TS,
    }
    body.update(extra)
    return body


def message_json(**extra: Any) -> dict[str, Any]:
    body = {
        "id": "msg_9",
        "sessionId": "ses_1",
        "role": "human",
        "authorName": "Sam Operator",
        "text": "Hello",
        "templateName": None,
        "toolCalls": 0,
        "credits": 0,
        "createdAt": TS,
    }
    body.update(extra)
    return body


def balance_json() -> dict[str, Any]:
    return {
        "orgId": "org_a",
        "tier": "agency",
        "daily": 5,
        "monthly": 1200.5,
        "purchased": 100,
        "total": 1305.5,
        "monthlyAllocation": 2000,
        "lowCreditThreshold": 400,
        "isLow": False,
        "updatedAt": TS,
    }


async def test_create_builder_app_request(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(201, app_json()), policy, staff="Sam Operator")
    app = await client.create_builder_app(
        name="Crumb portal",
        categories=["forms", "crm"],
        architecture="thin_client",
        owner_org_id="org_c1",
        idempotency_key="outbox-1",
        org_id="org_c1",
    )
    sent = rec.requests[0]
    assert sent.url == "http://platform.test/api/v1/builder-apps"
    assert sent.headers["Idempotency-Key"] == "outbox-1"
    assert sent.headers["X-Organization-Id"] == "org_c1"
    assert sent.headers["X-Staff-Name"] == "Sam Operator"
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert rec.body() == {
        "name": "Crumb portal",
        "orgId": "org_c1",
        "architecture": "thin_client",
        "categories": ["forms", "crm"],
    }
    check_request(sent)
    assert app.categories == ("forms", "crm")
    assert app.created_at == datetime(2026, 2, 5, 10, 11, 12, 345000, tzinfo=UTC)


async def test_post_with_key_is_retried_post_without_is_not(policy: RetryPolicy) -> None:
    answers = iter([json_response(503, {}), json_response(201, app_json())])
    client, rec = make(lambda r: next(answers), policy)
    await client.create_builder_app(name="x", idempotency_key="k")
    assert len(rec.requests) == 2
    client, rec = make(lambda r: json_response(503, {}), policy)
    with pytest.raises(Unavailable):
        await client.create_builder_app(name="x")
    assert len(rec.requests) == 1


async def test_list_queries(policy: RetryPolicy) -> None:
    page = {"data": [conversation_json()], "nextCursor": "c2"}
    client, rec = make(lambda r: json_response(200, page), policy)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    result = await client.list_conversations(
        status="handed_off", channel="whatsapp", updated_since=since, limit=50, cursor="c1"
    )
    params = dict(rec.requests[0].url.params)
    assert params == {
        "status": "handed_off",
        "channel": "whatsapp",
        "updatedSince": "2026-01-01T00:00:00.000Z",
        "limit": "50",
        "cursor": "c1",
    }
    check_request(rec.requests[0])
    assert result.next_cursor == "c2"
    conv = result.items[0]
    assert conv.handled_by is not None
    assert conv.handled_by.name == "Sam Operator"
    assert conv.reply_window_expires_at is not None


async def test_patch_fields_unset_versus_null(policy: RetryPolicy) -> None:
    child = {
        "id": "org_c1",
        "parentId": "org_a",
        "name": "Crumb & Co",
        "slug": "crumb-and-co",
        "contactEmail": "hi@crumb.test",
        "brandPrimaryColor": "#1f6feb",
        "brandLogoUrl": None,
        "status": "active",
        "portalUrl": None,
        "createdAt": TS,
        "updatedAt": TS,
    }
    client, rec = make(lambda r: json_response(200, child), policy)
    await client.update_child("org_c1", status="active", portal_url=None)
    assert rec.body() == {"status": "active", "portalUrl": None}
    await client.update_child("org_c1", name="Crumb")
    assert rec.body() == {"name": "Crumb"}
    for request in rec.requests:
        check_request(request)
    assert UNSET is not None
    with pytest.raises(ValueError, match="at least one"):
        await client.update_child("org_c1")


async def test_send_template_and_text(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(201, message_json()), policy)
    await client.send_message("ses_1", template_name="followup", template_params=["Ada"])
    assert rec.body() == {"templateName": "followup", "templateParams": ["Ada"]}
    await client.send_message("ses_1", text="Hello", idempotency_key="m-1")
    assert rec.body() == {"text": "Hello"}
    for request in rec.requests:
        check_request(request)
    with pytest.raises(ValueError, match="exactly one"):
        await client.send_message("ses_1")


async def test_send_with_what_was_seen_and_the_refusals_typed(policy: RetryPolicy) -> None:
    client, rec = make(lambda r: json_response(201, message_json()), policy)
    await client.send_message("ses_1", text="Hello", last_seen_message_id="msg_4")
    assert rec.body() == {"text": "Hello", "lastSeenMessageId": "msg_4"}
    await client.send_message("ses_1", template_name="followup", last_seen_message_id=None)
    assert rec.body() == {"templateName": "followup", "lastSeenMessageId": None}
    for request in rec.requests:
        check_request(request)

    newer = message_json(id="msg_5", role="customer", authorName="Ada", text="Never mind")
    stale = {"error": {"code": "stale_context", "message": "m", "newerMessages": [newer]}}
    client, _ = make(lambda r: json_response(409, stale), policy)
    with pytest.raises(StaleContext) as held:
        await client.send_message("ses_1", text="hi", last_seen_message_id="msg_4")
    assert [(m.id, m.role, m.text) for m in held.value.newer] == [
        ("msg_5", "customer", "Never mind")
    ]
    taken = {
        "error": {
            "code": "handled_by_other",
            "message": "Alex is handling this conversation",
            "handledBy": {"id": "stf_2", "name": "Alex"},
        }
    }
    client, _ = make(lambda r: json_response(409, taken), policy)
    with pytest.raises(HandledByOther) as other:
        await client.send_message("ses_1", text="hi")
    assert other.value.handler.name == "Alex"
    closed = {"error": {"code": "conversation_closed", "message": "closed"}}
    client, _ = make(lambda r: json_response(409, closed), policy)
    with pytest.raises(Conflict) as plain:
        await client.send_message("ses_1", text="hi")
    assert plain.value.code == "conversation_closed"
    assert not isinstance(plain.value, StaleContext | HandledByOther)
    broken = {"error": {"code": "stale_context", "message": "m"}}  # no newerMessages
    client, _ = make(lambda r: json_response(409, broken), policy)
    with pytest.raises(ContractError, match="newerMessages"):
        await client.send_message("ses_1", text="hi")


async def test_whatsapp_window_and_limit_codes(policy: RetryPolicy) -> None:
    body = {"error": {"code": "whatsapp_window_closed", "message": "The 24-hour window closed"}}
    client, _ = make(lambda r: json_response(422, body), policy)
    with pytest.raises(ValidationFailed) as info:
        await client.send_message("ses_1", text="hi")
    assert info.value.code == "whatsapp_window_closed"
    body = {"error": {"code": "limit_exceeded", "message": "Builder app limit of 1 reached"}}
    client, _ = make(lambda r: json_response(402, body), policy)
    with pytest.raises(PaymentRequired, match="limit of 1"):
        await client.create_builder_app(name="x")


async def test_api_key_secret_kept_out_of_repr_and_logs(policy: RetryPolicy) -> None:
    secret = "l4k_app_secret_9876543210abcdef"
    body = {
        "id": "key_1",
        "appId": "app_1",
        "orgId": "org_c1",
        "key": secret,
        "keyPrefix": "l4k_app_se",
        "scopes": ["forms:read"],
        "createdAt": TS,
    }
    client, rec = make(lambda r: json_response(201, body), policy)
    key = await client.create_api_key("app_1", ["forms:read"], idempotency_key="k1")
    assert key.key == secret
    assert secret not in repr(key)
    assert console_log.redact(f"value {secret}") == "value [redacted]"
    check_request(rec.requests[0])


async def test_poll_events_parses_every_type(policy: RetryPolicy) -> None:
    page = {
        "data": [
            {
                "id": 11,
                "type": "conversation.message",
                "createdAt": TS,
                "data": {"message": message_json(), "conversation": conversation_json()},
            },
            {"id": 12, "type": "conversation.status", "createdAt": TS, "data": conversation_json()},
            {"id": 13, "type": "credits.changed", "createdAt": TS, "data": balance_json()},
            {"id": 14, "type": "builder_app.updated", "createdAt": TS, "data": app_json()},
            {
                "id": 15,
                "type": "organization.updated",
                "createdAt": TS,
                "data": {"id": "org_a", "name": "A", "slug": "a", "tier": "pro", "parentId": None},
            },
            {"id": 16, "type": "brand.new", "createdAt": TS, "data": {}},
        ],
        "nextCursor": "16",
        "hasMore": False,
    }
    client, rec = make(lambda r: json_response(200, page), policy)
    result = await client.poll_events(10, limit=100)
    assert dict(rec.requests[0].url.params) == {"after": "10", "limit": "100"}
    check_request(rec.requests[0])
    kinds = [type(e) for e in result.events]
    assert kinds == [
        ConversationMessageEvent,
        ConversationStatusEvent,
        CreditsChangedEvent,
        BuilderAppUpdatedEvent,
        OrganizationUpdatedEvent,
        UnknownEvent,
    ]
    org_event = result.events[4]
    assert isinstance(org_event, OrganizationUpdatedEvent)
    assert org_event.summary is not None
    assert org_event.summary.tier == "pro"
    assert result.next_cursor == "16"


async def test_poll_events_cursor_invalid(policy: RetryPolicy) -> None:
    body = {"error": {"code": "cursor_invalid", "message": "cursor beyond head"}}
    client, _ = make(lambda r: json_response(410, body), policy)
    with pytest.raises(EventCursorInvalid) as info:
        await client.poll_events(999)
    assert info.value.code == "cursor_invalid"


async def test_bad_enum_is_contract_error(policy: RetryPolicy) -> None:
    client, _ = make(lambda r: json_response(200, app_json(status="archived")), policy)
    with pytest.raises(ContractError, match="status"):
        await client.get_builder_app("app_1")


async def test_sse_stream_parses_and_resumes(policy: RetryPolicy) -> None:
    """Two connections: the first ends after one event, the second resumes with Last-Event-ID."""
    first = (
        "retry: 2000\n\n"
        f"id: 41\nevent: conversation.status\ndata: {json.dumps(conversation_json())}\n\n"
    )
    second = (
        f": keep-alive\n\nid: 42\nevent: credits.changed\ndata: {json.dumps(balance_json())}\n\n"
    )
    bodies = iter([first, second])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=next(bodies).encode()
        )

    client, rec = make(handler, policy)
    seen = []
    async for event in client.stream_events(last_event_id=40):
        seen.append(event)
        if len(seen) == 2:
            break
    assert [e.id for e in seen] == [41, 42]
    assert [r.headers["Last-Event-ID"] for r in rec.requests] == ["40", "41"]
    assert isinstance(seen[1], CreditsChangedEvent)
    check_request(rec.requests[0])
