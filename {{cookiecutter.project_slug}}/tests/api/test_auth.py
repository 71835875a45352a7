"""Three ways in (API key, app session token, session cookie with CSRF) and what each is refused."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from {{ cookiecutter.project_slug }}.organizations import keys
from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Role

from tests.api.conftest import Api, projects_url
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_a_bearer_challenge(organization):
    response = Api().get(projects_url(organization))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-key", "Bearer a b", "Bearer {{ cookiecutter.project_slug }}_" + "A" * 60])
def test_malformed_keys_are_refused_without_a_query(organization, header, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Api(Authorization=header).get(projects_url(organization))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_well_formed_key_with_a_wrong_secret_is_refused(owner, make_key):
    token = make_key(owner)
    public_id, secret = keys.parse_token(token)
    forged = keys.make_token(public_id, secret[::-1])

    response = Api(Authorization=f"Bearer {forged}").get(projects_url(owner.organization))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Unknown API key."


def test_a_revoked_key_is_refused_on_the_very_next_request(owner, make_key, commit):
    api = Api(Authorization=f"Bearer {make_key(owner)}")
    assert api.get(projects_url(owner.organization)).status_code == 200  # warm: cached in this process and Redis

    with commit():
        keys.api_key_revoke(key=ApiKey.objects.get(), actor=owner.user)

    response = api.get(projects_url(owner.organization))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key was revoked."


def test_a_scope_change_applies_on_the_very_next_request(owner, make_key, commit):
    api = Api(Authorization=f"Bearer {make_key(owner, scopes=['projects.view', 'projects.edit'])}")
    assert api.post(projects_url(owner.organization), {"name": "a"}).status_code == 201

    with commit():
        keys.api_key_change_scopes(key=ApiKey.objects.get(), actor=owner.user, scopes=["projects.view"])

    assert api.post(projects_url(owner.organization), {"name": "b"}).status_code == 403
    assert api.get(projects_url(owner.organization)).status_code == 200


def test_an_expired_key_is_refused(owner, make_key):
    api = Api(Authorization=f"Bearer {make_key(owner, expires_in_days=1)}")
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    keys._records.clear()  # a new process: what it keeps was read before the (simulated) passage of time

    response = api.get(projects_url(owner.organization))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key has expired."


def test_a_key_keeps_working_after_its_maker_leaves(organization, make_key, commit):
    from {{ cookiecutter.project_slug }}.organizations import services

    admin = MembershipFactory(organization=organization, role=Role.ADMIN)
    api = Api(Authorization=f"Bearer {make_key(admin)}")
    owner = organization.memberships.get(role=Role.OWNER)
    with commit():
        services.membership_remove(membership=admin, actor=owner.user)

    assert api.get(projects_url(organization)).status_code == 200


def test_the_app_session_token_of_the_headless_api_works(owner):
    login = Client().post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": owner.user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    token = login.json()["meta"]["session_token"]

    assert Api(**{"X-Session-Token": token}).get(projects_url(owner.organization)).status_code == 200
    refused = Api(**{"X-Session-Token": "forged"}).get(projects_url(owner.organization))
    assert refused.status_code == 401


def test_the_session_cookie_needs_the_csrf_token_to_write(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    url = f"/api/v2/{projects_url(owner.organization)}"
    assert client.get(url).status_code == 200

    refused = client.post(url, {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]

    client.get("/orgs/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, {"name": "x"}, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
