"""Record what crosses a sandbox server, so tests can check it against contracts.

`ExchangeRecorder` wraps an ASGI app and keeps each request (method, path,
query, headers, body) with the response (status, headers, body) it got.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from console.sandbox.faults import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Exchange:
    """One request and its response as they crossed the wire."""

    method: str
    path: str
    query: dict[str, list[str]]
    request_headers: dict[str, str]
    request_body: bytes
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""

    @property
    def request_content_type(self) -> str:
        return self.request_headers.get("content-type", "").split(";")[0].strip()

    @property
    def response_content_type(self) -> str:
        return self.response_headers.get("content-type", "").split(";")[0].strip()


class ExchangeRecorder:
    """ASGI middleware keeping every exchange (thread-safe)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def clear(self) -> None:
        with self._lock:
            self._exchanges.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_parts: list[bytes] = []
        more = True
        while more:
            message = await receive()
            body_parts.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(body_parts)
        exchange = Exchange(
            method=scope["method"],
            path=scope["path"],
            query=parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True),
            request_headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            request_body=body,
        )
        with self._lock:
            self._exchanges.append(exchange)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        response_parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = {
                    k.decode().lower(): v.decode() for k, v in message.get("headers", [])
                }
            elif message["type"] == "http.response.body":
                response_parts.append(message.get("body", b""))
                exchange.response_body = b"".join(response_parts)
            await send(message)

        await self.app(scope, replay, capture)
