"""Sign-up and password-reset requests do the same work whether or not the address has an account.

Timing is not measured (it would flake); the work that decides it is: the SQL the
request runs and how many times it calls the password hasher, on every entry point.
"""

import json
import re
from contextlib import ExitStack
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sites.models import Site
from django.core import mail
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.accounts.models import User

from tests.conftest import code_in
from tests.factories import PASSWORD, VerifiedUserFactory
from tests.replicas import catch_up

# The jobs read from the worker's own connection: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

KNOWN = "known@example.com"
NEW = "new@example.com"


class CountingHasher(MD5PasswordHasher):
    """The test suite's fast hasher, counting how often it hashes or verifies."""

    calls: ClassVar[int] = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.calls += 1
        return super().verify(password, encoded)


@pytest.fixture(autouse=True)
def _counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]


def shape(sql: str) -> str:
    """A statement without its literal values."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


class Entry:
    """One way in: the pages, or a headless client."""

    def __init__(self, name: str, path: str, *, headless: bool) -> None:
        self.name, self.path, self.headless = name, path, headless

    def post(self, client: Client, data: dict[str, str], path: str | None = None, **headers: str) -> Any:
        if self.headless:
            return client.post(path or self.path, json.dumps(data), content_type="application/json", headers=headers)
        return client.post(path or self.path, data)

    def comparable(self, response: Any) -> Any:
        """What a client sees, minus what differs per session (an app's new session token)."""
        if not self.headless:
            return response.status_code, response.get("Location"), response.content
        body = response.json()
        body.get("meta", {}).pop("session_token", None)
        return response.status_code, body


SIGNUP = [
    Entry("page", "/accounts/signup/", headless=False),
    Entry("browser", "/_allauth/browser/v1/auth/signup", headless=True),
    Entry("app", "/_allauth/app/v1/auth/signup", headless=True),
]
RESET = [
    Entry("page", "/accounts/password/reset/", headless=False),
    Entry("browser", "/_allauth/browser/v1/auth/password/request", headless=True),
    Entry("app", "/_allauth/app/v1/auth/password/request", headless=True),
]


def signup_data(entry: Entry, email: str) -> dict[str, str]:
    if entry.headless:
        return {"email": email, "password": PASSWORD}
    return {"email": email, "password1": PASSWORD, "password2": PASSWORD}


def measured(entry: Entry, data: dict[str, str]) -> tuple[Any, list[str], int]:
    """The response, the shapes of every statement on every database, and the hasher calls."""
    client = Client()
    Site.objects.clear_cache()  # each request looks the site up, as the first one in a process does
    CountingHasher.calls = 0
    with ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        response = entry.post(client, data)
    # Listed per connection, then sorted: whether a read goes to the replica or the primary depends on how far the
    # replica has replayed (timing), never on the address, so only which statements ran, and how often, is compared.
    statements = sorted(shape(query["sql"]) for capture in captured for query in capture.captured_queries)
    return response, statements, CountingHasher.calls


@pytest.mark.parametrize("entry", SIGNUP, ids=lambda entry: entry.name)
def test_signup_does_the_same_work_whether_or_not_the_address_has_an_account(entry, jobs):
    VerifiedUserFactory(email=KNOWN)
    catch_up()  # written outside any request: the signup may look the address up on a replica

    known, known_sql, known_hashes = measured(entry, signup_data(entry, KNOWN))
    new, new_sql, new_hashes = measured(entry, signup_data(entry, NEW))

    assert entry.comparable(known) == entry.comparable(new)
    assert known_sql == new_sql, "the same statements, as many times each"
    assert known_hashes == new_hashes == 1, "the password is hashed once, for every address"
    assert not User.objects.filter(email=NEW).exists(), "no account before the address is confirmed"
    assert mail.outbox == []

    jobs.run()

    [to_known] = [m for m in mail.outbox if m.to == [KNOWN]]
    [to_new] = [m for m in mail.outbox if m.to == [NEW]]
    assert "already exists" in to_known.body
    assert code_in(to_new)


@pytest.mark.parametrize("entry", RESET, ids=lambda entry: entry.name)
def test_reset_request_does_the_same_work_whether_or_not_the_address_has_an_account(entry, jobs):
    VerifiedUserFactory(email=KNOWN)
    catch_up()  # as above

    known, known_sql, known_hashes = measured(entry, {"email": KNOWN})
    unknown, unknown_sql, unknown_hashes = measured(entry, {"email": NEW})

    assert entry.comparable(known) == entry.comparable(unknown)
    assert known_sql == unknown_sql
    assert known_hashes == unknown_hashes == 0
    assert jobs.pending() == 2, "both go through the project's queued reset (accounts.tasks.send_password_reset)"

    jobs.run()

    assert {tuple(m.to) for m in mail.outbox} == {(KNOWN,), (NEW,)}


def verify_path(entry: Entry) -> str:
    return entry.path.replace("signup", "email/verify") if entry.headless else "/accounts/confirm-email/"


def start_signup(entry: Entry, email: str) -> tuple[Client, dict[str, str]]:
    client = Client()
    response = entry.post(client, signup_data(entry, email))
    token = response.json()["meta"].get("session_token") if entry.headless else None
    return client, ({"X-Session-Token": token} if token else {})


def confirm(entry: Entry, client: Client, code: str, headers: dict[str, str]) -> Any:
    data = {"key": code} if entry.headless else {"code": code}
    response = entry.post(client, data, verify_path(entry), **headers)
    if headers and response.status_code == 200:
        headers["X-Session-Token"] = response.json()["meta"]["session_token"]  # signing in makes a new one
    return response


def signed_in(entry: Entry, client: Client, headers: dict[str, str]) -> bool:
    if not entry.headless:
        return bool(client.get("/").context["user"].is_authenticated)
    session = client.get(entry.path.replace("signup", "session"), headers=headers)
    return bool(session.json()["meta"]["is_authenticated"])


@pytest.mark.parametrize("entry", SIGNUP, ids=lambda entry: entry.name)
def test_the_emailed_code_creates_the_verified_account_and_signs_in(entry, jobs):
    client, headers = start_signup(entry, NEW)
    jobs.run()

    response = confirm(entry, client, code_in(mail.outbox[-1]), headers)

    assert response.status_code in (200, 302), response.content
    user = User.objects.get(email=NEW)
    assert user.check_password(PASSWORD)
    assert user.emailaddress_set.get().verified
    assert signed_in(entry, client, headers)


@pytest.mark.parametrize("entry", SIGNUP, ids=lambda entry: entry.name)
def test_a_signup_for_an_existing_address_creates_nothing_and_no_code_works(entry, jobs):
    owner = VerifiedUserFactory(email=KNOWN)
    catch_up()  # as above
    client, headers = start_signup(entry, KNOWN)
    jobs.run()
    assert "already exists" in mail.outbox[-1].body

    response = confirm(entry, client, "ABCD-EFGH", headers)

    assert response.status_code in (200, 400)
    assert list(User.objects.filter(email__iexact=KNOWN)) == [owner]
    assert not signed_in(entry, client, headers)


@pytest.mark.parametrize("entry", SIGNUP, ids=lambda entry: entry.name)
def test_a_resent_code_is_mailed_and_works(entry, jobs, settings):
    # Off by default; a project that offers "send a new code" must get it for sign-ups too.
    settings.ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": None}  # minutes later
    client, headers = start_signup(entry, NEW)
    jobs.run()
    first = code_in(mail.outbox[-1])

    if entry.headless:
        entry.post(client, {}, verify_path(entry) + "/resend", **headers)
    else:
        client.post("/accounts/confirm-email/", {"action": "resend"})
    jobs.run()
    second = code_in(mail.outbox[-1])

    assert len(mail.outbox) == 2
    assert second != first
    response = confirm(entry, client, second, headers)
    assert response.status_code in (200, 302)
    assert signed_in(entry, client, headers)
