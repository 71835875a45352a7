"""Sessions: bounded, stored where every web process reads them, listed and revocable."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def signed_in_client(user, *, reauthenticate: bool = False) -> Client:
    client = Client(HTTP_USER_AGENT="pytest")
    sign_in(client, user, reauthenticate=reauthenticate)
    return client


def is_signed_in(client):
    return client.get("/").context["user"].is_authenticated


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
    assert expires <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_expired_session_is_refused_by_every_process():
    user = VerifiedUserFactory()
    client = signed_in_client(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Time passes: the database row expires, and the cached copy, stored for the
    # same lifetime, is gone too.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(f"django.contrib.sessions.cached_db{key}")

    assert not is_signed_in(client)


def test_sessions_live_in_the_database_so_any_web_process_can_read_them():
    user = VerifiedUserFactory()
    client = signed_in_client(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache.delete(f"django.contrib.sessions.cached_db{key}")  # another process, with a cold cache

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
