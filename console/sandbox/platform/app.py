"""The platform sandbox's HTTP layer: a Starlette app following platform.yaml."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from console.sandbox.platform.errors import ApiError, validation_failed
from console.sandbox.platform.models import (
    APP_STATUSES,
    CHANNELS,
    CHILD_STATUSES,
    CONVERSATION_STATUSES,
    JSON,
    TRANSACTION_KINDS,
)
from console.sandbox.platform.state import Caller, PlatformState, TrafficConfig
from console.sandbox.platform.stripe_signature import SignatureError, verify_header
from console.sandbox.platform.validation import Query

logger = logging.getLogger(__name__)

BASE = "/api/v1"
_EVENT_ID = re.compile(r"[0-9]{1,18}")

Endpoint = Callable[[Request], Awaitable[Response]]
ReadHandler = Callable[[Request, Caller, Query], JSON]
WriteHandler = Callable[[Request, Caller, object], tuple[int, JSON]]


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(_dumps(payload), status, headers, media_type="application/json")


def error_response(exc: ApiError) -> Response:
    return json_response(exc.status, exc.payload())


def _page(items: list[Any], next_cursor: str | None) -> JSON:
    return {"data": [item.to_json() for item in items], "nextCursor": next_cursor}


class PlatformApi:
    """Builds the Starlette app over a `PlatformState`.

    Args:
        state: the data and rules.
        stripe_webhook_secret: endpoint secret for `POST /stripe/webhook`.
        traffic: live traffic settings; None for no background traffic.
        keepalive_seconds: idle time before the SSE stream sends a comment.
    """

    def __init__(
        self,
        state: PlatformState,
        *,
        stripe_webhook_secret: str,
        traffic: TrafficConfig | None,
        keepalive_seconds: float = 15.0,
    ) -> None:
        self.state = state
        self.stripe_webhook_secret = stripe_webhook_secret
        self.traffic = traffic
        self.keepalive_seconds = keepalive_seconds
        self._stopping = False
        self._wakers: set[Callable[[], None]] = set()
        self.app = Starlette(
            routes=self._routes(),
            exception_handlers={
                HTTPException: self._http_error,
                ClientDisconnect: self._client_gone,
                Exception: self._crash,
            },
            lifespan=self._lifespan,
        )

    # -- plumbing -----------------------------------------------------------------------

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._stopping = False
        task: asyncio.Task[None] | None = None
        if self.traffic is not None and self.traffic.rate_per_second > 0:
            task = asyncio.create_task(self._traffic_loop(self.traffic), name="platform-traffic")
        try:
            yield
        finally:
            self._stopping = True
            for wake in list(self._wakers):
                wake()
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _traffic_loop(self, config: TrafficConfig) -> None:
        interval = 1.0 / config.rate_per_second
        while True:
            await asyncio.sleep(interval)
            try:
                self.state.tick(config)
            except ApiError:
                logger.warning("traffic step skipped", exc_info=True)

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, "bad_request")
        return json_response(status, {"error": {"code": code, "message": f"{status} error"}})

    async def _client_gone(self, request: Request, exc: Exception) -> Response:
        # The client died or hung up mid-request: nobody is left to answer.
        logger.info("client left during %s %s", request.method, request.url.path)
        return Response(status_code=499)

    async def _crash(self, request: Request, exc: Exception) -> Response:
        logger.error(
            "platform sandbox error on %s %s", request.method, request.url.path, exc_info=exc
        )
        return json_response(500, {"error": {"code": "internal", "message": "internal error"}})

    def _caller(self, request: Request) -> Caller:
        return self.state.authenticate(
            request.headers.get("authorization"),
            request.headers.get("x-organization-id"),
            request.headers.get("x-staff-name"),
        )

    def read(self, handler: ReadHandler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                caller = self._caller(request)
                result = handler(request, caller, Query(request.query_params))
            except ApiError as exc:
                return error_response(exc)
            return json_response(200, result)

        return endpoint

    def write(self, handler: WriteHandler) -> Endpoint:
        """A POST/PATCH endpoint with Idempotency-Key replay."""

        async def endpoint(request: Request) -> Response:
            try:
                caller = self._caller(request)
                key = request.headers.get("idempotency-key")
                if key is not None and not 1 <= len(key) <= 255:
                    raise validation_failed("Idempotency-Key must have 1 to 255 characters")
                raw = await request.body()
                fingerprint = hashlib.sha256(
                    b"\n".join(
                        [
                            request.method.encode(),
                            request.url.path.encode(),
                            "&".join(sorted(request.url.query.split("&"))).encode(),
                            request.headers.get("x-organization-id", "").encode(),
                            raw,
                        ]
                    )
                ).hexdigest()

                def work() -> tuple[int, bytes]:
                    status, payload = handler(request, caller, _parse_json(raw))
                    return status, _dumps(payload)

                status, body, replayed = self.state.run_idempotent(
                    caller.key_org_id, key, fingerprint, work
                )
            except ApiError as exc:
                return error_response(exc)
            headers = {"Idempotent-Replayed": "true"} if replayed else None
            return Response(body, status, headers, media_type="application/json")

        return endpoint

    # -- routes -------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        s = self.state
        r, w = self.read, self.write

        def route(path: str, endpoint: Endpoint, method: str) -> Route:
            return Route(BASE + path, endpoint, methods=[method])

        return [
            route("/organizations/me", r(lambda q, c, p: s.me(c)), "GET"),
            route("/organizations/children", r(self._list_children), "GET"),
            route(
                "/organizations/children",
                w(lambda q, c, b: (201, s.create_child(c, b).to_child_json())),
                "POST",
            ),
            route(
                "/organizations/children/{child_id}",
                r(lambda q, c, p: s.get_child(c, q.path_params["child_id"]).to_child_json()),
                "GET",
            ),
            route(
                "/organizations/children/{child_id}",
                w(
                    lambda q, c, b: (
                        200,
                        s.update_child(c, q.path_params["child_id"], b).to_child_json(),
                    )
                ),
                "PATCH",
            ),
            Route(
                BASE + "/organizations/children/{child_id}",
                self._delete(lambda c, q: s.delete_child(c, q.path_params["child_id"])),
                methods=["DELETE"],
            ),
            route("/builder-apps", r(self._list_apps), "GET"),
            route("/builder-apps", w(lambda q, c, b: (201, s.create_app(c, b).to_json())), "POST"),
            route(
                "/builder-apps/{app_id}",
                r(lambda q, c, p: s.get_app(c, q.path_params["app_id"]).to_json()),
                "GET",
            ),
            route(
                "/builder-apps/{app_id}",
                w(lambda q, c, b: (200, s.update_app(c, q.path_params["app_id"], b).to_json())),
                "PATCH",
            ),
            Route(
                BASE + "/builder-apps/{app_id}",
                self._delete(lambda c, q: s.delete_app(c, q.path_params["app_id"])),
                methods=["DELETE"],
            ),
            route(
                "/builder-apps/{app_id}/deployment",
                w(
                    lambda q, c, b: (
                        200,
                        s.record_deployment(c, q.path_params["app_id"], b).to_json(),
                    )
                ),
                "POST",
            ),
            route(
                "/builder-apps/{app_id}/links",
                w(lambda q, c, b: (200, s.link_objects(c, q.path_params["app_id"], b))),
                "POST",
            ),
            route("/catalog/categories", r(lambda q, c, p: s.categories()), "GET"),
            route("/api-keys", w(lambda q, c, b: (201, s.create_api_key(c, b).to_json())), "POST"),
            route("/api-keys", r(self._list_api_keys), "GET"),
            Route(
                BASE + "/api-keys/{key_id}",
                self._delete(lambda c, q: s.revoke_api_key(c, q.path_params["key_id"])),
                methods=["DELETE"],
            ),
            route(
                "/oauth-clients",
                w(lambda q, c, b: (201, s.create_oauth_client(c, b).to_json())),
                "POST",
            ),
            route("/oauth-clients", r(self._list_oauth_clients), "GET"),
            Route(
                BASE + "/oauth-clients/{client_id}",
                self._delete(lambda c, q: s.delete_oauth_client(c, q.path_params["client_id"])),
                methods=["DELETE"],
            ),
            route(
                "/webhooks/register",
                w(lambda q, c, b: (201, s.register_webhook(c, b).to_json(with_secret=True))),
                "POST",
            ),
            route("/webhooks", r(self._list_webhooks), "GET"),
            Route(
                BASE + "/webhooks/{webhook_id}",
                self._delete(lambda c, q: s.delete_webhook(c, q.path_params["webhook_id"])),
                methods=["DELETE"],
            ),
            route("/conversations", r(self._list_conversations), "GET"),
            route(
                "/conversations/{session_id}",
                r(lambda q, c, p: s.get_conversation(c, q.path_params["session_id"]).to_json()),
                "GET",
            ),
            route(
                "/conversations/{session_id}",
                w(
                    lambda q, c, b: (
                        200,
                        s.update_conversation(c, q.path_params["session_id"], b).to_json(),
                    )
                ),
                "PATCH",
            ),
            route("/conversations/{session_id}/messages", r(self._list_messages), "GET"),
            route("/messages", r(self._export_messages), "GET"),
            route(
                "/conversations/{session_id}/messages",
                w(
                    lambda q, c, b: (
                        201,
                        s.send_message(c, q.path_params["session_id"], b).to_json(),
                    )
                ),
                "POST",
            ),
            route(
                "/conversations/{session_id}/templates",
                r(
                    lambda q, c, p: {
                        "data": [t.to_json() for t in s.templates(c, q.path_params["session_id"])],
                        "nextCursor": None,
                    }
                ),
                "GET",
            ),
            route("/agents", r(self._list_agents), "GET"),
            route("/credits/balance", r(lambda q, c, p: s.balance(c).to_json()), "GET"),
            route("/credits/transactions", r(self._list_transactions), "GET"),
            route("/credits/usage", r(self._usage), "GET"),
            route("/licensing/limits", r(lambda q, c, p: s.licensing(c)), "GET"),
            route("/events", r(self._poll_events), "GET"),
            Route(BASE + "/events/stream", self._stream, methods=["GET"]),
            Route(BASE + "/stripe/webhook", self._stripe_webhook, methods=["POST"]),
        ]

    # -- list handlers ------------------------------------------------------------------

    def _list_children(self, request: Request, caller: Caller, q: Query) -> JSON:
        items, cursor = self.state.list_children(
            caller,
            status=q.enum("status", CHILD_STATUSES),
            limit=q.limit(),
            cursor=q.string("cursor"),
        )
        return {"data": [o.to_child_json() for o in items], "nextCursor": cursor}

    def _list_apps(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_apps(
                caller,
                org_id=q.string("orgId"),
                status=q.enum("status", APP_STATUSES),
                updated_since=q.timestamp("updatedSince"),
                limit=q.limit(),
                cursor=q.string("cursor"),
            )
        )

    def _list_webhooks(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_webhooks(
                caller, app_id=q.string("appId"), limit=q.limit(), cursor=q.string("cursor")
            )
        )

    def _list_api_keys(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_api_keys(
                caller, app_id=q.string("appId"), limit=q.limit(), cursor=q.string("cursor")
            )
        )

    def _list_oauth_clients(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_oauth_clients(
                caller, app_id=q.string("appId"), limit=q.limit(), cursor=q.string("cursor")
            )
        )

    def _list_conversations(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_conversations(
                caller,
                status=q.enum("status", CONVERSATION_STATUSES),
                channel=q.enum("channel", CHANNELS),
                org_id=q.string("orgId"),
                agent_id=q.string("agentId"),
                since=q.timestamp("since"),
                until=q.timestamp("until"),
                updated_since=q.timestamp("updatedSince"),
                limit=q.limit(),
                cursor=q.string("cursor"),
            )
        )

    def _list_messages(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_messages(
                caller, request.path_params["session_id"], after=q.string("after"), limit=q.limit()
            )
        )

    def _export_messages(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.export_messages(
                caller,
                org_id=q.string("orgId"),
                after=q.string("after"),
                limit=q.limit(maximum=1000, default=500),
            )
        )

    def _list_agents(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_agents(
                caller, org_id=q.string("orgId"), limit=q.limit(), cursor=q.string("cursor")
            )
        )

    def _list_transactions(self, request: Request, caller: Caller, q: Query) -> JSON:
        return _page(
            *self.state.list_transactions(
                caller,
                agent_id=q.string("agentId"),
                org_id=q.string("orgId"),
                session_id=q.string("sessionId"),
                checkout_session_id=q.string("checkoutSessionId"),
                kind=q.enum("kind", TRANSACTION_KINDS),
                since=q.timestamp("since"),
                until=q.timestamp("until"),
                limit=q.limit(),
                cursor=q.string("cursor"),
            )
        )

    def _usage(self, request: Request, caller: Caller, q: Query) -> JSON:
        group_by = q.enum("group_by", ("day", "agent", "org"), default="day") or "day"
        return self.state.usage(caller, group_by, q.timestamp("since"), q.timestamp("until"))

    def _poll_events(self, request: Request, caller: Caller, q: Query) -> JSON:
        raw = q.string("after")
        after: int | None = 0
        if raw == "head":
            after = None
        elif raw is not None:
            if _EVENT_ID.fullmatch(raw) is None:
                raise validation_failed("after must be an event id or 'head'")
            after = int(raw)
        limit = q.integer("limit", default=100, minimum=1, maximum=500)
        return self.state.poll_events(caller, after, limit)

    # -- special endpoints --------------------------------------------------------------

    def _delete(self, handler: Callable[[Caller, Request], None]) -> Endpoint:
        """A DELETE endpoint: 204 once `handler` removed the object."""

        async def endpoint(request: Request) -> Response:
            try:
                handler(self._caller(request), request)
            except ApiError as exc:
                return error_response(exc)
            return Response(status_code=204)

        return endpoint

    async def _stream(self, request: Request) -> Response:
        try:
            caller = self._caller(request)
            raw = request.headers.get("last-event-id") or request.query_params.get("after")
            if raw:
                if _EVENT_ID.fullmatch(raw) is None:
                    raise validation_failed("Last-Event-ID must be an event id")
                cursor = int(raw)
                self.state.events_after(caller, cursor, 0)  # 410 when beyond the head
            else:
                cursor = self.state.head()
        except ApiError as exc:
            return error_response(exc)
        return StreamingResponse(
            self._sse(caller, cursor),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def _sse(self, caller: Caller, cursor: int) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def listener() -> None:
            loop.call_soon_threadsafe(wake.set)

        self.state.add_listener(listener)
        self._wakers.add(listener)
        try:
            yield "retry: 2000\n\n"
            while not self._stopping:
                wake.clear()
                try:
                    events = self.state.events_after(caller, cursor, 100)
                except ApiError:
                    return  # the log was reset under us: end; the client resyncs
                for event in events:
                    data = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False)
                    yield f"id: {event.id}\nevent: {event.type}\ndata: {data}\n\n"
                    cursor = event.id
                if len(events) == 100:
                    continue
                try:
                    await asyncio.wait_for(wake.wait(), self.keepalive_seconds)
                except TimeoutError:
                    yield ": keep-alive\n\n"
        finally:
            self.state.remove_listener(listener)
            self._wakers.discard(listener)

    async def _stripe_webhook(self, request: Request) -> Response:
        raw = await request.body()
        try:
            verify_header(
                raw,
                request.headers.get("stripe-signature"),
                self.stripe_webhook_secret,
                now=self.state.clock().timestamp(),
            )
        except SignatureError as exc:
            logger.info("rejected Stripe webhook: %s", exc)
            return error_response(ApiError(400, "invalid_signature", str(exc)))
        try:
            event = _parse_json(raw)
        except ApiError as exc:
            return error_response(exc)
        if not isinstance(event, dict):
            return error_response(ApiError(400, "bad_request", "the event must be an object"))
        return json_response(200, self.state.handle_stripe_event(event))


def _parse_json(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", "the request body is not valid JSON") from None
