"""Every failure under /api/ has the one error shape: never an HTML page, never a stack trace."""

import pytest
from django.test import Client, override_settings

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

from tests.api.conftest import widgets_url
from tests.testapp import apis

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
    error = assert_error(api.post(widgets_url(organization), {"name": ""}), 400, "invalid")
    assert error["fields"] == [{"field": "name", "code": "blank", "message": "This field may not be blank."}]


def test_malformed_json_and_wrong_body_type(api, organization):
    assert_error(api.post(widgets_url(organization), "{not json"), 400, "parse_error")
    assert_error(api.post(widgets_url(organization), "[1, 2]"), 400, "invalid")


def test_unsupported_media_type_and_not_acceptable(api, organization):
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(organization)}"
    form = api.client.post(url, {"name": "x"}, headers=api.headers)  # a form, not JSON
    assert_error(form, 415, "unsupported_media_type")
    html = api.client.get(url, headers={**api.headers, "Accept": "text/html"})
    assert_error(html, 406, "not_acceptable")


def test_unknown_paths_and_versions(api):
    latest = VERSIONS.latest.name
    for path in [f"/api/{latest}/nothing/", "/api/v0/organizations/", "/api/", f"/api/{latest}"]:
        assert_error(api.client.get(path), 404, "not_found")


def test_unknown_objects(api, organization):
    assert_error(api.get(f"{widgets_url(organization)}01900000-0000-7000-8000-000000000000/"), 404, "not_found")
    assert_error(api.get("organizations/not-a-uuid/widgets/"), 404, "not_found")


def test_method_not_allowed(api, organization):
    assert_error(api.send("PUT", widgets_url(organization), {}), 405, "method_not_allowed")


def test_throttled_with_retry_after(api, organization, settings, monkeypatch):
    from {{ cookiecutter.project_slug }}.api import throttling

    monkeypatch.setattr(throttling, "clock", lambda: 1_800_000_030.0)  # mid-window: no new minute starts
    settings.API_RATE_LIMIT_KEY = 2
    api.get(widgets_url(organization))
    api.get(widgets_url(organization))

    response = api.get(widgets_url(organization))

    error = assert_error(response, 429, "throttled")
    assert error["retry_after"] == 30
    assert response["Retry-After"] == str(error["retry_after"])


def test_an_unexpected_error_is_a_logged_500_without_a_trace(api, organization, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(apis, "widgets_of", broken)

    error = assert_error(api.get(widgets_url(organization)), 500, "server_error")

    assert "secret internals" not in error["message"]
    assert "secret internals" in caplog.text  # logged, with the traceback, for us


def test_a_charset_other_than_utf8_is_415(api, organization):
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(organization)}"
    body = '{"name": "x"}'.encode("utf-16")
    response = api.client.generic("POST", url, body, "application/json; charset=utf-16", headers=api.headers)

    assert_error(response, 415, "unsupported_media_type")


def test_a_deep_or_oversized_body_is_refused_before_any_view(api, organization):
    deep = assert_error(api.post(widgets_url(organization), "[" * 33 + "]" * 33), 400, "parse_error")
    huge = b'{"name": "' + b"x" * 3_000_000 + b'"}'
    big = assert_error(api.post(widgets_url(organization), huge), 400, "bad_request")

    assert "nested more than 32 levels" in deep["message"]
    assert "larger than the limit of 2,621,440 bytes" in big["message"]


@pytest.mark.parametrize("path", [f"/api/{name}/{page}/" for name in VERSIONS.names for page in ("schema", "docs")])
@pytest.mark.parametrize("method", ["POST", "OPTIONS", "TRACE"])
def test_the_schema_and_docs_answer_errors_in_json_too(path, method):
    response = Client().generic(method, path)

    assert_error(response, 405, "method_not_allowed")


@override_settings(ALLOWED_HOSTS=["example.com"])
def test_errors_before_any_view_are_json_too():
    assert_error(Client().get(f"/api/{VERSIONS.latest.name}/nothing/"), 400, "bad_request")


def test_domain_errors_keep_their_status(api, organization):
    error = assert_error(api.post(widgets_url(organization), {"name": "forbidden"}), 400, "invalid")
    assert error["message"] == "A widget cannot be called that."
