"""A tiny Stripe stand-in for the client tests, built from Stripe's official fixtures.

Only what `StripeBilling` calls. Responses are Stripe's fixture objects with
the request's values filled in, so they validate against the contract. The
real sandbox (`console.sandbox.stripe`) replaces this once it is complete.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.contract_check import decode_form

FIXTURES: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "data" / "contracts" / "stripe_fixtures.json").read_text()
)["resources"]
KEY = "sk_test_fakeStripeKeyForTheConsole123"


def _error(status: int, kind: str, message: str, code: str | None = None) -> Response:
    body: dict[str, Any] = {"type": kind, "message": message}
    if code:
        body["code"] = code
    return JSONResponse({"error": body}, status_code=status)


class FakeStripe:
    """State: sessions, customers, prices; `complete(session_id)` simulates a payment."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self._ids = itertools.count(1)
        self.prices = [
            self._price("price_pack_500", 7900, None, {"type": "credit-pack", "credits": "500"}),
            self._price("price_pack_100", 1900, None, {"type": "credit-pack", "credits": "100"}),
            self._price("price_agency", 29900, "month", {"type": "subscription", "tier": "agency"}),
            self._price("price_pro", 2900, "month", {}, product_meta={"tier": "pro"}),
            self._price("price_other", 500, None, {}),
        ]
        self.app = Starlette(
            routes=[
                Route("/v1/checkout/sessions", self.create_session, methods=["POST"]),
                Route("/v1/checkout/sessions/{sid}", self.get_session, methods=["GET"]),
                Route("/v1/customers", self.create_customer, methods=["POST"]),
                Route("/v1/customers/{cid}", self.get_customer, methods=["GET"]),
                Route("/v1/billing_portal/sessions", self.create_portal, methods=["POST"]),
                Route("/v1/prices", self.list_prices, methods=["GET"]),
                Route("/v1/invoices", self.list_invoices, methods=["GET"]),
            ]
        )

    def _price(
        self,
        pid: str,
        amount: int,
        interval: str | None,
        meta: dict[str, str],
        product_meta: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        price: dict[str, Any] = copy.deepcopy(FIXTURES["price"])
        product: dict[str, Any] = copy.deepcopy(FIXTURES["product"])
        product.update(id=f"prod_{pid}", name=pid, metadata=product_meta or {})
        price.update(
            id=pid,
            unit_amount=amount,
            unit_amount_decimal=str(amount),
            currency="eur",
            metadata=meta,
            product=product,
            type="recurring" if interval else "one_time",
        )
        if interval:
            price["recurring"] = {
                "interval": interval,
                "interval_count": 1,
                "meter": None,
                "trial_period_days": None,
                "usage_type": "licensed",
            }
        else:
            price["recurring"] = None
        return price

    def _next(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}"

    def complete(self, sid: str, *, after_polls: int = 0) -> None:
        """Mark the session paid (once it has been read `after_polls` more times)."""
        self.sessions[sid]["_complete_after"] = self.polls.get(sid, 0) + after_polls

    @staticmethod
    def _authorized(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {KEY}"

    async def _form(self, request: Request) -> dict[str, Any]:
        return decode_form((await request.body()).decode())

    def _replay(self, request: Request) -> Response | None:
        key = request.headers.get("idempotency-key")
        if key and key in self.idempotent:
            return JSONResponse(self.idempotent[key], headers={"idempotent-replayed": "true"})
        return None

    def _remember(self, request: Request, body: dict[str, Any]) -> None:
        key = request.headers.get("idempotency-key")
        if key:
            self.idempotent[key] = body

    async def create_session(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****")
        if (replay := self._replay(request)) is not None:
            return replay
        form = await self._form(request)
        price_id = form["line_items"][0]["price"]
        price = next((p for p in self.prices if p["id"] == price_id), None)
        if price is None:
            return _error(
                400, "invalid_request_error", f"No such price: '{price_id}'", "resource_missing"
            )
        session = copy.deepcopy(FIXTURES["checkout.session"])
        sid = self._next("cs_test")
        session.update(
            id=sid,
            mode=form["mode"],
            success_url=form["success_url"],
            cancel_url=form["cancel_url"],
            client_reference_id=form.get("client_reference_id"),
            metadata=form.get("metadata", {}),
            customer=form.get("customer"),
            customer_email=form.get("customer_email"),
            amount_total=price["unit_amount"],
            currency="eur",
            status="open",
            payment_status="unpaid",
            url=f"https://checkout.stripe.test/c/pay/{sid}",
        )
        self.sessions[sid] = session
        body = {k: v for k, v in session.items() if not k.startswith("_")}
        self._remember(request, body)
        return JSONResponse(body)

    async def get_session(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        session = self.sessions.get(sid)
        if session is None:
            return _error(
                404,
                "invalid_request_error",
                f"No such checkout.session: '{sid}'",
                "resource_missing",
            )
        self.polls[sid] = self.polls.get(sid, 0) + 1
        after = session.get("_complete_after")
        if after is not None and self.polls[sid] > after:
            session.update(status="complete", payment_status="paid")
        return JSONResponse({k: v for k, v in session.items() if not k.startswith("_")})

    async def create_customer(self, request: Request) -> Response:
        if (replay := self._replay(request)) is not None:
            return replay
        form = await self._form(request)
        customer = copy.deepcopy(FIXTURES["customer"])
        customer.update(
            id=self._next("cus"),
            email=form.get("email"),
            name=form.get("name"),
            metadata=form.get("metadata", {}),
        )
        self.customers[customer["id"]] = customer
        self._remember(request, customer)
        return JSONResponse(customer)

    async def get_customer(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        if cid not in self.customers:
            return _error(
                404, "invalid_request_error", f"No such customer: '{cid}'", "resource_missing"
            )
        return JSONResponse(self.customers[cid])

    async def create_portal(self, request: Request) -> Response:
        form = await self._form(request)
        portal = copy.deepcopy(FIXTURES["billing_portal.session"])
        portal.update(
            id=self._next("bps"),
            customer=form["customer"],
            return_url=form.get("return_url"),
            url="https://billing.stripe.test/p/session/test_123",
        )
        return JSONResponse(portal)

    async def list_prices(self, request: Request) -> Response:
        return JSONResponse(
            {"object": "list", "data": self.prices, "has_more": False, "url": "/v1/prices"}
        )

    async def list_invoices(self, request: Request) -> Response:
        invoice = copy.deepcopy(FIXTURES["invoice"])
        invoice.update(
            id="in_1",
            number="L4-0001",
            status="paid",
            customer=request.query_params.get("customer"),
            amount_paid_off_stripe=0,
            amount_due=2900,
            amount_paid=2900,
            total=2900,
            currency="eur",
        )
        invoice["parent"] = {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": "sub_1"},
        }
        return JSONResponse(
            {"object": "list", "data": [invoice], "has_more": False, "url": "/v1/invoices"}
        )
