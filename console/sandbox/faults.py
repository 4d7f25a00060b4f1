"""Fault injection for the sandbox servers.

One ASGI middleware serves every sandbox (platform, GitHub, Vercel, Stripe).
Tests and the Diagnostics page add rules, either in process through
`FaultInjector.add()` or over HTTP through the sandbox's control route
`POST /_sandbox/faults` (body: a `FaultRule` as JSON; `DELETE` clears all),
which subprocess tests need.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FaultKind = Literal["status", "rate_limit", "slow", "timeout", "malformed", "drop", "lost_response"]

CONTROL_PATH = "/_sandbox/faults"


@dataclass
class FaultRule:
    """One injected fault.

    Attributes:
        kind: status (answer `status`), rate_limit (429 with Retry-After
            `retry_after`), slow (delay `delay` s, then answer normally),
            timeout (hang `delay` s, default 3600), malformed (200 with a
            body that is not JSON), drop (headers sent, connection cut
            before the body), lost_response (the request IS processed, then
            the connection is cut before the answer: the client cannot know
            whether its write happened).
        path: regular expression matched (search) against the request path.
        method: HTTP method, or "*" for any.
        times: how many requests it hits; None for no limit.
        probability: chance that a matching request is hit (0..1).
    """

    kind: FaultKind
    path: str = ".*"
    method: str = "*"
    status: int = 503
    retry_after: float = 1.0
    delay: float = 0.0
    times: int | None = 1
    probability: float = 1.0
    hits: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


class FaultInjector:
    """ASGI middleware that applies `FaultRule`s before the wrapped app runs.

    Thread-safe: tests add rules from the test thread while uvicorn serves
    from its own.
    """

    def __init__(self, app: ASGIApp, *, seed: int | None = None) -> None:
        self.app = app
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def _pick(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                if not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if path == CONTROL_PATH:
            await self._control(method, receive, send)
            return
        rule = self._pick(method, path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        await self._apply(rule, scope, receive, send)

    async def _apply(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        if rule.kind == "slow":
            await asyncio.sleep(rule.delay)
            await self.app(scope, receive, send)
        elif rule.kind == "timeout":
            await asyncio.sleep(rule.delay or 3600.0)
            await _json(send, 504, {"error": {"code": "timeout", "message": "gateway timeout"}})
        elif rule.kind == "rate_limit":
            await _json(
                send,
                429,
                {"error": {"code": "rate_limited", "message": "slow down"}},
                headers=[(b"retry-after", str(rule.retry_after).encode())],
            )
        elif rule.kind == "malformed":
            body = b'{"data": [unterminated'
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
        elif rule.kind == "lost_response":

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _cut(send)
            raise ConnectionAbortedError("sandbox fault: response lost after processing")
        elif rule.kind == "drop":
            await _cut(send)
            raise ConnectionAbortedError("sandbox fault: dropped connection")
        else:
            await _json(
                send, rule.status, {"error": {"code": "injected", "message": "injected fault"}}
            )

    async def _control(self, method: str, receive: Receive, send: Send) -> None:
        if method == "DELETE":
            self.clear()
            await _json(send, 200, {"rules": []})
            return
        if method == "POST":
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            rule = self.add(FaultRule(**json.loads(body)))
            await _json(send, 201, asdict(rule))
            return
        await _json(send, 200, {"rules": [asdict(r) for r in self.rules()]})


async def _cut(send: Send) -> None:
    """Promise a body and never send it: the client sees the connection end
    mid-response, as with a dropped link."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"partial":', "more_body": True})


async def _json(
    send: Send,
    status: int,
    payload: object,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
