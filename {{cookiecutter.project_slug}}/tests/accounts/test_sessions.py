"""Sessions: bounded, ended when idle, stored where every web process reads them, listed and revocable."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.core import sessions
from {{ cookiecutter.project_slug }}.core.sessions import SessionStore
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.conftest import sign_in
from tests.factories import PASSWORD, MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def signed_in_client(user, *, reauthenticate: bool = False) -> Client:
    client = Client(HTTP_USER_AGENT="pytest")
    sign_in(client, user, reauthenticate=reauthenticate)
    return client


def is_signed_in(client):
    return client.get("/").context["user"].is_authenticated


def drop_cached_copy(key: str) -> None:
    """What another web process, whose cache holds no copy, would see."""
    store = SessionStore(key)
    store._cache.delete_many([store.cache_key, store._checked_key])


def test_sessions_have_a_bounded_lifetime_and_a_protected_cookie():
    user = VerifiedUserFactory()
    remembered = Client()
    remembered.post("/accounts/login/", {"login": user.email, "password": PASSWORD, "remember": "on"})
    cookie = remembered.cookies[settings.SESSION_COOKIE_NAME]

    assert 0 < int(cookie["max-age"]) <= 14 * 24 * 3600
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_session_not_remembered_still_expires_on_the_server():
    client = signed_in_client(VerifiedUserFactory())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert not client.cookies[settings.SESSION_COOKIE_NAME]["max-age"], "the cookie ends with the browser"
    expires = Session.objects.get(session_key=key).expire_date
    assert expires <= timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)


def test_an_expired_session_is_refused_by_every_process():
    user = VerifiedUserFactory()
    client = signed_in_client(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Time passes: the database row expires, and the cached copy, stored for the
    # same lifetime, is gone too.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    drop_cached_copy(key)

    assert not is_signed_in(client)


def test_sessions_live_in_the_database_so_any_web_process_can_read_them():
    user = VerifiedUserFactory()
    client = signed_in_client(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    drop_cached_copy(key)  # another process, with a cold cache

    assert is_signed_in(client)
    assert Session.objects.filter(session_key=key).exists()


def test_changing_the_password_ends_every_other_session():
    user = VerifiedUserFactory()
    laptop, phone = signed_in_client(user, reauthenticate=True), signed_in_client(user)

    new = "another long passphrase 7"
    response = laptop.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})

    assert response.status_code == 302
    assert is_signed_in(laptop), "the session that changed the password stays"
    assert not is_signed_in(phone)


def test_the_sessions_page_lists_sessions_and_ends_the_others():
    user = VerifiedUserFactory()
    laptop, phone = signed_in_client(user), signed_in_client(user)

    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    assert page.content.decode().count("pytest") >= 2, "both sessions are listed with their browser"

    laptop.post("/accounts/sessions/", {})

    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


class Clock:
    """Moves the session engine's time forward (the rows and cached copies follow its clock)."""

    def __init__(self, monkeypatch) -> None:
        self.now = sessions.clock()
        monkeypatch.setattr(sessions, "clock", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings) -> Clock:
    settings.SESSION_IDLE_TIMEOUT = 3600
    settings.SESSION_COOKIE_AGE = 4 * 3600
    return Clock(monkeypatch)


def test_a_browser_session_left_idle_ends(clock):
    client = signed_in_client(VerifiedUserFactory())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    expires = Session.objects.get(session_key=key).expire_date.timestamp()
    assert expires == pytest.approx(clock.now + 3600, abs=5), "the row lasts the idle timeout, not 14 days"

    clock.advance(3599)
    assert is_signed_in(client), "used just in time"
    clock.advance(3599)
    assert is_signed_in(client), "each use starts the idle time again"

    clock.advance(3601)
    assert not is_signed_in(client)


def test_activity_is_recorded_without_rewriting_the_session(clock, django_assert_num_queries):
    client = signed_in_client(VerifiedUserFactory())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    data = Session.objects.get(session_key=key).session_data

    clock.advance(sessions.activity_interval() - 1)
    is_signed_in(client)
    assert Session.objects.get(session_key=key).expire_date.timestamp() == pytest.approx(
        clock.now - sessions.activity_interval() + 1 + 3600, abs=5
    ), "not recorded again within the interval"

    clock.advance(2)
    is_signed_in(client)
    row = Session.objects.get(session_key=key)
    assert row.expire_date.timestamp() == pytest.approx(clock.now + 3600, abs=5)
    assert row.session_data == data, "one column updated: a concurrent change to the data cannot be undone"


def test_an_active_session_still_ends_at_its_absolute_deadline(clock):
    client = signed_in_client(VerifiedUserFactory())

    for _ in range(7):  # used every half hour for three and a half hours
        clock.advance(1800)
        assert is_signed_in(client)
    clock.advance(1801)

    assert not is_signed_in(client), "four hours after signing in, however active"


def app_login(user) -> str:
    response = Client().post(
        "/_allauth/app/v1/auth/login", json.dumps({"email": user.email, "password": PASSWORD}), "application/json"
    )
    return str(response.json()["meta"]["session_token"])


def test_an_app_token_left_idle_ends_in_the_headless_api_and_in_the_api(clock):
    member = MembershipFactory(role=Role.OWNER)
    token = app_login(member.user)
    api_url = f"/api/{VERSIONS.latest.name}/organizations/{member.organization.public_id}/webhooks/"

    def api_status() -> int:
        return Client().get(api_url, headers={"X-Session-Token": token}).status_code

    def headless_status() -> int:
        return Client().get("/_allauth/app/v1/auth/session", headers={"X-Session-Token": token}).status_code

    clock.advance(3000)
    assert api_status() == 200
    clock.advance(3000)
    assert headless_status() == 200, "the API call counted as activity"
    clock.advance(3601)

    assert api_status() == 401
    assert headless_status() == 410
