"""platform.yaml is valid, and the sandbox answers every operation as it says."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from console.contracts import load_platform_spec, platform_spec_path
from console.sandbox.platform import PlatformSandbox

Case = Callable[[httpx.Client, PlatformSandbox], httpx.Response | tuple[httpx.Response, bytes]]
METHODS = ("get", "post", "patch", "put", "delete")


def spec_operations() -> list[str]:
    spec = load_platform_spec()
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    ]


def test_platform_spec_is_valid_openapi() -> None:
    spec = load_platform_spec()
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    assert platform_spec_path().name == "platform.yaml"


# -- one valid request per operation ---------------------------------------------------


def active_conversation(sandbox: PlatformSandbox, channel: str | None = None) -> str:
    """The most recently updated active (not handed off) conversation."""
    return sandbox.conversations(status="active", channel=channel)[0].id


def _first_child(sandbox: PlatformSandbox) -> str:
    return sandbox.children()[0].id


def _an_app(sandbox: PlatformSandbox) -> str:
    return sandbox.builder_apps()[0].id


def _whatsapp(sandbox: PlatformSandbox) -> str:
    return sandbox.conversations(channel="whatsapp")[0].id


def _take_over(client: httpx.Client, session_id: str) -> None:
    response = client.patch(f"/conversations/{session_id}", json={"status": "handed_off"})
    assert response.status_code == 200, response.text


def _stream(client: httpx.Client, sandbox: PlatformSandbox) -> tuple[httpx.Response, bytes]:
    sandbox.customer_writes(active_conversation(sandbox), "Are you open on Sunday?")
    chunks = b""
    with client.stream("GET", "/events/stream", headers={"Last-Event-ID": "0"}) as response:
        for chunk in response.iter_bytes():
            chunks += chunk
            if b"\n\nid: " in chunks and chunks.endswith(b"\n\n"):
                break
    return response, chunks


def _stripe(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    payload = json.dumps(
        {
            "id": "evt_contract_1",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_test_1",
                    "payment_status": "paid",
                    "metadata": {
                        "type": "credit-pack",
                        "credits": "100",
                        "orgId": sandbox.agency_id,
                    },
                }
            },
        }
    ).encode()
    return client.post(
        "/stripe/webhook",
        content=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sandbox.stripe_signature(payload),
            "Authorization": "",
        },
    )


def _send_message(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    session_id = active_conversation(sandbox, channel="webchat")
    _take_over(client, session_id)
    seen = sandbox.messages(session_id)[-1].id
    return client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "Hi, this is Sam - I'll sort this out for you.", "lastSeenMessageId": seen},
        headers={"Idempotency-Key": "contract-send-1", "X-Staff-Name": "Sam Operator"},
    )


def _delete_webhook(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    created = client.post(
        "/webhooks/register",
        json={
            "url": "https://app.example/api/webhook",
            "events": ["form.submitted"],
            "appId": _an_app(sandbox),
        },
    )
    assert created.status_code == 201, created.text
    return client.delete(f"/webhooks/{created.json()['id']}")


def _delete_child(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    created = client.post(
        "/organizations/children",
        json={"name": "Short Lived", "slug": "short-lived", "contactEmail": "a@short.example"},
    )
    assert created.status_code == 201, created.text
    return client.delete(f"/organizations/children/{created.json()['id']}")


def _delete_app(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    created = client.post("/builder-apps", json={"name": "Throwaway"})
    assert created.status_code == 201, created.text
    return client.delete(f"/builder-apps/{created.json()['id']}")


def _revoke_key(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    created = client.post("/api-keys", json={"appId": _an_app(sandbox), "scopes": []})
    assert created.status_code == 201, created.text
    return client.delete(f"/api-keys/{created.json()['id']}")


def _delete_oauth_client(client: httpx.Client, sandbox: PlatformSandbox) -> httpx.Response:
    created = client.post(
        "/oauth-clients",
        json={"appId": _an_app(sandbox), "redirectUris": ["https://app.example/cb"]},
    )
    assert created.status_code == 201, created.text
    return client.delete(f"/oauth-clients/{created.json()['id']}")


CASES: dict[str, Case] = {
    "GET /organizations/me": lambda c, s: c.get("/organizations/me"),
    "GET /organizations/children": lambda c, s: c.get(
        "/organizations/children", params={"limit": 3, "status": "active"}
    ),
    "POST /organizations/children": lambda c, s: c.post(
        "/organizations/children",
        json={
            "name": "Harbour View Café",
            "slug": "harbour-view-cafe",
            "contactEmail": "owner@harbourview.example",
            "brandPrimaryColor": "#0e7490",
            "brandLogoUrl": "https://cdn.example/harbour.svg",
        },
        headers={"Idempotency-Key": "contract-child-1"},
    ),
    "GET /organizations/children/{childId}": lambda c, s: c.get(
        f"/organizations/children/{_first_child(s)}"
    ),
    "PATCH /organizations/children/{childId}": lambda c, s: c.patch(
        f"/organizations/children/{_first_child(s)}",
        json={"status": "active", "portalUrl": "https://portal.example"},
    ),
    "DELETE /organizations/children/{childId}": _delete_child,
    "GET /builder-apps": lambda c, s: c.get(
        "/builder-apps", params={"status": "deployed", "limit": 5}
    ),
    "POST /builder-apps": lambda c, s: c.post(
        "/builder-apps",
        json={
            "name": "Spring Menu",
            "description": "Seasonal menu site",
            "architecture": "hybrid",
            "categories": ["products", "checkout"],
            "orgId": _first_child(s),
        },
    ),
    "GET /builder-apps/{appId}": lambda c, s: c.get(f"/builder-apps/{_an_app(s)}"),
    "PATCH /builder-apps/{appId}": lambda c, s: c.patch(
        f"/builder-apps/{_an_app(s)}",
        json={"description": "Updated from the console", "repoUrl": None},
    ),
    "DELETE /builder-apps/{appId}": _delete_app,
    "POST /builder-apps/{appId}/deployment": lambda c, s: c.post(
        f"/builder-apps/{_an_app(s)}/deployment",
        json={"status": "deployed", "productionUrl": "https://spring-menu.vercel.app"},
    ),
    "POST /builder-apps/{appId}/links": lambda c, s: c.post(
        f"/builder-apps/{_an_app(s)}/links",
        json={"objectType": "form", "objectIds": ["form_1", "form_2"]},
    ),
    "GET /catalog/categories": lambda c, s: c.get("/catalog/categories"),
    "POST /api-keys": lambda c, s: c.post(
        "/api-keys", json={"appId": _an_app(s), "scopes": ["forms:read", "forms:write"]}
    ),
    "GET /api-keys": lambda c, s: c.get("/api-keys", params={"appId": _an_app(s)}),
    "DELETE /api-keys/{keyId}": _revoke_key,
    "POST /oauth-clients": lambda c, s: c.post(
        "/oauth-clients",
        json={"appId": _an_app(s), "redirectUris": ["https://app.example/api/auth/callback"]},
    ),
    "GET /oauth-clients": lambda c, s: c.get("/oauth-clients"),
    "DELETE /oauth-clients/{clientId}": _delete_oauth_client,
    "POST /webhooks/register": lambda c, s: c.post(
        "/webhooks/register",
        json={
            "url": "https://app.example/api/webhook",
            "events": ["form.submitted", "conversation.handed_off"],
            "appId": _an_app(s),
        },
    ),
    "GET /webhooks": lambda c, s: c.get("/webhooks"),
    "DELETE /webhooks/{webhookId}": _delete_webhook,
    "GET /conversations": lambda c, s: c.get(
        "/conversations",
        params={
            "status": "active",
            "channel": "whatsapp",
            "since": "2020-01-01T00:00:00Z",
            "updatedSince": "2020-01-01T00:00:00+02:00",
            "limit": 10,
        },
    ),
    "GET /conversations/{sessionId}": lambda c, s: c.get(
        f"/conversations/{active_conversation(s)}"
    ),
    "PATCH /conversations/{sessionId}": lambda c, s: c.patch(
        f"/conversations/{active_conversation(s)}",
        json={"status": "handed_off", "reason": "VIP customer"},
        headers={"X-Staff-Name": "Sam Operator"},
    ),
    "GET /conversations/{sessionId}/messages": lambda c, s: c.get(
        f"/conversations/{active_conversation(s)}/messages", params={"limit": 3}
    ),
    "POST /conversations/{sessionId}/messages": _send_message,
    "GET /messages": lambda c, s: c.get("/messages", params={"limit": 5}),
    "GET /conversations/{sessionId}/templates": lambda c, s: c.get(
        f"/conversations/{_whatsapp(s)}/templates"
    ),
    "GET /agents": lambda c, s: c.get("/agents", params={"orgId": _first_child(s)}),
    "GET /credits/balance": lambda c, s: c.get("/credits/balance"),
    "GET /credits/transactions": lambda c, s: c.get(
        "/credits/transactions", params={"kind": "llm_message", "limit": 5}
    ),
    "GET /credits/usage": lambda c, s: c.get(
        "/credits/usage", params={"group_by": "day", "since": "2020-01-01T00:00:00Z"}
    ),
    "GET /licensing/limits": lambda c, s: c.get("/licensing/limits"),
    "GET /events": lambda c, s: (
        s.customer_writes(active_conversation(s), "Hello?"),
        c.get("/events", params={"after": "0", "limit": 50}),
    )[1],
    "GET /events/stream": _stream,
    "POST /stripe/webhook": _stripe,
}


@pytest.mark.parametrize("operation", spec_operations())
def test_operation_answers_per_contract(
    operation: str, client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    case = CASES.get(operation)
    assert case is not None, f"no contract case for {operation}: add one to CASES"
    result = case(client, sandbox)
    response, body = result if isinstance(result, tuple) else (result, None)
    assert response.status_code < 300, (operation, response.status_code, response.text)
    contract.check(response, body=body, request_valid=operation != "POST /stripe/webhook")
    if body is None and response.status_code != 204:
        payload = response.json()
        if isinstance(payload, dict) and "data" in payload and "nextCursor" in payload:
            assert isinstance(payload["data"], list)


def test_every_case_is_a_spec_operation() -> None:
    assert set(CASES) == set(spec_operations())


def test_pagination_walks_all_conversations(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 70}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/conversations", params=params)
        contract.check(response)
        page = response.json()
        seen += [c["id"] for c in page["data"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == len(sandbox.conversations())
    session_id = seen[0]
    first = client.get(f"/conversations/{session_id}/messages", params={"limit": 2}).json()
    assert first["nextCursor"] == first["data"][-1]["id"]
    rest = client.get(
        f"/conversations/{session_id}/messages", params={"after": first["nextCursor"]}
    ).json()
    ids = [m["id"] for m in first["data"] + rest["data"]]
    assert ids == [m.id for m in sandbox.messages(session_id)]
    assert rest["nextCursor"] is None


def test_message_export_walks_every_message_once(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 1000}
        if after:
            params["after"] = after
        response = client.get("/messages", params=params)
        contract.check(response)
        page = response.json()
        seen += [m["id"] for m in page["data"]]
        after = page["nextCursor"]
        if after is None:
            break
    expected = [m.id for c in sandbox.conversations() for m in sandbox.messages(c.id)]
    assert len(seen) == len(set(seen))
    assert set(seen) == set(expected)
    child = _first_child(sandbox)
    scoped = client.get("/messages", params={"orgId": child, "limit": 1000}).json()["data"]
    assert scoped
    assert {m["sessionId"] for m in scoped} <= {c.id for c in sandbox.conversations(org_id=child)}


# -- error answers follow the contract too ---------------------------------------------


def test_missing_and_unknown_keys_are_401(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer nope"}):
        response = client.get("/conversations", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        contract.check(response, request_valid=False)


def test_foreign_organization_is_403(client: httpx.Client, contract: Any) -> None:
    response = client.get("/conversations", headers={"X-Organization-Id": "org_someone_else"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    contract.check(response)


def test_unknown_ids_are_404(client: httpx.Client, contract: Any) -> None:
    for path in ("/conversations/ses_nope", "/builder-apps/app_nope", "/webhooks/whk_nope"):
        method = "DELETE" if path.startswith("/webhooks") else "GET"
        response = client.request(method, path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
        contract.check(response)


def test_takeover_by_a_second_staff_member_is_409_naming_the_first(
    client: httpx.Client, colleague: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    session_id = active_conversation(sandbox)
    taken = colleague.patch(f"/conversations/{session_id}", json={"status": "handed_off"})
    assert taken.status_code == 200
    assert taken.json()["handledBy"]["name"] == "Alex Colleague"
    response = client.patch(f"/conversations/{session_id}", json={"status": "handed_off"})
    assert response.status_code == 409
    assert "Alex Colleague" in response.json()["error"]["message"]
    contract.check(response)
    reply = client.post(f"/conversations/{session_id}/messages", json={"text": "Hello"})
    assert reply.status_code == 409
    error = reply.json()["error"]
    assert error["code"] == "handled_by_other"
    assert error["handledBy"] == {"id": sandbox.colleague_staff_id, "name": "Alex Colleague"}
    contract.check(reply)


def test_stale_reply_is_409_stale_context_listing_what_arrived(
    client: httpx.Client, colleague: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    session_id = active_conversation(sandbox, channel="webchat")
    _take_over(client, session_id)
    seen = sandbox.messages(session_id)[-1].id
    nothing_new = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "Hi, Sam here.", "lastSeenMessageId": seen},
    )
    assert nothing_new.status_code == 201, nothing_new.text  # nothing new: sent
    contract.check(nothing_new)
    first = nothing_new.json()["id"]
    newer = sandbox.customer_writes(session_id, "Actually, never mind.").customer_message
    stale = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "It ships today.", "lastSeenMessageId": first},
        headers={"Idempotency-Key": "stale-1"},
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "stale_context"
    assert [m["id"] for m in error["newerMessages"]] == [newer.id]
    contract.check(stale)
    # The refusal is replayed for its key; a new key with the newest message seen sends.
    replay = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "It ships today.", "lastSeenMessageId": first},
        headers={"Idempotency-Key": "stale-1"},
    )
    assert (replay.status_code, replay.headers["Idempotent-Replayed"]) == (409, "true")
    anyway = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "It ships today.", "lastSeenMessageId": newer.id},
        headers={"Idempotency-Key": "stale-2"},
    )
    assert anyway.status_code == 201, anyway.text
    texts = [m.text for m in sandbox.messages(session_id) if m.role == "human"]
    assert texts == ["Hi, Sam here.", "It ships today."]
    # A staff reply counts too (here: the same staff member from another console).
    other_console = client.post(f"/conversations/{session_id}/messages", json={"text": "Done."})
    assert other_console.status_code == 201
    replied = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "Anything else?", "lastSeenMessageId": newer.id},
    )
    assert replied.status_code == 409
    assert [m["text"] for m in replied.json()["error"]["newerMessages"]] == [
        "It ships today.",
        "Done.",
    ]
    contract.check(replied)
    # null: the author saw nothing, so every customer message is newer.
    blind = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "Hello?", "lastSeenMessageId": None},
    )
    assert blind.status_code == 409
    assert blind.json()["error"]["code"] == "stale_context"
    contract.check(blind)


def test_reply_refusals_have_one_shape_and_a_code_per_reason(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    session_id = active_conversation(sandbox, channel="webchat")
    not_taken = client.post(f"/conversations/{session_id}/messages", json={"text": "Hi"})
    assert not_taken.status_code == 409
    assert not_taken.json()["error"]["code"] == "not_handed_off"
    contract.check(not_taken)
    _take_over(client, session_id)
    unknown = client.post(
        f"/conversations/{session_id}/messages",
        json={"text": "Hi", "lastSeenMessageId": "msg_not_here"},
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "validation_failed"
    contract.check(unknown)
    closed = client.patch(f"/conversations/{session_id}", json={"status": "closed"})
    assert closed.status_code == 200
    after = client.post(f"/conversations/{session_id}/messages", json={"text": "Bye"})
    assert after.status_code == 409
    assert after.json()["error"]["code"] == "conversation_closed"
    contract.check(after)


def test_builder_app_limit_is_402_naming_the_limit(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any
) -> None:
    sandbox.set_tier("pro")
    response = client.post("/builder-apps", json={"name": "One too many"})
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert "10 builder apps" in error["message"]
    assert "Pro" in error["message"]
    contract.check(response)
    limits = client.get("/licensing/limits").json()
    assert limits["builderApps"] == {"used": 30, "limit": 10}


def test_builder_app_limit_counts_children_and_enterprise_is_unlimited(
    client: httpx.Client, sandbox: PlatformSandbox
) -> None:
    child = sandbox.children()[0].id
    sandbox.set_tier("free")
    as_child = client.post(
        "/builder-apps", json={"name": "Child app"}, headers={"X-Organization-Id": child}
    )
    assert as_child.status_code == 402
    assert "1 builder app " in as_child.json()["error"]["message"]
    sandbox.set_tier("enterprise")
    assert client.post("/builder-apps", json={"name": "Unlimited"}).status_code == 201
    assert client.get("/licensing/limits").json()["builderApps"]["limit"] is None


def test_free_text_after_the_whatsapp_window_is_422_and_templates_still_work(
    client: httpx.Client, sandbox: PlatformSandbox, contract: Any, clock: Any
) -> None:
    session_id = active_conversation(sandbox, channel="whatsapp")
    _take_over(client, session_id)
    sandbox.set_last_customer_message_at(session_id, clock() - timedelta(hours=25))
    conversation = client.get(f"/conversations/{session_id}").json()
    assert conversation["replyWindowExpiresAt"] < conversation["updatedAt"]
    response = client.post(f"/conversations/{session_id}/messages", json={"text": "Still there?"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "whatsapp_window_closed"
    contract.check(response)
    templates = client.get(f"/conversations/{session_id}/templates").json()["data"]
    follow_up = next(t for t in templates if t["name"] == "follow_up")
    sent = client.post(
        f"/conversations/{session_id}/messages",
        json={"templateName": "follow_up", "templateParams": ["Priya"]},
    )
    assert sent.status_code == 201, sent.text
    contract.check(sent)
    assert sent.json()["templateName"] == "follow_up"
    assert sent.json()["text"] == follow_up["body"].replace("{{1}}", "Priya")


def test_invalid_input_is_422_or_400(client: httpx.Client, contract: Any) -> None:
    cases = [
        client.get("/conversations", params={"limit": 0}),
        client.get("/conversations", params={"cursor": "not-a-cursor"}),
        client.get("/conversations", params={"since": "yesterday"}),
        client.post("/builder-apps", json={"name": ""}),
        client.post(
            "/organizations/children",
            json={"name": "X", "slug": "Bad Slug!", "contactEmail": "a@b.example"},
        ),
        client.patch("/builder-apps/whatever", json={}),
    ]
    for response in cases:
        assert response.status_code in (404, 422), response.request.url
        assert response.json()["error"]["code"] in ("validation_failed", "not_found")
        contract.check(response, request_valid=False)
    broken = client.post(
        "/builder-apps", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "bad_request"


def test_event_cursor_beyond_the_head_is_410(client: httpx.Client, contract: Any) -> None:
    response = client.get("/events", params={"after": "999999"})
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "cursor_invalid"
    contract.check(response)
    stream = client.get("/events/stream", headers={"Last-Event-ID": "999999"})
    assert stream.status_code == 410
