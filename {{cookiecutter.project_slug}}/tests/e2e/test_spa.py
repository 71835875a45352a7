"""A single-page app on another origin signs up, verifies, signs in and out, and calls the API, in a real browser.

The set-up a deployment on subdomains uses (docs/auth.md): the SPA on
http://app.example.test:<port>, this project on http://api.example.test:<port>,
both the browser's loopback through a host rule. The SPA's origin is in
CORS_ALLOWED_ORIGINS (and so trusted for CSRF), and CSRF_COOKIE_DOMAIN lets the
SPA read the CSRF cookie. Another origin is refused by the browser.
"""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations import services

from tests.conftest import code_in
from tests.e2e.conftest import WatchedBrowser, launch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SPA_FILES = Path(__file__).with_name("spa")
PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def spa_server() -> Iterator[int]:
    """Serves the SPA's static files on loopback; returns the port."""
    handler = functools.partial(QuietHandler, directory=str(SPA_FILES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api_server(settings, spa_server) -> Iterator[str]:
    """This project, configured for the SPA as the environment would configure it, on a server of its own.

    Its own server, started after the settings change: Django's CSRF middleware reads the
    trusted origins once per server.
    """
    spa = f"http://app.example.test:{spa_server}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.example.test"]
    settings.CORS_ALLOWED_ORIGINS = [spa]
    settings.CSRF_TRUSTED_ORIGINS = [spa]  # what base.py derives from CORS_ALLOWED_ORIGINS
    settings.CSRF_COOKIE_DOMAIN = "example.test"
    server = LiveServer("localhost")
    try:
        yield f"http://api.example.test:{server.thread.port}"
    finally:
        server.stop()


@pytest.fixture
def subdomains(playwright) -> Iterator[WatchedBrowser]:
    """A browser that resolves every *.example.test name to loopback, watched like the others."""
    chromium = launch(playwright, "--host-resolver-rules=MAP *.example.test 127.0.0.1")
    watched = WatchedBrowser(chromium)
    yield watched
    watched.close()
    chromium.close()
    assert not watched.problems, "the browser reported:\n" + "\n".join(watched.problems)


def call(page: Page, api: str, method: str, path: str, body: object = None, *, csrf: bool = True) -> dict[str, Any]:
    """What the SPA's api() got: status, JSON body and X-Request-ID."""
    arguments = [api, method, path, body, csrf]
    result: dict[str, Any] = page.evaluate("(a) => api(a[0], a[1], a[2], a[3] ?? undefined, a[4])", arguments)
    assert "error" not in result, result
    return result


def test_an_spa_on_another_origin_uses_the_headless_api_and_the_api_with_cookies(
    subdomains, api_server, spa_server, jobs
):
    api, auth = api_server, "/_allauth/browser/v1"
    subdomains.expect_console(r"status of 40[13]")  # the answers asserted below: signed out, refused
    page = subdomains.new_context().new_page()
    page.goto(f"http://app.example.test:{spa_server}/")

    config = call(page, api, "GET", f"{auth}/config")
    assert config["status"] == 200
    assert config["requestId"], "X-Request-ID is exposed to the SPA"
    assert "csrftoken=" in page.evaluate("document.cookie"), "the CSRF cookie is readable on the SPA's host"

    # A write without the token is refused in allauth's JSON shape, which the SPA can read.
    credentials = {"email": "spa@example.com", "password": PASSWORD}
    refused = call(page, api, "POST", f"{auth}/auth/login", credentials, csrf=False)
    assert refused["status"] == 403
    assert refused["body"]["errors"][0]["code"] == "csrf_failed"

    # Sign up, verify the address with the emailed code: signed in.
    signup = call(page, api, "POST", f"{auth}/auth/signup", credentials)
    assert signup["status"] == 401
    assert {"id": "verify_email", "is_pending": True} in [
        {key: flow[key] for key in ("id", "is_pending") if key in flow} for flow in signup["body"]["data"]["flows"]
    ]
    jobs.run()
    code = code_in(next(message for message in mail.outbox if "spa@example.com" in message.to))
    verified = call(page, api, "POST", f"{auth}/auth/email/verify", {"key": code})
    assert verified["status"] == 200
    assert verified["body"]["meta"]["is_authenticated"] is True

    # The session cookie goes with every call: the API answers for this user.
    session = call(page, api, "GET", f"{auth}/auth/session")
    assert session["body"]["data"]["user"]["email"] == "spa@example.com"
    organization = services.organization_create(name="SPA Shop", owner=User.objects.get(email="spa@example.com"))
    endpoints = call(page, api, "GET", f"/api/{VERSIONS.latest.name}/organizations/{organization.public_id}/webhooks/")
    assert endpoints["status"] == 200
    assert endpoints["body"]["results"] == []

    # Sign out, then in again.
    assert call(page, api, "DELETE", f"{auth}/auth/session")["status"] == 401
    assert call(page, api, "GET", f"{auth}/auth/session")["status"] == 401
    login = call(page, api, "POST", f"{auth}/auth/login", credentials)
    assert login["status"] == 200
    assert call(page, api, "GET", f"{auth}/auth/session")["status"] == 200


def test_an_origin_not_in_the_allow_list_is_refused_by_the_browser(subdomains, api_server, spa_server):
    subdomains.expect_console(r"blocked by CORS policy|Failed to load resource: net::ERR_FAILED")
    page = subdomains.new_context().new_page()
    page.goto(f"http://elsewhere.example.test:{spa_server}/")

    for method, path, body in [
        ("GET", "/_allauth/browser/v1/config", None),
        ("POST", "/_allauth/browser/v1/auth/login", {"email": "spa@example.com", "password": PASSWORD}),
    ]:
        result = page.evaluate("(a) => api(a[0], a[1], a[2], a[3] ?? undefined)", [api_server, method, path, body])
        assert result == {"error": "TypeError: Failed to fetch"}
