"""A refused CSRF check answers in the shape its client reads: allauth's JSON, the API's JSON, or a page."""

import json

import pytest
from django.test import Client, RequestFactory

from {{ cookiecutter.project_slug }}.api.csrf import csrf_failure
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_the_headless_api_answers_a_csrf_refusal_in_allauths_json_shape():
    user = VerifiedUserFactory()
    body = json.dumps({"email": user.email, "password": PASSWORD})

    response = Client(enforce_csrf_checks=True).post(
        "/_allauth/browser/v1/auth/login", body, content_type="application/json"
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 403
    assert response.json()["errors"][0]["code"] == "csrf_failed"


def test_under_api_a_csrf_refusal_has_the_apis_error_shape():
    request = RequestFactory().post(f"/api/{VERSIONS.latest.name}/anything/")

    response = csrf_failure(request, reason="CSRF cookie not set.")

    assert response.status_code == 403
    error = json.loads(response.content)["error"]
    assert error["status"] == 403
    assert error["code"] == "permission_denied"


def test_a_page_refuses_a_forged_form_with_a_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@example.com", "password": "x"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
