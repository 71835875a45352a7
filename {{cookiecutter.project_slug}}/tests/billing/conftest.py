"""Billing tests: billing on against a Stripe API on loopback, webhook events signed as Stripe signs them."""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from {{ cookiecutter.project_slug }}.organizations import keys

from tests.api.conftest import ALL_SCOPES, Api
from tests.billing.fake_stripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def billing_on(settings):
    """Billing configured as a founder would, with test-mode keys (the API base is set by the server fixtures)."""
    settings.BILLING_ENABLED = True
    settings.STRIPE_SECRET_KEY = "sk_test_runway"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PRICE_PRO = "price_pro"
    settings.STRIPE_PRICE_BUSINESS = "price_business"
    settings.BILLING_GRACE_DAYS = 7
    return settings


@pytest.fixture
def fake_stripe(billing_on) -> Iterator[FakeStripe]:
    server = FakeStripe()
    billing_on.STRIPE_API_BASE = server.url
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def api_of(commit):
    """An API client with a new key (every scope) of the membership's organization."""

    def make(membership: Any) -> Api:
        with commit():
            _, token = keys.api_key_create(
                organization=membership.organization,
                actor=membership.user,
                name="integration",
                scopes=ALL_SCOPES,
                expires_in_days=None,
            )
        return Api(Authorization=f"Bearer {token}")

    return make


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """localstripe (a dev dependency of this project) on loopback, with the plans our prices name."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.billing.localstripe_server", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(process, port)
        client = stripe.StripeClient("sk_test_runway", base_addresses={"api": url})
        product = client.v1.products.create(params={"name": "Runway plans"})
        for price, amount in (("price_pro", 1200), ("price_business", 4900)):
            params: Any = {"id": price, "product": product.id, "amount": amount, "currency": "usd", "interval": "month"}
            client.v1.plans.create(params=params)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("localstripe did not start within 30 seconds")


@pytest.fixture
def localstripe(billing_on, localstripe_url) -> stripe.StripeClient:
    """Billing pointed at localstripe; the client lets a test act as Stripe's side (Checkout, the portal)."""
    billing_on.STRIPE_API_BASE = localstripe_url
    return stripe.StripeClient("sk_test_runway", base_addresses={"api": localstripe_url})


def signed(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header: HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> bytes:
    """A Stripe event as its webhook delivers it."""
    body = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def deliver(client: Any, payload: bytes, *, signature: str | None = None) -> Any:
    return client.post(
        "/billing/stripe/webhook/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature if signature is not None else signed(payload)},
    )
