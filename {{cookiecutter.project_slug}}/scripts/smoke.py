"""Smoke-test a running deployment: python scripts/smoke.py https://staging.example.com

Standard library only, so the pipeline runs it with any Python 3.12. It checks,
in order, and stops at the first failure with one line saying what broke:

1. ``/readyz`` answers 200 with status "ok": the database, cache and job broker are reachable;
2. the home page renders;
3. a user signs in through the login form and opens a page that needs login;
4. that user, with the same session, lists their organization's webhook endpoints through the API's newest
   version (a platform endpoint, there whatever resources the product has), the version /api/'s 404 names.

The user comes from SMOKE_EMAIL and SMOKE_PASSWORD (``manage.py ensure_smoke_user``
creates it in the release step). To check a new surface, such as an API call
with a token, add a function to CHECKS.

``--host`` and ``--forwarded-proto`` let it talk plain HTTP to a server that
sits behind a TLS proxy in production (the template's tests do this).
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import http.cookies
import json
import os
import re
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

TIMEOUT = 15.0


class SmokeFailure(Exception):
    """A check failed; the message says which and why."""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Session:
    """A minimal browser: one origin, cookies kept by hand (Secure cookies included)."""

    base_url: str
    host: str | None = None
    forwarded_proto: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        url = urllib.parse.urlsplit(self.base_url)
        connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(url.hostname or "", url.port, timeout=TIMEOUT)
        headers = {"User-Agent": "smoke-test", "Accept": "text/html,application/json"}
        if self.host:
            headers["Host"] = self.host
        if self.forwarded_proto:
            headers["X-Forwarded-Proto"] = self.forwarded_proto
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = headers["Origin"] = self.origin
            headers["Referer"] += path
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except OSError as error:
            raise SmokeFailure(f"{method} {path}: {error}") from error
        finally:
            connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)

    @property
    def origin(self) -> str:
        url = urllib.parse.urlsplit(self.base_url)
        return f"{self.forwarded_proto or url.scheme}://{self.host or url.netloc}"


class _FormInputs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            named = dict(attrs)
            if named.get("name"):
                self.values[named["name"] or ""] = named.get("value") or ""


def expect(response: Response, status: int, what: str) -> None:
    if response.status != status:
        location = response.headers.get("Location")
        detail = f" (to {location})" if location else f": {response.body[:200]!r}"
        raise SmokeFailure(f"{what}: expected HTTP {status}, got {response.status}{detail}")


def check_ready(session: Session) -> str:
    response = session.request("GET", "/readyz")
    expect(response, 200, "/readyz")
    # 200 also while the cache or broker is down (the site keeps working); a deploy wants all of them.
    if json.loads(response.body).get("status") != "ok":
        raise SmokeFailure(f"/readyz: a service is unreachable: {response.body[:300]}")
    return "services reachable"


def check_home_page(session: Session) -> str:
    response = session.request("GET", "/")
    expect(response, 200, "home page")
    if "</html>" not in response.body:
        raise SmokeFailure("home page: the response is not a whole HTML page")
    return f"request id {response.headers.get('X-Request-ID', '?')}"


def check_sign_in(session: Session) -> str:
    email, password = os.environ.get("SMOKE_EMAIL", ""), os.environ.get("SMOKE_PASSWORD", "")
    if not email or not password:
        raise SmokeFailure("sign-in: set SMOKE_EMAIL and SMOKE_PASSWORD (manage.py ensure_smoke_user creates the user)")
    form = session.request("GET", "/accounts/login/")
    expect(form, 200, "login form")
    inputs = _FormInputs()
    inputs.feed(form.body)
    token = inputs.values.get("csrfmiddlewaretoken")
    if not token:
        raise SmokeFailure("login form: no CSRF token in the page")
    signed_in = session.request(
        "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": password}
    )
    expect(signed_in, 302, "sign-in (wrong SMOKE_PASSWORD, or the user is not verified?)")
    page = session.request("GET", "/accounts/email/")
    expect(page, 200, "a page that needs login")
    if email.lower() not in page.body.lower():
        raise SmokeFailure("a page that needs login: it does not show the signed-in user")
    return f"signed in as {email}"


# /api/'s 404 points to the newest version's docs (api.views.not_found): the server says which versions it has.
NEWEST_DOCS = re.compile(r"/api/([\w.-]+)/docs/")
ORGANIZATION_LINK = re.compile(r'href="/orgs/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/"')


def check_api(session: Session) -> str:
    """After check_sign_in: an authenticated, permission-checked, versioned API call."""
    page = session.request("GET", "/orgs/")
    expect(page, 200, "the organizations page")
    found = ORGANIZATION_LINK.search(page.body)
    if not found:
        raise SmokeFailure("the smoke-test user belongs to no organization (run manage.py ensure_smoke_user)")
    version = newest_api_version(session)
    # A platform endpoint (webhooks), so the check holds whatever resources the product has.
    listing = session.request("GET", f"/api/{version}/organizations/{found.group(1)}/webhooks/")
    expect(listing, 200, "API webhook endpoint list")
    try:
        results = json.loads(listing.body)["results"]
    except (ValueError, KeyError, TypeError):
        raise SmokeFailure(f"API webhook endpoint list: not the documented JSON: {listing.body[:200]!r}") from None
    return f"{len(results)} webhook endpoint(s) listed through /api/{version}/"


def newest_api_version(session: Session) -> str:
    """The API's newest version, as the 404 of /api/ names it."""
    answer = session.request("GET", "/api/")
    found = NEWEST_DOCS.search(answer.body)
    if answer.status != 404 or not found:
        raise SmokeFailure(f"/api/ does not name the API's newest version: {answer.status} {answer.body[:200]!r}")
    return found.group(1)


# Add a check here for each surface worth a smoke test.
CHECKS: list[tuple[str, Callable[[Session], str]]] = [
    ("ready", check_ready),
    ("home page", check_home_page),
    ("sign in", check_sign_in),
    ("API", check_api),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where the deployment answers, e.g. https://staging.example.com")
    parser.add_argument("--host", help="Host header to send (when base_url is an address, not the site's name)")
    parser.add_argument("--forwarded-proto", choices=("https",), help="send X-Forwarded-Proto, as a TLS proxy does")
    parser.add_argument("--retries", type=int, default=0, help="retry /readyz this many times, 5 s apart")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.base_url).scheme not in ("http", "https"):
        parser.error(f"base_url must start with http:// or https://, got {args.base_url!r}")

    session = Session(args.base_url.rstrip("/"), host=args.host, forwarded_proto=args.forwarded_proto)
    for name, check in CHECKS:
        tries = args.retries + 1 if check is check_ready else 1
        for attempt in range(1, tries + 1):
            try:
                detail = check(session)
                break
            except SmokeFailure as failure:
                if attempt == tries:
                    print(f"smoke: FAIL {name}: {failure}", file=sys.stderr)
                    return 1
                time.sleep(5)
        print(f"smoke: ok   {name}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
