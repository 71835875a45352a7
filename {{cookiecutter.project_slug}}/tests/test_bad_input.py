"""Bad input at every public JSON entry point is a 4xx in that entry point's documented shape, never a 500.

The entry points are found, not listed: every route under /_allauth/ (allauth's headless API, both clients, and
this project's guards in front of it) and every operation of every committed API contract. Each gets each shape
an attacker sends (JSON nested 20,000 levels, a body over the size limit, malformed JSON, a JSON array, text with
NUL or a lone surrogate, methods nobody serves), anonymous and signed in, and must answer below 500 with no ERROR
log line and no Sentry event: a cheap request must not be a way to flood the alerts.
"""

import base64
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from {{ cookiecutter.project_slug }}.api import contracts
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

from tests.api import cases
from tests.api.conftest import ALL_SCOPES
from tests.factories import PASSWORD, MembershipFactory
from tests.sentry import captured_events

pytestmark = pytest.mark.django_db

DEEP_ARRAYS = "[" * 20_000 + "]" * 20_000
DEEP_OBJECTS = '{"a":' * 20_000 + "1" + "}" * 20_000
HUGE = b'{"email": "' + b"x" * 3_000_000 + b'"}'  # over Django's 2.5 MB
EMAIL = "fuzz@example.com"  # the signed-in member's: forms get past the address to the fields that broke
FIELDS = ["password", "password1", "new_password", "current_password", "key", "code", "name", "title", "description"]


def strings(escaped: str) -> str:
    """A body with a real address and ``escaped`` (a JSON escape) inside every other field anyone reads."""
    return json.dumps({"email": EMAIL, **dict.fromkeys(FIELDS, f"a{escaped}b")}).replace("\\\\", "\\")


BODIES = {
    "deep arrays": DEEP_ARRAYS,
    "deep objects": DEEP_OBJECTS,
    "over the size limit": HUGE,
    "malformed": '{"email": ',
    "an array": "[1, 2]",
    "NUL in strings": strings("\\u0000"),
    "lone surrogates": strings("\\ud800"),
    "a lone low surrogate": strings("\\udc00"),
    "numbers for strings": '{"email": 0, "password": 0, "key": 0, "name": 0, "title": 0, "url": 0}',
}
REFUSED_BEFORE_ANY_VIEW = {
    "deep arrays",
    "deep objects",
    "over the size limit",
    "lone surrogates",
    "a lone low surrogate",
}
METHODS = ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]  # POST: every body above is POSTed everywhere


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def headless_paths() -> list[str]:
    """Every route under /_allauth/ (none takes a parameter)."""
    return sorted({f"/{route}" for route in _routes(get_resolver().url_patterns) if route.startswith("_allauth/")})


def api_paths(ids: dict[str, str]) -> list[str]:
    """Every operation's path in every committed contract, with real ids, and each version's schema and docs."""
    paths = []
    for version in VERSIONS.names:
        document = yaml.safe_load(contracts.schema_path(version).read_text())
        paths += [cases.fill(path, ids) for path in document["paths"]]
        paths += [f"/api/{version}/schema/", f"/api/{version}/docs/"]
    return paths


def assert_shape(path: str, response: Any) -> None:
    """The documented error shape: /api/'s one shape, or allauth's ({"status": ..., "errors": [...]})."""
    assert response["Content-Type"].startswith("application/json"), (path, response.status_code, response.content)
    data = response.json()
    if path.startswith("/api/"):
        error = data["error"]
        assert error["status"] == response.status_code, (path, data)
        assert error["code"], (path, data)
        assert error["message"], (path, data)
        assert error["request_id"] == response["X-Request-ID"], (path, data)
    else:
        assert data["status"] == response.status_code, (path, data)
        for error in data.get("errors", []):
            assert error["message"], (path, data)
            assert error["code"], (path, data)


@pytest.fixture
def watched(caplog) -> Iterator[Callable[[], list[str]]]:
    """Sentry as in production and the log at ERROR; call the result for what would have alerted anyone."""
    caplog.set_level(logging.ERROR)
    with captured_events() as events:

        def alerts() -> list[str]:
            errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
            return errors + [str(event.get("exception", event.get("message"))) for event in events]

        yield alerts


@pytest.fixture
def signed_in() -> dict[str, Any]:
    """A member of an organization with one of each resource and an API key, and a session of each headless client."""
    from {{ cookiecutter.project_slug }}.organizations import keys
    from {{ cookiecutter.project_slug }}.organizations.models import Role

    owner: Any = MembershipFactory(role=Role.OWNER, user__email=EMAIL)
    _, token = keys.api_key_create(
        organization=owner.organization, actor=owner.user, name="fuzz", scopes=ALL_SCOPES, expires_in_days=None
    )
    browser = Client()
    browser.force_login(owner.user)
    login = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": owner.user.email, "password": PASSWORD},
        content_type="application/json",
    )
    return {
        "organization": owner.organization,
        "ids": cases.make(owner.organization),
        "browser": browser,
        "api_key": {"Authorization": f"Bearer {token}"},
        "app_token": {"X-Session-Token": login.json()["meta"]["session_token"]},
    }


def callers(path: str, who: dict[str, Any]) -> list[tuple[Client, dict[str, str]]]:
    """Anonymous, then signed in the way the entry point accepts."""
    anonymous: tuple[Client, dict[str, str]] = (Client(), {})
    if path.startswith("/api/"):
        return [anonymous, (Client(), who["api_key"])]
    if path.startswith("/_allauth/app/"):
        return [anonymous, (Client(), who["app_token"])]
    return [anonymous, (who["browser"], {})]


def send(client: Client, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    client.raise_request_exception = False
    return client.generic(method, path, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("shape", list(BODIES))
def test_bad_bodies_are_refused_in_the_documented_shape_everywhere(shape, signed_in, watched):
    who = signed_in
    paths = headless_paths() + api_paths(who["ids"])
    failures = []
    for path in paths:
        # Refused before authentication is even looked at: anonymous is enough.
        for client, headers in callers(path, who)[: 1 if shape in REFUSED_BEFORE_ANY_VIEW else 2]:
            # allauth reads a body the same way whatever the method; the API's detail endpoints take PATCH.
            api_write = path.startswith("/api/") and shape not in REFUSED_BEFORE_ANY_VIEW
            for method in ("POST", "PATCH") if api_write else ("POST",):
                response = send(client, method, path, BODIES[shape], headers)
                status = response.status_code
                if status >= 500 or (shape in REFUSED_BEFORE_ANY_VIEW and status != 400):
                    failures.append((method, path, bool(headers), status, response.content[:200]))
                elif status >= 400:
                    assert_shape(path, response)

    assert failures == []
    assert watched() == []


def test_methods_nobody_serves_are_4xx_in_the_documented_shape(signed_in, watched):
    who = signed_in
    paths = headless_paths() + api_paths(who["ids"])
    failures = []
    for path in paths:
        for client, headers in callers(path, who):
            for method in METHODS:
                response = send(client, method, path, "{}", headers)
                if response.status_code >= 500:
                    failures.append((method, path, bool(headers), response.status_code, response.content[:200]))
                elif response.status_code >= 400:
                    assert_shape(path, response)

    assert failures == []
    assert watched() == []


def test_phone_routes_are_not_served_while_phone_login_is_off(signed_in, watched):
    for path in [p for p in headless_paths() if "/phone" in p]:
        for client, headers in callers(path, signed_in):
            for method in ["POST", *METHODS]:
                response = send(client, method, path, '{"phone": "+15555550100"}', headers)
                assert response.status_code == 404, (method, path, response.content)
                assert response.json()["errors"][0]["code"] == "not_found"

    assert watched() == []


@pytest.mark.parametrize("key", ["-abc", "\x00-abc", "zzzzzzzzzzzzz-abc", "abc", "", "7-", "\u00e9-abc"])
@pytest.mark.parametrize("client_type", ["browser", "app"])
def test_a_malformed_password_reset_key_is_refused_like_a_wrong_one(client_type, key, watched):
    path = f"/_allauth/{client_type}/v1/auth/password/reset"
    by_body = send(Client(), "POST", path, json.dumps({"key": key, "password": "a new long password"}), {})
    answers = [by_body]
    if "\x00" not in key:  # a header cannot carry NUL
        answers.append(send(Client(), "GET", path, None, {"X-Password-Reset-Key": key}))

    for response in answers:
        assert response.status_code == 400, response.content
        [error] = response.json()["errors"]
        assert error["param"] == "key"
        assert error["code"] in ("invalid_password_reset", "required")
    assert watched() == []


def cursor(ordering: str, key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([ordering, key]).encode()).decode().rstrip("=")


VALID = {"name": "x", "public_id": "01900000-0000-7000-8000-000000000000", "created_at": "2025-01-06T00:00:00Z"}
BAD: list[Any] = [None, "a\x00b", "\ud800", 7, [[]], {"a": 1}]


def crafted_cursors(ordering: str, fields: tuple[str, ...]) -> Iterator[str]:
    """Cursors of the right ordering with one bad value in each place of the key, and cursors that are no cursor."""
    for position in range(len(fields)):
        for bad in BAD:
            key: list[Any] = [VALID[field.lstrip("-")] for field in fields]
            key[position] = bad
            yield cursor(ordering, key)
    yield from ["%%%", "AAAA", base64.urlsafe_b64encode(b"\xff\xfe").decode(), cursor(ordering, "x")]
    yield cursor(ordering, [VALID[field.lstrip("-")] for field in fields] * 2)


@pytest.mark.parametrize("version", VERSIONS.names)
def test_crafted_cursors_are_a_400_naming_the_cursor(version, signed_in, watched):
    served = set(api_paths(signed_in["ids"]))
    failures = []
    for relative, ordering, asked, fields in cases.lists(version):
        path = f"/api/{version}/{cases.fill(relative, signed_in['ids'])}"
        if path not in served:  # a list this version does not have, or one left out of the contracts
            continue
        for crafted in crafted_cursors(ordering, fields):
            response = Client().get(path, {"ordering": asked, "cursor": crafted}, headers=signed_in["api_key"])
            fields_named = [field["field"] for field in response.json().get("error", {}).get("fields", [])]
            if response.status_code != 400 or fields_named != ["cursor"]:
                failures.append((path, ordering, crafted, response.status_code, response.content[:200]))
            else:
                assert_shape(path, response)

    assert failures == []
    assert watched() == []
