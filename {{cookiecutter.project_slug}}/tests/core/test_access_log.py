"""Every request writes one JSON access line carrying its request id, user, organization and timing."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from {{ cookiecutter.project_slug }}.core.observability.logging import JsonFormatter, RequestIdFilter

AccessLines = Callable[[], list[dict[str, object]]]


def in_an_organization(request: HttpRequest, slug: str) -> HttpResponse:
    # What the organizations app's middleware does for a request inside one.
    request.organization = SimpleNamespace(public_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", pk=7)  # type: ignore[attr-defined]
    return HttpResponse("ok")


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("orgs/<slug:slug>/dashboard", in_an_organization),
    path("fails", fails),
]


@pytest.fixture
def access_lines() -> Iterator[AccessLines]:
    """The "access" logger's lines, formatted as production formats them (the same filter and formatter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("access")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_writes_one_json_line_with_its_ids(client, user, access_lines):
    client.force_login(user)

    client.get("/", headers={"x-request-id": "req-access-0001"})

    [line] = access_lines()
    assert line["request_id"] == "req-access-0001"
    assert line["user_id"] == str(user.public_id)
    assert line["organization_id"] is None
    assert (line["method"], line["path"], line["route"], line["status"]) == ("GET", "/", "/", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["logger"] == "access"
    assert str(line["message"]).startswith("GET / 200 ")
    assert "trace_id" not in line, "no trace ids while tracing is off"


@pytest.mark.urls(__name__)
def test_the_line_names_the_organization_and_the_route_pattern_not_the_path(client, access_lines):
    client.get("/orgs/acme/dashboard")

    [line] = access_lines()
    assert line["organization_id"] == "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    assert line["user_id"] is None
    assert line["route"] == "/orgs/<slug:slug>/dashboard"
    assert line["path"] == "/orgs/acme/dashboard"


@pytest.mark.urls(__name__)
def test_errors_and_unknown_paths_are_logged_too(client, access_lines):
    client.raise_request_exception = False

    client.get("/fails")
    client.get("/no/such/page")

    assert [(line["status"], line["route"]) for line in access_lines()] == [(500, "/fails"), (404, "<unmatched>")]


def test_health_probes_are_not_logged(client, access_lines):
    client.get("/healthz")

    assert access_lines() == []
