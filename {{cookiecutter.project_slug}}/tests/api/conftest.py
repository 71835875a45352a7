"""Fixtures of the API tests: organizations with members, API keys, and a client that speaks JSON."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations import keys
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.organizations.permissions import API_KEY_SCOPES

from tests.factories import MembershipFactory

ALL_SCOPES = sorted(API_KEY_SCOPES)  # the platform's, and those every installed app registered


class Api:
    """A JSON client for /api/<version>/ with optional headers on every request."""

    def __init__(self, version: str = VERSIONS.latest.name, **headers: str) -> None:
        self.client = Client()
        self.version = version
        self.headers = headers

    def url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/{self.version}/{path}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(self.url(path), params, headers=self.headers)

    def send(self, method: str, path: str, data: Any = None, **headers: str) -> Any:
        body = data if isinstance(data, str | bytes) else json.dumps(data)
        return self.client.generic(
            method, self.url(path), body, content_type="application/json", headers={**self.headers, **headers}
        )

    def post(self, path: str, data: Any, **headers: str) -> Any:
        return self.send("POST", path, data, **headers)

    def patch(self, path: str, data: Any, **headers: str) -> Any:
        return self.send("PATCH", path, data, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.send("DELETE", path, **headers)


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def organization(owner):
    return owner.organization


@pytest.fixture
def make_key(commit) -> Callable[..., str]:
    """Make an API key of an organization (as its owner) and return its token."""

    def make(membership: Any, scopes: list[str] | None = None, expires_in_days: int | None = None) -> str:
        with commit():
            _, token = keys.api_key_create(
                organization=membership.organization,
                actor=membership.user,
                name="integration",
                scopes=ALL_SCOPES if scopes is None else scopes,
                expires_in_days=expires_in_days,
            )
        return token

    return make


@pytest.fixture
def api(owner, make_key) -> Api:
    """The owner's organization's API key with every scope, on the newest version."""
    return Api(Authorization=f"Bearer {make_key(owner)}")


def widgets_url(organization: Any, widget: Any = None) -> str:
    """The test app's resource (tests/testapp): what the API machinery's tests run on."""
    base = f"organizations/{organization.public_id}/widgets/"
    return f"{base}{widget.public_id}/" if widget is not None else base
