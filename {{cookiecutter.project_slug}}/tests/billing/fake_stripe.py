"""A loopback HTTP server standing in for the Stripe endpoints localstripe lacks or cannot drive.

localstripe has no Checkout Sessions, no Billing Portal, and cannot make a subscription
past due on demand. This server answers those, and serves subscriptions and invoices
whose state a test sets, so our code (Stripe's SDK included) talks real HTTP to it.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _listing(url: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "url": url, "has_more": False, "data": data}


class FakeStripe:
    def __init__(self) -> None:
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, dict[str, list[str]], str]] = []  # method, path, params, key
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.answer(self, "GET")

            def do_POST(self) -> None:
                fake.answer(self, "POST")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscription(self, customer: str, *, status: str = "active", price: str = "price_pro", **extra: Any) -> str:
        """Set the customer's subscription (as Stripe holds it after Checkout, a failed payment, a cancel)."""
        found = [s for s in self.subscriptions.values() if s["customer"] == customer]
        subscription_id = found[0]["id"] if found else f"sub_{uuid.uuid4().hex[:14]}"
        self.subscriptions[subscription_id] = {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "created": int(time.time()),
            "cancel_at_period_end": extra.pop("cancel_at_period_end", False),
            "items": _listing(
                "/v1/subscription_items",
                [
                    {
                        "id": f"si_{subscription_id}",
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "quantity": extra.pop("quantity", 1),
                        "current_period_end": int(time.time()) + 30 * 86400,
                    }
                ],
            ),
            **extra,
        }
        return subscription_id

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        query = split.query if method == "GET" else handler.rfile.read(length).decode()
        params = parse_qs(query)
        key = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        self.requests.append((method, split.path, params, key))
        status, body = self.route(method, split.path, params)
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def route(self, method: str, path: str, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        customer = params.get("customer", [""])[0]
        if method == "POST" and path == "/v1/customers":
            return 200, {"id": f"cus_{uuid.uuid4().hex[:14]}", "object": "customer"}
        if method == "POST" and path == "/v1/checkout/sessions":
            session = f"cs_test_{uuid.uuid4().hex}"
            return 200, {
                "id": session,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/{session}",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": "bps_1",
                "object": "billing_portal.session",
                "url": "https://billing.stripe.com/p/session/test",
            }
        if method == "GET" and path == "/v1/subscriptions":
            found = [s for s in self.subscriptions.values() if s["customer"] == customer]
            return 200, _listing(path, found)
        if path.startswith("/v1/subscriptions/") and path.removeprefix("/v1/subscriptions/") in self.subscriptions:
            subscription = self.subscriptions[path.removeprefix("/v1/subscriptions/")]
            if method == "POST" and "items[0][quantity]" in params:
                subscription["items"]["data"][0]["quantity"] = int(params["items[0][quantity]"][0])
            return 200, subscription
        if method == "GET" and path == "/v1/invoices":
            return 200, _listing(path, [i for i in self.invoices if i["customer"] == customer])
        return 404, {"error": {"type": "invalid_request_error", "message": f"No such route: {method} {path}"}}

    def invoice(self, customer: str, *, number: str, amount: int, status: str = "paid") -> None:
        self.invoices.insert(
            0,
            {
                "id": f"in_{uuid.uuid4().hex[:14]}",
                "object": "invoice",
                "customer": customer,
                "number": number,
                "amount_due": amount,
                "currency": "usd",
                "status": status,
                "created": int(time.time()),
                "hosted_invoice_url": f"https://invoice.stripe.com/i/{number}",
            },
        )
