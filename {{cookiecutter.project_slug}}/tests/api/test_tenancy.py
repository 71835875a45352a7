"""Every endpoint, asked about another organization or its objects, answers 404 and changes nothing.

The operations come from the tests of the app that serves each (tests/api/cases.py), so this file names no resource.
"""

import json

import pytest
import yaml
from django.test import Client

from {{ cookiecutter.project_slug }}.api import contracts
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.api import cases
from tests.api.conftest import widgets_url
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

OPERATIONS = cases.operations()
IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]
# An operation on one object, asked under my organization with another's object id.
ON_ONE_OBJECT = [operation for operation in OPERATIONS if operation[1].rstrip("/").endswith("_id}")]


@pytest.fixture
def theirs(db) -> dict[str, str]:
    """Another organization, one of each resource in it: every path parameter's value."""
    return cases.make(MembershipFactory(role=Role.OWNER).organization)


def test_every_operation_of_the_api_has_a_case():
    document = yaml.safe_load(contracts.schema_path(VERSIONS.latest.name).read_text())
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    covered = {(method, f"/api/{VERSIONS.latest.name}/{path}") for method, path, _ in OPERATIONS}

    assert operations - covered == set()  # an app's tests/<label>/api_cases.py lists its operations


def test_the_cases_cover_more_than_one_app():
    assert len(cases.modules()) >= 2
    assert len(OPERATIONS) == len(set(IDS))


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=IDS)
def test_another_organizations_id_is_404_for_a_key(api, theirs, method, path, body):
    response = api.send(method, cases.fill(path, theirs), body)

    assert response.status_code == 404, response.content
    assert cases.SECRET not in response.content.decode()
    assert "their-secret" not in response.content.decode()
    assert cases.unchanged(theirs)


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=IDS)
def test_another_organizations_id_is_404_for_a_member_of_another(owner, theirs, method, path, body):
    client = Client()
    client.force_login(owner.user)

    url = f"/api/{VERSIONS.latest.name}/{cases.fill(path, theirs)}"
    response = client.generic(method, url, json.dumps(body or {}), content_type="application/json")

    assert response.status_code == 404, response.content
    assert cases.unchanged(theirs)


@pytest.mark.parametrize(("method", "path", "body"), ON_ONE_OBJECT, ids=[f"{m} {p}" for m, p, _ in ON_ONE_OBJECT])
def test_another_organizations_object_under_my_organization_is_404(api, organization, theirs, method, path, body):
    mine = {**theirs, "organization_id": str(organization.public_id)}

    assert api.send(method, cases.fill(path, mine), body).status_code == 404
    assert cases.unchanged(theirs)


def test_a_removed_member_gets_404_on_the_next_request(owner, commit):
    from {{ cookiecutter.project_slug }}.organizations import services

    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client = Client()
    client.force_login(member.user)
    url = f"/api/{VERSIONS.latest.name}/{widgets_url(owner.organization)}"
    assert client.get(url).status_code == 200

    with commit():
        services.membership_remove(membership=member, actor=owner.user)

    assert client.get(url).status_code == 404
