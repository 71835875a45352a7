"""Three ways in (API key, app session token, session cookie with CSRF) and what each is refused."""

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations import keys
from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Role

from tests.api.conftest import Api, widgets_url
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_a_bearer_challenge(organization):
    response = Api().get(widgets_url(organization))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-key", "Bearer a b", "Bearer {{ cookiecutter.project_slug }}_" + "A" * 60])
def test_malformed_keys_are_refused_without_a_query(organization, header, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Api(Authorization=header).get(widgets_url(organization))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_well_formed_key_with_a_wrong_secret_is_refused(owner, make_key):
    token = make_key(owner)
    public_id, secret = keys.parse_token(token)
    forged = keys.make_token(public_id, secret[::-1])

    response = Api(Authorization=f"Bearer {forged}").get(widgets_url(owner.organization))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Unknown API key."


def test_a_revoked_key_is_refused_on_the_very_next_request(owner, make_key, commit):
    api = Api(Authorization=f"Bearer {make_key(owner)}")
    assert api.get(widgets_url(owner.organization)).status_code == 200  # warm: cached in this process and Redis

    with commit():
        keys.api_key_revoke(key=ApiKey.objects.get(), actor=owner.user)

    response = api.get(widgets_url(owner.organization))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key was revoked."


def test_a_scope_change_applies_on_the_very_next_request(owner, make_key, commit):
    api = Api(Authorization=f"Bearer {make_key(owner, scopes=['widgets.view', 'widgets.edit'])}")
    assert api.post(widgets_url(owner.organization), {"name": "a"}).status_code == 201

    with commit():
        keys.api_key_change_scopes(key=ApiKey.objects.get(), actor=owner.user, scopes=["widgets.view"])

    assert api.post(widgets_url(owner.organization), {"name": "b"}).status_code == 403
    assert api.get(widgets_url(owner.organization)).status_code == 200


def test_an_expired_key_is_refused(owner, make_key):
    api = Api(Authorization=f"Bearer {make_key(owner, expires_in_days=1)}")
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    keys._records.clear()  # a new process: what it keeps was read before the (simulated) passage of time

    response = api.get(widgets_url(owner.organization))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key has expired."


def test_a_key_keeps_working_after_its_maker_leaves(organization, make_key, commit):
    from {{ cookiecutter.project_slug }}.organizations import services

    admin = MembershipFactory(organization=organization, role=Role.ADMIN)
    api = Api(Authorization=f"Bearer {make_key(admin)}")
    owner = organization.memberships.get(role=Role.OWNER)
    with commit():
        services.membership_remove(membership=admin, actor=owner.user)

    assert api.get(widgets_url(organization)).status_code == 200


def test_the_app_session_token_of_the_headless_api_works(owner):
    login = Client().post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": owner.user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    token = login.json()["meta"]["session_token"]

    assert Api(**{"X-Session-Token": token}).get(widgets_url(owner.organization)).status_code == 200
    refused = Api(**{"X-Session-Token": "forged"}).get(widgets_url(owner.organization))
    assert refused.status_code == 401


def test_the_session_cookie_needs_the_csrf_token_to_write(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(owner.organization)}"
    assert client.get(url).status_code == 200

    refused = client.post(url, {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]

    client.get("/orgs/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, {"name": "x"}, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def made_up_key() -> str:
    """A token with a valid checksum and no key behind it: free to make for anyone who read docs/api.md."""
    return keys.make_token(uuid.uuid4(), "x" * 32)


@pytest.fixture
def mid_window(monkeypatch):
    from {{ cookiecutter.project_slug }}.api import throttling

    monkeypatch.setattr(throttling, "clock", lambda: 1_800_000_030.0)  # 30 s into a minute: no new window starts


def test_an_unknown_key_costs_one_query_then_none(organization, django_assert_num_queries):
    api = Api(Authorization=f"Bearer {made_up_key()}")
    with django_assert_num_queries(1):
        first = api.get(widgets_url(organization))
    with django_assert_num_queries(0):
        again = api.get(widgets_url(organization))

    assert first.status_code == again.status_code == 401
    assert again.json()["error"]["message"] == "Unknown API key."


def test_failed_key_attempts_are_limited_per_client_address(
    owner, make_key, settings, mid_window, django_assert_num_queries
):
    settings.API_KEY_FAILURE_LIMIT = 3
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(owner.organization)}"
    guesser = Client(REMOTE_ADDR="198.51.100.7")

    def guess(token: str) -> Any:
        return guesser.get(url, headers={"Authorization": f"Bearer {token}"})

    assert [guess(made_up_key()).status_code for _ in range(3)] == [401, 401, 401]
    with django_assert_num_queries(0):  # over the limit, a new made-up key is not looked up
        refused = [guess(made_up_key()), guess("not-a-key"), guess(made_up_key())]

    for response in refused:
        assert response.status_code == 429, response.content
        error = response.json()["error"]
        assert error["code"] == "throttled"
        assert error["retry_after"] == 30
        assert response["Retry-After"] == "30"
    token = make_key(owner)
    assert guess(token).status_code == 429  # a real key this process never checked is not looked up either
    assert Client(REMOTE_ADDR="198.51.100.8").get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.8").get(url, headers={"Authorization": "Bearer x"}).status_code == 401


@pytest.mark.services
def test_failed_attempts_are_counted_across_processes(organization, settings, mid_window):
    """The count is in Redis: a process that never saw the guesses refuses the next one (KeyFailures.check)."""
    settings.API_KEY_FAILURE_LIMIT = 2
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(organization)}"
    for _ in range(2):
        Client(REMOTE_ADDR="198.51.100.7").get(url, headers={"Authorization": f"Bearer {made_up_key()}"})
    keys._unknown.clear()  # what another process would not know

    response = Client(REMOTE_ADDR="198.51.100.7").get(url, headers={"Authorization": f"Bearer {made_up_key()}"})

    assert response.status_code == 429


def test_behind_a_proxy_the_client_address_is_limited_not_the_proxy(organization, settings, mid_window):
    settings.API_KEY_FAILURE_LIMIT = 2
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(organization)}"
    proxy = Client(REMOTE_ADDR="10.0.0.5")

    def guess(client_address: str) -> int:
        headers = {"Authorization": f"Bearer {made_up_key()}", "X-Forwarded-For": f"1.2.3.4, {client_address}"}
        return int(proxy.get(url, headers=headers).status_code)

    assert [guess("198.51.100.7") for _ in range(3)] == [401, 401, 429]
    assert guess("198.51.100.8") == 401  # another client behind the same proxy
