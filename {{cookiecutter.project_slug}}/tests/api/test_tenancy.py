"""Every endpoint, asked about another organization or its objects, answers 404 and changes nothing."""

import json

import pytest
import yaml
from django.test import Client

from {{ cookiecutter.project_slug }}.api import contracts
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.projects.models import Project
from {{ cookiecutter.project_slug }}.webhooks.models import WebhookEndpoint

from tests.api.conftest import projects_url
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(db):
    membership = MembershipFactory(role=Role.OWNER)
    project = ProjectFactory(organization=membership.organization, name="Their secret")
    WebhookEndpoint.objects.create(
        organization=membership.organization,
        url="https://hooks.example.com/their-secret",
        event_types=["member.added"],
        secret="whsec_x",
    )
    return project


def their_endpoint(project):
    return WebhookEndpoint.objects.get(organization=project.organization)


def each_endpoint(organization, project):
    """(method, path, body) of every operation of the API."""
    endpoint = their_endpoint(project)
    return [
        ("GET", projects_url(organization), None),
        ("POST", projects_url(organization), {"name": "x"}),
        ("GET", projects_url(organization, project), None),
        ("PATCH", projects_url(organization, project), {"name": "x"}),
        ("DELETE", projects_url(organization, project), None),
        ("GET", f"organizations/{organization.public_id}/webhooks/", None),
        ("GET", f"organizations/{organization.public_id}/webhooks/{endpoint.public_id}/deliveries/", None),
    ]


def test_every_operation_of_the_api_has_a_case_here(theirs):
    document = yaml.safe_load(contracts.schema_path(VERSIONS.latest.name).read_text())
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    covered = {
        (
            method,
            "/api/v2/"
            + path.replace(str(theirs.organization.public_id), "{organization_id}")
            .replace(str(theirs.public_id), "{project_id}")
            .replace(str(their_endpoint(theirs).public_id), "{endpoint_id}"),
        )
        for method, path, _ in each_endpoint(theirs.organization, theirs)
    }

    assert covered == operations


OPERATIONS = range(7)


@pytest.mark.parametrize("index", OPERATIONS)
def test_another_organizations_id_is_404_for_a_key(api, theirs, index):
    method, path, body = each_endpoint(theirs.organization, theirs)[index]

    response = api.send(method, path, body)

    assert response.status_code == 404, response.content
    assert "Their secret" not in response.content.decode()
    assert "their-secret" not in response.content.decode()
    assert Project.objects.filter(pk=theirs.pk, name="Their secret").exists()


@pytest.mark.parametrize("index", OPERATIONS)
def test_another_organizations_id_is_404_for_a_member_of_another(owner, theirs, index):
    client = Client()
    client.force_login(owner.user)
    method, path, body = each_endpoint(theirs.organization, theirs)[index]

    response = client.generic(method, f"/api/v2/{path}", json.dumps(body or {}), content_type="application/json")

    assert response.status_code == 404, response.content
    assert Project.objects.filter(pk=theirs.pk, name="Their secret").exists()


@pytest.mark.parametrize("index", [2, 3, 4])
def test_another_organizations_project_under_my_organization_is_404(api, organization, theirs, index):
    method, path, body = each_endpoint(organization, theirs)[index]

    assert api.send(method, path, body).status_code == 404
    assert Project.objects.filter(pk=theirs.pk, name="Their secret").exists()


def test_a_removed_member_gets_404_on_the_next_request(owner, commit):
    from {{ cookiecutter.project_slug }}.organizations import services

    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client = Client()
    client.force_login(member.user)
    url = f"/api/v2/{projects_url(owner.organization)}"
    assert client.get(url).status_code == 200

    with commit():
        services.membership_remove(membership=member, actor=owner.user)

    assert client.get(url).status_code == 404
