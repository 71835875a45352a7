"""The headless API lets a SPA (browser client) and a mobile app (app client) sign in without server changes."""

import json

import pytest
from django.test import Client

from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def post_json(client, path, data, **headers):
    return client.post(path, json.dumps(data), content_type="application/json", headers=headers)


def test_an_app_signs_in_and_uses_its_session_token():
    user = VerifiedUserFactory()
    app = Client()

    response = post_json(app, "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    session = Client().get("/_allauth/app/v1/auth/session", headers={"X-Session-Token": token})
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == user.email
    assert session.json()["data"]["user"]["id"] == str(user.public_id), "the public id, never the row id"


def test_an_app_with_a_bad_token_is_not_signed_in():
    response = Client().get("/_allauth/app/v1/auth/session", headers={"X-Session-Token": "forged"})

    assert response.status_code in (401, 410)
    assert response.json()["status"] in (401, 410)


def test_a_wrong_password_gets_a_json_error_not_a_page():
    user = VerifiedUserFactory()

    response = post_json(Client(), "/_allauth/app/v1/auth/login", {"email": user.email, "password": "nope"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "email_password_mismatch"


def test_the_browser_client_needs_the_csrf_token():
    user = VerifiedUserFactory()
    spa = Client(enforce_csrf_checks=True)

    refused = post_json(spa, "/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD})
    assert refused.status_code == 403

    spa.get("/_allauth/browser/v1/config")
    token = spa.cookies["csrftoken"].value
    accepted = post_json(
        spa, "/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD}, **{"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    assert accepted.json()["data"]["user"]["email"] == user.email


def test_the_specification_of_the_headless_api_is_served():
    response = Client().get("/_allauth/openapi.json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_headless_api_shows_the_public_id_of_a_user_never_the_row_id():
    user = VerifiedUserFactory()
    spa = Client()

    response = post_json(spa, "/_allauth/browser/v1/auth/login", {"email": user.email, "password": PASSWORD})

    assert response.json()["data"]["user"]["id"] == str(user.public_id)
    schema = Client().get("/_allauth/openapi.json").json()["components"]["schemas"]["User"]["properties"]["id"]
    assert "integer" not in json.dumps(schema), "the published specification says so too"
