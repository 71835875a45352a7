"""The projects endpoints on both versions: one set of handlers, two contracts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.projects.models import Project

from tests.factories import MembershipFactory
from tests.projects.api_cases import url as projects_url
from tests.projects.factories import ProjectFactory

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


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_number_is_not_a_string(api, organization, version):
    api.version = version
    name = "title" if version == "v1" else "name"
    project = ProjectFactory(organization=organization, name="Shop")

    created = api.post(projects_url(organization), {name: 0})
    changed = api.patch(projects_url(organization, project), {name: 7, "description": 1.5})

    assert created.status_code == 400, created.content
    assert [(f["field"], f["code"]) for f in created.json()["error"]["fields"]] == [(name, "invalid")]
    assert changed.status_code == 400, changed.content
    assert sorted(f["field"] for f in changed.json()["error"]["fields"]) == ["description", name]
    assert list(Project.objects.values_list("name", "description")) == [("Shop", project.description)]


def test_a_v1_body_or_query_with_both_title_and_name_is_refused(api, organization):
    api.version = "v1"
    project = ProjectFactory(organization=organization, name="Shop")

    created = api.post(projects_url(organization), {"title": "Kept?", "name": "Or this?"})
    changed = api.patch(projects_url(organization, project), {"title": "Kept?", "name": "Or this?"})
    listed = api.get(projects_url(organization), title="Shop", name="Other")

    for response in (created, changed, listed):
        assert response.status_code == 400, response.content
        [field] = response.json()["error"]["fields"]
        assert field["field"] == "title"
        assert "`name` is its name in later versions" in field["message"]
    assert list(Project.objects.values_list("name", flat=True)) == ["Shop"]


def test_each_version_alone_is_still_accepted(api, organization):
    api.version = "v1"
    by_title = api.post(projects_url(organization), {"title": "One"})
    api.version = "v2"
    by_name = api.post(projects_url(organization), {"name": "Two"})

    assert (by_title.status_code, by_name.status_code) == (201, 201)
    assert sorted(Project.objects.values_list("name", flat=True)) == ["One", "Two"]


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


def walk(api, organization, **params):
    seen, cursor = [], None
    while True:
        page = api.get(projects_url(organization), **params, **({"cursor": cursor} if cursor else {})).json()
        seen += page["results"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_v1_orders_and_filters_by_title(api, organization):
    for name in ["b", "a", "c"]:
        ProjectFactory(organization=organization, name=name)
    api.version = "v1"

    assert [p["title"] for p in walk(api, organization, ordering="-title")] == ["c", "b", "a"]
    assert [p["title"] for p in walk(api, organization, title="b")] == ["b"]


def test_reading_one_project_is_one_query_of_its_own_columns(api, organization):
    project = ProjectFactory(organization=organization)
    url = projects_url(organization, project)
    api.get(url)  # warm: the key and the permission set

    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200

    [sql] = [query["sql"] for query in captured.captured_queries]
    assert "JOIN" in sql  # scoped to the organization in the URL
    assert '"organizations_organization"."name"' not in sql  # nothing of the organization loaded


def test_a_change_loads_its_organization_in_the_same_query(api, organization):
    project = ProjectFactory(organization=organization)
    url = projects_url(organization, project)
    api.patch(url, {"description": "warm"})

    with CaptureQueriesContext(connection) as captured:
        assert api.patch(url, {"description": "Changed"}).status_code == 200

    reads = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    reads = [sql for sql in reads if '"organizations_organization"' in sql]
    assert len(reads) == 1, reads  # the project with its organization; no second read for the check
    assert '"organizations_organization"."name"' in reads[0]
