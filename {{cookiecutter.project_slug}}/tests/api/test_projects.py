"""The projects endpoints on both versions: one set of handlers, two contracts."""

import pytest

from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.projects.models import Project

from tests.api.conftest import projects_url
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_create_read_update_delete_on_the_newest_version(api, organization):
    created = api.post(projects_url(organization), {"name": "Website", "starts_on": "2025-01-06"})
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["name"] == "Website"
    assert (project["starts_on"], project["ends_on"]) == ("2025-01-06", None)
    url = f"{projects_url(organization)}{project['id']}/"

    assert api.get(url).json() == project
    updated = api.patch(url, {"ends_on": "2025-03-28", "description": "New site"})
    assert updated.status_code == 200, updated.content
    assert updated.json()["ends_on"] == "2025-03-28"
    assert updated.json()["name"] == "Website"  # a partial update leaves the rest alone

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not Project.objects.exists()


def test_public_ids_only_never_database_keys(api, organization):
    project = ProjectFactory(organization=organization)

    body = api.get(projects_url(organization, project)).json()

    assert body["id"] == str(project.public_id)
    assert str(project.pk) not in body.values()
    assert "organization" not in body


def test_v1_speaks_title_and_timeframe(api, organization):
    api.version = "v1"
    created = api.post(projects_url(organization), {"title": "Website", "timeframe": "2025-01-06/.."})
    assert created.status_code == 201, created.content
    assert created.json()["title"] == "Website"
    assert created.json()["timeframe"] == "2025-01-06/.."
    assert "name" not in created.json()
    assert "starts_on" not in created.json()

    project = Project.objects.get()
    assert (project.name, str(project.starts_on), project.ends_on) == ("Website", "2025-01-06", None)

    changed = api.patch(projects_url(organization, project), {"timeframe": "../2025-03-28"})
    assert changed.json()["timeframe"] == "../2025-03-28"
    cleared = api.patch(projects_url(organization, project), {"timeframe": None})
    assert cleared.json()["timeframe"] is None


def test_both_versions_see_the_same_project(api, organization):
    project = ProjectFactory(organization=organization, name="Shop", starts_on="2025-02-01", ends_on="2025-04-30")

    v2 = api.get(projects_url(organization, project)).json()
    api.version = "v1"
    v1 = api.get(projects_url(organization, project)).json()

    assert v2["name"] == v1["title"] == "Shop"
    assert v1["timeframe"] == f"{v2['starts_on']}/{v2['ends_on']}"
    assert list(v1) == ["id", "title", "description", "timeframe", "created_at", "updated_at"]


def test_v1_validation_errors_name_v1_fields(api, organization):
    api.version = "v1"

    missing = api.post(projects_url(organization), {"timeframe": "2025-01-06/.."})
    bad_date = api.post(projects_url(organization), {"title": "x", "timeframe": "2025-13-01/.."})
    bad_shape = api.post(projects_url(organization), {"title": "x", "timeframe": "soon"})

    assert [f["field"] for f in missing.json()["error"]["fields"]] == ["title"]
    assert [f["field"] for f in bad_date.json()["error"]["fields"]] == ["timeframe"]
    assert [f["field"] for f in bad_shape.json()["error"]["fields"]] == ["timeframe"]


def test_v2_validation_errors_name_v2_fields(api, organization):
    response = api.post(projects_url(organization), {"starts_on": "someday"})

    assert response.status_code == 400
    assert sorted(f["field"] for f in response.json()["error"]["fields"]) == ["name", "starts_on"]


def test_a_project_cannot_end_before_it_starts(api, organization):
    response = api.post(projects_url(organization), {"name": "x", "starts_on": "2025-02-01", "ends_on": "2025-01-01"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "A project cannot end before it starts."


def test_viewers_may_read_but_not_write(organization, make_key):
    from django.test import Client

    viewer = MembershipFactory(organization=organization, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer.user)
    url = f"/api/v2/{projects_url(organization)}"

    assert client.get(url).status_code == 200
    refused = client.post(url, {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403  # CSRF passes in the test client; the permission does not
    assert refused.json()["error"]["code"] == "permission_denied"
