"""HTTP face of the Stripe sandbox (Starlette).

Contract operations (tests/data/contracts/stripe.json, API 2026-05-27.dahlia):
POST/GET /v1/checkout/sessions(/{session}), POST /v1/customers,
GET /v1/customers/{customer}, POST /v1/billing_portal/sessions, and the lists
GET /v1/prices, /v1/products, /v1/invoices, /v1/subscriptions, /v1/events,
/v1/balance_transactions.

Like Stripe: form-encoded bodies in bracket notation, `expand[]`, lists with
`data`/`has_more`/`url`/`starting_after`/`ending_before`, `Idempotency-Key` on
POST (same key and body: the stored response again, with
`Idempotent-Replayed: true`; same key, other body: 400 `idempotency_error`),
`Request-Id` and `Stripe-Version: 2026-05-27.dahlia` response headers, errors
as `{"error": {"type", "message", "code", "param"}}`, 401 for a missing or
unknown key. The objects are those of 2026-05-27.dahlia only, so a request
asking for another version (`Stripe-Version` header) is refused the way
Stripe refuses a version it does not know: 400 `invalid_request_error`,
"Invalid Stripe API version: <v>" (the message Stripe sends, e.g.
stripe-samples/link#58); without the header the account's version applies.
Events an API request causes (`customer.created`, `checkout.session.expired`)
are delivered to webhook endpoints right after the response is sent.

Extensions (Stripe endpoints outside the contract subset; `is_sandbox_extension`):
- `POST /v1/checkout/sessions/{session}/expire` (Stripe's expire endpoint;
  only an open session can be expired, and an expired one cannot be paid);
- `GET /v1/billing_portal/configurations` (Stripe's list of customer portal
  configurations; objects follow the contract's `billing_portal.configuration`);
- `/_checkout/{id}` the hosted payment page (pay by card or by SEPA Direct
  Debit; a debit still processing offers the bank's answer), and
  `/_portal/{id}` the customer portal page;
- `/_sandbox/stripe/...` test controls (see `StripeApi.control`).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from console.sandbox.stripe.errors import StripeApiError
from console.sandbox.stripe.form import as_list, decode_form
from console.sandbox.stripe.objects import API_VERSION, JSON, RequestContext, money, new_id

if TYPE_CHECKING:
    from console.sandbox.stripe.sandbox import StripeSandbox

logger = logging.getLogger(__name__)

_EXTENSIONS = (
    re.compile(r"^/v1/checkout/sessions/[^/]+/expire$"),
    re.compile(r"^/v1/billing_portal/configurations$"),
    re.compile(r"^/_(checkout|portal|sandbox)(/.*)?$"),
)


def is_sandbox_extension(path: str) -> bool:
    """True for routes outside the vendor contract (extensions, pages, controls)."""
    return any(pattern.match(path) for pattern in _EXTENSIONS)


@dataclass(frozen=True)
class Call:
    """One authenticated API request, decoded.

    `deliver_after` collects events the request caused; they are delivered
    after the response is sent (Stripe delivers asynchronously too).
    """

    params: dict[str, Any]
    api_key: str
    request_id: str
    idempotency_key: str | None
    base_url: str
    deliver_after: list[JSON] = field(default_factory=list)

    @property
    def expand(self) -> list[str]:
        return [str(path) for path in as_list(self.params.get("expand"))]


Handler = Callable[[Request, Call], Awaitable[JSON]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _headers(request_id: str) -> dict[str, str]:
    return {"Request-Id": request_id, "Stripe-Version": API_VERSION}


def _error(exc: StripeApiError, request_id: str) -> JSONResponse:
    return JSONResponse(exc.body(request_id), status_code=exc.status, headers=_headers(request_id))


class StripeApi:
    """Route handlers bound to one sandbox."""

    def __init__(self, sandbox: StripeSandbox) -> None:
        self.sandbox = sandbox

    @staticmethod
    def context(call: Call) -> RequestContext:
        return RequestContext(call.request_id, call.idempotency_key)

    def api(self, handler: Handler) -> Endpoint:
        """Auth, decoding, idempotency and error rendering around one operation."""

        async def endpoint(request: Request) -> Response:
            request_id = new_id("req_", 14)
            try:
                api_key = self.sandbox.authenticate(request.headers.get("authorization", ""))
                _check_version(request.headers.get("stripe-version"))
            except StripeApiError as exc:
                return _error(exc, request_id)
            raw = await request.body()
            text = raw.decode() if request.method == "POST" else request.url.query
            key = request.headers.get("idempotency-key") if request.method == "POST" else None
            fingerprint = hashlib.sha256(
                f"{request.method} {request.url.path}\n".encode() + raw
            ).hexdigest()
            if key:
                prior = self.sandbox.store.idempotent(api_key, key)
                if prior is not None:
                    if prior[0] != fingerprint:
                        return _error(
                            StripeApiError(
                                400,
                                "Keys for idempotent requests can only be used with the same"
                                " parameters they were first used with. Try using a key other"
                                f" than '{key}' if you meant to execute a different request.",
                                type="idempotency_error",
                            ),
                            request_id,
                        )
                    headers = {**_headers(request_id), "Idempotent-Replayed": "true"}
                    return Response(
                        prior[2], prior[1], headers=headers, media_type="application/json"
                    )
            call = Call(
                params=decode_form(text),
                api_key=api_key,
                request_id=request_id,
                idempotency_key=key,
                base_url=str(request.base_url).rstrip("/"),
            )
            try:
                payload = await handler(request, call)
            except StripeApiError as exc:
                return _error(exc, request_id)
            body = json.dumps(payload).encode()
            if key:
                self.sandbox.store.remember(
                    api_key, key, fingerprint, 200, body, int(self.sandbox.clock())
                )
            headers = _headers(request_id)
            if key:
                headers["Idempotency-Key"] = key
            background = None
            if call.deliver_after:
                background = BackgroundTask(self.sandbox.deliver, list(call.deliver_after))
            return Response(
                body, 200, headers=headers, media_type="application/json", background=background
            )

        return endpoint

    # --- operations ----------------------------------------------------------
    async def create_checkout_session(self, request: Request, call: Call) -> JSON:
        session = self.sandbox.create_checkout_session(call.params, call.base_url)
        return self.sandbox.expand(session, call.expand)

    async def get_checkout_session(self, request: Request, call: Call) -> JSON:
        session = self.sandbox.checkout_session(request.path_params["session"])
        return self.sandbox.expand(session, call.expand)

    async def expire_checkout_session(self, request: Request, call: Call) -> JSON:
        session, events = self.sandbox.expire_checkout_session(
            request.path_params["session"], self.context(call)
        )
        call.deliver_after.extend(events)
        return self.sandbox.expand(session, call.expand)

    async def create_customer(self, request: Request, call: Call) -> JSON:
        customer, events = self.sandbox.create_customer(call.params, self.context(call))
        call.deliver_after.extend(events)
        return self.sandbox.expand(customer, call.expand)

    async def get_customer(self, request: Request, call: Call) -> JSON:
        customer = self.sandbox.get(request.path_params["customer"], "customer")
        return self.sandbox.expand(customer, call.expand)

    async def create_portal_session(self, request: Request, call: Call) -> JSON:
        session = self.sandbox.create_portal_session(call.params, call.base_url)
        return self.sandbox.expand(session, call.expand)

    def lister(self, kind: str) -> Handler:
        async def handler(request: Request, call: Call) -> JSON:
            listing = self.sandbox.list_objects(kind, call.params)
            return self.sandbox.expand(listing, call.expand)

        return handler

    # --- hosted pages (no auth) ------------------------------------------------
    async def checkout_page(self, request: Request) -> Response:
        session_id = request.path_params["session"]
        try:
            session = self.sandbox.checkout_session(session_id)
        except StripeApiError:
            return _page("Not found", "<p>This checkout link does not exist.</p>", 404)
        items = self.sandbox.store.internal(session_id).get("line_items", [])
        rows = "".join(
            f"<tr><td>{html.escape(str(i['description']))} \u00d7 {i['quantity']}</td>"
            f"<td>{money(int(i['amount_total']), str(i['currency']))}</td></tr>"
            for i in items
        )
        total = money(int(session["amount_total"]), str(session["currency"]))
        intent = self.sandbox.store.get(str(session.get("payment_intent") or ""), "payment_intent")
        if intent is not None and intent["status"] == "processing":
            bank = f"/_checkout/{session_id}/bank"
            action = (
                "<p>The SEPA Direct Debit is processing: the bank answers in a few days.</p>"
                f'<form method="post" action="{bank}">'
                '<button name="outcome" value="succeeded">Sandbox bank: confirm the debit</button> '
                '<button name="outcome" value="failed">Sandbox bank: refuse the debit</button>'
                "</form>"
            )
        elif session["status"] != "open":
            action = f"<p>This Checkout Session is {html.escape(str(session['status']))}.</p>"
        else:
            cancel = f"/_checkout/{session_id}/cancel"
            sepa = (
                '<button type="submit" name="method" value="sepa_debit">'
                f"Pay {total} by SEPA Direct Debit</button>"
                if "sepa_debit" in session["payment_method_types"]
                else ""
            )
            action = (
                f'<form method="post" action="/_checkout/{session_id}/pay">'
                '<label>Email <input name="email" type="email"'
                f' value="{html.escape(session.get("customer_email") or "")}"></label> '
                f'<button type="submit" name="method" value="card">Pay {total}</button> {sepa}'
                f'</form><p><a href="{cancel}">Cancel</a></p>'
            )
        body = (
            "<p><strong>Sandbox checkout</strong>: no real payment happens.</p>"
            f"<table>{rows}<tr><th>Total</th><th>{total}</th></tr></table>{action}"
        )
        return _page("Checkout", body)

    async def pay(self, request: Request) -> Response:
        session_id = request.path_params["session"]
        form = dict(parse_qsl((await request.body()).decode()))
        try:
            outcome = await self.sandbox.complete_checkout_async(
                session_id,
                email=form.get("email") or None,
                payment_method=form.get("method") or "card",
            )
        except StripeApiError as exc:
            return _page("Checkout", f"<p>{html.escape(exc.message)}</p>", exc.status)
        success = outcome.session.get("success_url")
        if success:
            return RedirectResponse(success.replace("{CHECKOUT_SESSION_ID}", session_id), 303)
        return _page("Paid", "<p>Payment complete. You can close this page.</p>")

    async def bank(self, request: Request) -> Response:
        """The sandbox bank's answer to a SEPA debit still processing."""
        session_id = request.path_params["session"]
        form = dict(parse_qsl((await request.body()).decode()))
        try:
            await self.sandbox.finish_delayed_payment_async(
                session_id, succeeded=form.get("outcome") == "succeeded"
            )
        except StripeApiError as exc:
            return _page("Checkout", f"<p>{html.escape(exc.message)}</p>", exc.status)
        return RedirectResponse(f"/_checkout/{session_id}", 303)

    async def cancel(self, request: Request) -> Response:
        try:
            session = self.sandbox.checkout_session(request.path_params["session"])
        except StripeApiError:
            return _page("Not found", "<p>This checkout link does not exist.</p>", 404)
        if session.get("cancel_url"):
            return RedirectResponse(session["cancel_url"], 303)
        return _page("Canceled", "<p>Checkout canceled.</p>")

    async def portal_page(self, request: Request) -> Response:
        try:
            session = self.sandbox.get(request.path_params["session"], "billing_portal.session")
        except StripeApiError:
            return _page("Not found", "<p>This portal link does not exist.</p>", 404)
        customer = session["customer"]
        subscriptions = self.sandbox.list_objects("subscription", {"customer": customer})["data"]
        invoices = self.sandbox.list_objects("invoice", {"customer": customer, "limit": "100"})
        subs = "".join(
            f"<li>{html.escape(s['items']['data'][0]['price'].get('nickname') or s['id'])}:"
            f" {s['status']}</li>"
            for s in subscriptions
        )
        bills = "".join(
            f"<li>{html.escape(i['number'] or i['id'])}:"
            f" {money(int(i['total']), str(i['currency']))} ({i['status']})</li>"
            for i in invoices["data"]
        )
        back = session.get("return_url")
        link = f'<p><a href="{html.escape(back)}">Return</a></p>' if back else ""
        return _page(
            "Billing",
            f"<h2>Subscriptions</h2><ul>{subs or '<li>none</li>'}</ul>"
            f"<h2>Invoices</h2><ul>{bills or '<li>none</li>'}</ul>{link}",
        )

    # --- test controls -----------------------------------------------------------
    async def control(self, request: Request) -> Response:
        """`/_sandbox/stripe/...`: the test helpers over HTTP (subprocess tests).

        - `POST checkout/{id}/complete` `{"email"?, "name"?, "payment_method"?}`;
          `POST checkout/{id}/delayed` `{"succeeded": bool}`; `POST checkout/{id}/expire`
        - `GET webhook_endpoints`; `POST webhook_endpoints` `{"url", "secret"?,
          "enabled_events"?}`; `DELETE webhook_endpoints/{id}`
        - `GET deliveries`; `POST deliveries/retry` `{"event"?}`
        """
        parts = request.path_params["rest"].strip("/").split("/")
        raw = await request.body()
        try:
            args = json.loads(raw) if raw else {}
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, 400)
        if not isinstance(args, dict):
            return JSONResponse({"error": "body must be a JSON object"}, 400)
        sandbox = self.sandbox
        try:
            match (request.method, parts):
                case ("POST", ["checkout", session_id, "complete"]):
                    done = await sandbox.complete_checkout_async(
                        session_id,
                        email=args.get("email"),
                        name=args.get("name"),
                        payment_method=args.get("payment_method") or "card",
                    )
                    return JSONResponse(_outcome(done))
                case ("POST", ["checkout", session_id, "delayed"]):
                    finished = await sandbox.finish_delayed_payment_async(
                        session_id, succeeded=bool(args["succeeded"])
                    )
                    return JSONResponse(_outcome(finished))
                case ("POST", ["checkout", session_id, "expire"]):
                    return JSONResponse(_outcome(await sandbox.expire_checkout_async(session_id)))
                case ("GET", ["webhook_endpoints"]):
                    return JSONResponse([asdict(e) for e in sandbox.webhook_endpoints()])
                case ("POST", ["webhook_endpoints"]):
                    endpoint = sandbox.add_webhook_endpoint(
                        str(args["url"]),
                        args.get("secret"),
                        enabled_events=args.get("enabled_events") or ("*",),
                    )
                    return JSONResponse(asdict(endpoint), 201)
                case ("DELETE", ["webhook_endpoints", endpoint_id]):
                    removed = sandbox.remove_webhook_endpoint(endpoint_id)
                    return JSONResponse({"deleted": removed}, 200 if removed else 404)
                case ("GET", ["deliveries"]):
                    return JSONResponse([asdict(d) for d in sandbox.deliveries()])
                case ("POST", ["deliveries", "retry"]):
                    retried = await _in_thread(sandbox.redeliver, args.get("event"))
                    return JSONResponse([asdict(d) for d in retried])
        except StripeApiError as exc:
            return JSONResponse(exc.body(), exc.status)
        except KeyError as exc:
            return JSONResponse({"error": f"missing {exc}"}, 400)
        return JSONResponse({"error": "unknown sandbox control"}, 404)


async def _in_thread(func: Callable[[str | None], Any], arg: str | None) -> Any:
    return await asyncio.to_thread(func, arg)


def _outcome(outcome: Any) -> JSON:
    return {
        "session": outcome.session,
        "events": [e["id"] for e in outcome.events],
        "deliveries": [asdict(d) for d in outcome.deliveries],
    }


def _check_version(version: str | None) -> None:
    """Refuse a `Stripe-Version` other than the one the objects follow."""
    if version is not None and version != API_VERSION:
        raise StripeApiError(
            400,
            f"Invalid Stripe API version: {version}. This sandbox serves {API_VERSION} only.",
        )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}"
        "td,th{padding:.3rem .8rem;text-align:left}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


async def _unknown(request: Request, exc: Exception) -> Response:
    method = request.method
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    error = StripeApiError(
        404 if status != 405 else 405,
        f"Unrecognized request URL ({method}: {request.url.path}). Please see"
        " https://stripe.com/docs or we can help at https://support.stripe.com/.",
    )
    return JSONResponse(error.body(), error.status)


def build_app(sandbox: StripeSandbox) -> Starlette:
    """The Starlette app serving `sandbox` (without fault injection or recording)."""
    api = StripeApi(sandbox)
    a = api.api
    routes = [
        Route("/v1/checkout/sessions", a(api.create_checkout_session), methods=["POST"]),
        Route("/v1/checkout/sessions/{session}", a(api.get_checkout_session), methods=["GET"]),
        Route(
            "/v1/checkout/sessions/{session}/expire",
            a(api.expire_checkout_session),
            methods=["POST"],
        ),
        Route("/v1/customers", a(api.create_customer), methods=["POST"]),
        Route("/v1/customers/{customer}", a(api.get_customer), methods=["GET"]),
        Route("/v1/billing_portal/sessions", a(api.create_portal_session), methods=["POST"]),
        Route(
            "/v1/billing_portal/configurations",
            a(api.lister("billing_portal.configuration")),
            methods=["GET"],
        ),
        Route("/v1/prices", a(api.lister("price")), methods=["GET"]),
        Route("/v1/products", a(api.lister("product")), methods=["GET"]),
        Route("/v1/invoices", a(api.lister("invoice")), methods=["GET"]),
        Route("/v1/subscriptions", a(api.lister("subscription")), methods=["GET"]),
        Route("/v1/events", a(api.lister("event")), methods=["GET"]),
        Route("/v1/balance_transactions", a(api.lister("balance_transaction")), methods=["GET"]),
        Route("/_checkout/{session}", api.checkout_page, methods=["GET"]),
        Route("/_checkout/{session}/pay", api.pay, methods=["POST"]),
        Route("/_checkout/{session}/bank", api.bank, methods=["POST"]),
        Route("/_checkout/{session}/cancel", api.cancel, methods=["GET"]),
        Route("/_portal/{session}", api.portal_page, methods=["GET"]),
        Route("/_sandbox/stripe/{rest:path}", api.control, methods=["GET", "POST", "DELETE"]),
    ]
    return Starlette(routes=routes, exception_handlers={404: _unknown, 405: _unknown})
