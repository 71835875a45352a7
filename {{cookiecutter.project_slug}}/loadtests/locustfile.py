"""The load profile: what the members of a busy organization do to the site, for Locust.

    uv run --isolated --only-group loadtest locust -f loadtests/locustfile.py --host https://staging.example.com

Each simulated user signs in through the login form when it starts (``sign in``),
as a person whose session then lasts, and keeps working with a think time between
steps (``--think-time``, default 1 to 5 seconds). The mix, by weight out of 30:

==========  ===========================================================  ===============================
weight      what                                                         requests (names in the report)
==========  ===========================================================  ===============================
10          open a page: home, organization, members, webhooks           ``page: ...``
9           list projects through the API with the organization's key   ``API v2: list projects (key)``
4           list projects through the API with the browser session      ``API v1: list projects (session)``
3           create a project through the API (with an Idempotency-Key)  ``API v2: create a project (key)``
2           delete a project through the API                            ``API v2: delete a project (key)``
2           send a test event to the webhook endpoint, see its log      ``webhook: send a test event``
==========  ===========================================================  ===============================

A request fails when it does not get what a person would see: a page that
redirects to the login form, an API answer without its documented fields, a
sign-in that does not sign in. A user whose sign-in is refused by the rate limit
(30 a minute from one address) waits a minute and tries again, twice; a user that
cannot sign in stops, so the report shows the cause once rather than every page it
could not open. The users, the organization, the API key and the webhook endpoint
come from ``manage.py loadtest_setup`` as LOADTEST_* variables (or the options
below); loadtests/README.md explains how to run it against staging and how to read
the result.
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from locust import FastHttpUser, events, task
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment
from locust.exception import StopUser

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
THINK_TIME = re.compile(r"^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")


def json_of(response: Any) -> dict[str, Any]:
    """The JSON object of a response; empty if it is not one (an HTML error page, say)."""
    try:
        data = json.loads(response.content or b"")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Profile:
    """What the simulated users work with, read once from the options."""

    organization: str
    emails: tuple[str, ...]
    password: str
    api_key: str
    webhook: str
    think_time: tuple[float, float]
    host_header: str
    forwarded_proto: str


PROFILE: Profile | None = None
_ACCOUNTS: Iterator[str] = iter(())
# Projects this process created and has not deleted yet: the delete task takes from here.
CREATED: list[str] = []


@events.init_command_line_parser.add_listener
def add_options(parser: LocustArgumentParser) -> None:
    # On the parser itself, not a group: only its add_argument knows is_secret (masked in the web UI).
    parser.add_argument("--organization", env_var="LOADTEST_ORGANIZATION", default="", help="organization id")
    parser.add_argument("--emails", env_var="LOADTEST_EMAILS", default="", help="comma-separated accounts")
    parser.add_argument("--password", env_var="LOADTEST_PASSWORD", default="", is_secret=True)
    parser.add_argument("--api-key", env_var="LOADTEST_API_KEY", default="", is_secret=True)
    parser.add_argument("--webhook", env_var="LOADTEST_WEBHOOK", default="", help="webhook endpoint id")
    parser.add_argument(
        "--think-time", env_var="LOADTEST_THINK_TIME", default="1-5", help="seconds between a user's steps, MIN-MAX"
    )
    parser.add_argument(
        "--host-header",
        env_var="LOADTEST_HOST_HEADER",
        default="",
        help="Host header to send when --host is an address rather than the site's name",
    )
    parser.add_argument(
        "--forwarded-proto",
        env_var="LOADTEST_FORWARDED_PROTO",
        choices=["", "https"],
        default="",
        help="send X-Forwarded-Proto: https, as the TLS proxy in front of the site does (a server reached directly)",
    )


def read_profile(options: Any) -> Profile:
    """The options as a Profile; SystemExit with one line naming what is missing or wrong."""
    problems = []
    for name in ("organization", "webhook"):
        try:
            uuid.UUID(getattr(options, name))
        except ValueError:
            problems.append(f"--{name} (LOADTEST_{name.upper()}) must be an id printed by loadtest_setup")
    emails = tuple(email.strip() for email in options.emails.split(",") if email.strip())
    if not emails or not all("@" in email for email in emails):
        problems.append("--emails (LOADTEST_EMAILS) must list the accounts loadtest_setup printed")
    for name, variable in (("password", "LOADTEST_PASSWORD"), ("api_key", "LOADTEST_API_KEY")):
        if not getattr(options, name):
            problems.append(f"--{name.replace('_', '-')} ({variable}) is not set")
    think = THINK_TIME.match(options.think_time.strip())
    if not think or float(think.group(1)) > float(think.group(2)):
        problems.append(f"--think-time must read MIN-MAX in seconds, e.g. 1-5, got {options.think_time!r}")
    if problems:
        raise SystemExit("loadtests: " + "; ".join(problems) + " (run manage.py loadtest_setup: loadtests/README.md)")
    assert think is not None
    return Profile(
        organization=options.organization,
        emails=emails,
        password=options.password,
        api_key=options.api_key,
        webhook=options.webhook,
        think_time=(float(think.group(1)), float(think.group(2))),
        host_header=options.host_header,
        forwarded_proto=options.forwarded_proto,
    )


@events.init.add_listener
def load_profile(environment: Environment, **kwargs: Any) -> None:
    global PROFILE, _ACCOUNTS
    PROFILE = read_profile(environment.parsed_options)
    _ACCOUNTS = itertools.cycle(PROFILE.emails)


class SecureCookiesOverPlainHttp(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies over plain HTTP, to a server reached behind its TLS proxy's back (--forwarded-proto)."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


class OrganizationMember(FastHttpUser):
    """A member (an admin) of the load-test organization, in the browser and through the API.

    FastHttpUser (geventhttpclient) needs considerably less CPU per request than
    HttpUser, so one machine simulates more users.
    """

    def __init__(self, environment: Environment) -> None:
        assert PROFILE is not None, "the init listener reads the profile"
        self.profile = PROFILE
        self.default_headers = {"User-Agent": "loadtests"}
        if PROFILE.host_header:
            self.default_headers["Host"] = PROFILE.host_header
        if PROFILE.forwarded_proto:
            self.default_headers["X-Forwarded-Proto"] = PROFILE.forwarded_proto
        super().__init__(environment)
        if PROFILE.forwarded_proto:
            self.client.cookiejar.set_policy(SecureCookiesOverPlainHttp())

    def on_start(self) -> None:
        self.email = next(_ACCOUNTS)
        self.org = f"/orgs/{self.profile.organization}"
        self.api_path = f"/organizations/{self.profile.organization}/projects/"
        for attempt in range(3):
            if attempt:
                time.sleep(60)  # the limit counts sign-ins per minute; gevent makes this sleep cooperative
            status = self.sign_in()
            if status != 429:
                break
        if status != 302:
            raise StopUser()

    def wait_time(self) -> float:
        return random.uniform(*self.profile.think_time)  # noqa: S311 - think time, not a secret

    # --- Helpers --------------------------------------------------------------

    @property
    def origin(self) -> str:
        """The site's own origin, which Django's CSRF check wants in Origin and Referer of a form post."""
        scheme, _, netloc = (self.host or "").partition("://")
        return f"{self.profile.forwarded_proto or scheme}://{self.profile.host_header or netloc.rstrip('/')}"

    def post_form(self, path: str, name: str, *, page: str, **fields: str) -> Any:
        """POST a form of ``page`` as a browser does: its CSRF token, Origin and Referer; no redirect followed."""
        token = next((cookie.value or "" for cookie in self.client.cookiejar if cookie.name == "csrftoken"), "")
        return self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **fields},
            headers={"Origin": self.origin, "Referer": self.origin + page},
            name=name,
            allow_redirects=False,
            catch_response=True,
        )

    def problem(self, response: Any) -> str:
        """HTTP status and, for the API's errors, their code (never the request id: the report groups by text)."""
        code = json_of(response).get("error", {}).get("code")
        return f"HTTP {response.status_code}" + (f" {code}" if code else "")

    def api(self, method: str, path: str, name: str, *, status: int, field: str, **kwargs: Any) -> dict[str, Any]:
        """Call the API; its JSON object, or {} and a failure unless it answers ``status`` with ``field``."""
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            data = json_of(response)
            if response.status_code != status or (field and field not in data):
                response.failure(self.problem(response))
                return {}
        return data

    def with_key(self, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.profile.api_key}", **headers}

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302:
                response.failure(f"redirected to {response.headers.get('Location')} (signed out?)")
            elif response.status_code != 200 or b"</html>" not in (response.content or b""):
                response.failure(f"HTTP {response.status_code}, not the page")

    def sign_in(self) -> int:
        """Sign in with the login form: 302 when signed in, 429 when rate limited, 0 for anything else."""
        with self.client.get("/accounts/login/", name="sign in: form", catch_response=True) as form:
            if form.status_code != 200 or not CSRF_INPUT.search(form.text or ""):
                form.failure(f"HTTP {form.status_code}, no login form with a CSRF token")
                return 0
        login = "/accounts/login/"
        with self.post_form(login, "sign in", page=login, login=self.email, password=self.profile.password) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 429:
                response.failure("rate limited: at most 30 sign-ins a minute from one address (ACCOUNT_RATE_LIMITS)")
            elif response.status_code != 302 or location.startswith("/accounts/"):
                response.failure(f"not signed in (HTTP {response.status_code}, to {location or 'nowhere'})")
                return 0
            return int(response.status_code)

    def create_project(self, *, keep: bool = True) -> str | None:
        body = {"name": f"Load {uuid.uuid4().hex[:8]}", "description": "Made by the load profile."}
        headers = self.with_key(**{"Idempotency-Key": str(uuid.uuid4())})
        name = "API v2: create a project (key)"
        project = self.api("POST", f"/api/v2{self.api_path}", name, status=201, field="id", json=body, headers=headers)
        if project and keep:
            CREATED.append(project["id"])
        return project.get("id")

    # --- Tasks ----------------------------------------------------------------

    @task(2)
    def home(self) -> None:
        self.page("/", "page: home")

    @task(4)
    def organization(self) -> None:
        self.page(f"{self.org}/", "page: organization")

    @task(2)
    def members(self) -> None:
        self.page(f"{self.org}/members/", "page: members")

    @task(2)
    def webhooks(self) -> None:
        self.page(f"{self.org}/webhooks/", "page: webhooks")

    @task(9)
    def list_projects_with_the_key(self) -> None:
        name = "API v2: list projects (key)"
        self.api(
            "GET", f"/api/v2{self.api_path}?limit=20", name, status=200, field="next_cursor", headers=self.with_key()
        )

    @task(4)
    def list_projects_with_the_session(self) -> None:
        self.api("GET", f"/api/v1{self.api_path}", "API v1: list projects (session)", status=200, field="results")

    @task(3)
    def create(self) -> None:
        self.create_project()

    @task(2)
    def delete(self) -> None:
        project_id = CREATED.pop(0) if CREATED else self.create_project(keep=False)
        if project_id:
            path, name = f"/api/v2{self.api_path}{project_id}/", "API v2: delete a project (key)"
            self.api("DELETE", path, name, status=204, field="", headers=self.with_key())

    @task(2)
    def send_a_test_event(self) -> None:
        endpoint = f"{self.org}/webhooks/{self.profile.webhook}/"
        with self.post_form(
            f"{endpoint}action/", "webhook: send a test event", page=endpoint, action="ping"
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != endpoint:
                response.failure(f"HTTP {response.status_code}, to {response.headers.get('Location')}")
                return
        self.page(endpoint, "page: webhook endpoint")
