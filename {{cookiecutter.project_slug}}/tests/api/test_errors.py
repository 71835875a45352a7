"""Every failure under /api/ has the one error shape: never an HTML page, never a stack trace."""

import pytest
from django.test import Client, override_settings

from {{ cookiecutter.project_slug }}.projects import selectors

from tests.api.conftest import projects_url
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def test_validation(api, organization):
    error = assert_error(api.post(projects_url(organization), {"name": ""}), 400, "invalid")
    assert error["fields"] == [{"field": "name", "code": "blank", "message": "This field may not be blank."}]


def test_malformed_json_and_wrong_body_type(api, organization):
    assert_error(api.post(projects_url(organization), "{not json"), 400, "parse_error")
    assert_error(api.post(projects_url(organization), "[1, 2]"), 400, "invalid")


def test_unsupported_media_type_and_not_acceptable(api, organization):
    url = f"/api/v2/{projects_url(organization)}"
    form = api.client.post(url, {"name": "x"}, headers=api.headers)  # a form, not JSON
    assert_error(form, 415, "unsupported_media_type")
    html = api.client.get(url, headers={**api.headers, "Accept": "text/html"})
    assert_error(html, 406, "not_acceptable")


def test_unknown_paths_and_versions(api):
    for path in ["/api/v2/nothing/", "/api/v3/organizations/", "/api/", "/api/v1"]:
        assert_error(api.client.get(path), 404, "not_found")


def test_unknown_objects(api, organization):
    assert_error(api.get(f"{projects_url(organization)}01900000-0000-7000-8000-000000000000/"), 404, "not_found")
    assert_error(api.get("organizations/not-a-uuid/projects/"), 404, "not_found")


def test_method_not_allowed(api, organization):
    assert_error(api.send("PUT", projects_url(organization), {}), 405, "method_not_allowed")


def test_throttled_with_retry_after(api, organization, settings, monkeypatch):
    from {{ cookiecutter.project_slug }}.api import throttling

    monkeypatch.setattr(throttling, "clock", lambda: 1_800_000_030.0)  # mid-window: no new minute starts
    settings.API_RATE_LIMIT_KEY = 2
    api.get(projects_url(organization))
    api.get(projects_url(organization))

    response = api.get(projects_url(organization))

    error = assert_error(response, 429, "throttled")
    assert error["retry_after"] == 30
    assert response["Retry-After"] == str(error["retry_after"])


def test_an_unexpected_error_is_a_logged_500_without_a_trace(api, organization, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "projects_of", broken)

    error = assert_error(api.get(projects_url(organization)), 500, "server_error")

    assert "secret internals" not in error["message"]
    assert "secret internals" in caplog.text  # logged, with the traceback, for us


@override_settings(ALLOWED_HOSTS=["example.com"])
def test_errors_before_any_view_are_json_too():
    assert_error(Client().get("/api/v2/nothing/"), 400, "bad_request")


def test_domain_errors_keep_their_status(api, organization):
    project = ProjectFactory(organization=organization, starts_on="2025-01-02")

    error = assert_error(api.patch(projects_url(organization, project), {"ends_on": "2025-01-01"}), 400, "invalid")
    assert "end before" in error["message"]
