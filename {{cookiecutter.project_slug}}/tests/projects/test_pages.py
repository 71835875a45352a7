"""The projects pages: list (search, ordering, pages), create, edit and delete, with and without htmx.

Through the same services as the API: a stranger's ids are not found, a viewer only reads, and bad input is
answered 4xx with the form again, never a 500.
"""

import time

import pytest

from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.projects.models import Project

from tests.conftest import sign_in
from tests.factories import MembershipFactory, VerifiedUserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
HTMX_TABLE = {**HTMX, "HX-Target": "projects"}


@pytest.fixture
def member(client):
    """A signed-in member (may edit projects) of an organization."""
    membership = MembershipFactory(role=Role.MEMBER, user=VerifiedUserFactory())
    sign_in(client, membership.user)
    return membership


def url(organization, suffix=""):
    return f"/orgs/{organization.public_id}/projects/{suffix}"


def names_on(response) -> list[str]:
    return [project.name for project in response.context["page"].object_list]


def test_the_organization_tabs_lead_to_the_projects(client, member):
    dashboard = client.get(f"/orgs/{member.organization.public_id}/")

    assert f'href="{url(member.organization)}"' in dashboard.text
    response = client.get(url(member.organization))
    assert response.status_code == 200
    assert 'aria-current="page">Projects</a>' in response.text
    assert "No projects yet" in response.text


def test_the_list_searches_by_the_start_of_the_name_ignoring_case_and_accents(client, member):
    for name in ("Café Été", "cafeteria", "Apollo"):
        ProjectFactory(organization=member.organization, name=name)
    ProjectFactory(name="Café of another organization")

    response = client.get(url(member.organization), {"q": "  CAFE ", "ordering": "name"})

    assert names_on(response) == ["Café Été", "cafeteria"]
    assert "No project matches" in client.get(url(member.organization), {"q": "zzz"}).text


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["a", "b", "c"]),
        ("-name", ["c", "b", "a"]),
        ("created_at", ["b", "c", "a"]),
        ("-created_at", ["a", "c", "b"]),
    ],
)
def test_the_list_orders_by_name_or_creation(client, member, ordering, expected):
    for name in ("b", "c", "a"):
        ProjectFactory(organization=member.organization, name=name)
        time.sleep(0.002)  # creation order is the UUIDv7's, exact to the millisecond

    assert names_on(client.get(url(member.organization), {"ordering": ordering})) == expected


def test_the_list_pages_by_twenty_keeping_the_search_and_ordering_in_its_links(client, member):
    ProjectFactory.create_batch(45, organization=member.organization)

    first = client.get(url(member.organization), {"ordering": "name", "q": "project"})
    last = client.get(url(member.organization), {"ordering": "name", "q": "project", "page": 3})

    assert len(names_on(first)) == 20
    assert "Page 1 of 3" in first.text
    assert "?q=project&amp;ordering=name&amp;page=2" in first.text
    assert len(names_on(last)) == 5
    assert client.get(url(member.organization), {"page": 4}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [{"page": "0"}, {"page": "-1"}, {"page": "two"}, {"page": "10000000"}, {"ordering": "password"}, {"q": "x" * 101}],
)
def test_a_bad_query_is_a_400_page_with_the_reason(client, member, query):
    response = client.get(url(member.organization), query)

    assert response.status_code == 400
    assert 'class="errorlist"' in response.text


def test_with_htmx_the_list_answers_the_table_alone(client, member):
    ProjectFactory(organization=member.organization, name="Apollo")

    response = client.get(url(member.organization), {"q": "apo"}, headers=HTMX_TABLE)
    elsewhere = client.get(url(member.organization), headers=HTMX)  # HX-Location after a save: the whole page

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="projects"')
    assert "Apollo" in response.text
    assert "<html" not in response.text
    assert "<html" in elsewhere.text


def test_creating_without_script_posts_the_form_and_goes_back_to_the_list(client, member):
    form = {"name": "Apollo", "description": "To the moon", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}

    response = client.post(url(member.organization, "new/"), form, follow=True)

    project = Project.objects.get(organization=member.organization)
    assert (project.name, project.description, str(project.ends_on)) == ("Apollo", "To the moon", "2026-12-31")
    assert project.name_search == "apollo"
    assert response.redirect_chain == [(url(member.organization), 302)]
    assert "Created Apollo." in response.text


def test_creating_with_htmx_sends_the_browser_to_the_list(client, member):
    response = client.post(url(member.organization, "new/"), {"name": "Apollo"}, headers=HTMX)

    assert response.status_code == 204
    assert response["HX-Location"] == url(member.organization)
    assert Project.objects.filter(organization=member.organization, name="Apollo").exists()


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({"name": "A", "starts_on": "2026-02-30"}, "Enter a valid date."),
        ({"name": "A", "starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "A project cannot end before it starts."),
        ({"name": "A", "description": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_error_beside_the_field(client, member, form, error):
    plain = client.post(url(member.organization, "new/"), form)
    with_htmx = client.post(url(member.organization, "new/"), form, headers=HTMX)

    assert plain.status_code == 400
    assert error in plain.text
    assert with_htmx.status_code == 200  # htmx swaps only 2xx answers: the form alone, errors in place
    assert with_htmx.text.lstrip().startswith("<form")
    assert error in with_htmx.text
    assert not Project.objects.exists()


def test_editing_changes_the_project_through_the_service(client, member):
    project = ProjectFactory(organization=member.organization, name="Apollo")
    page = client.get(url(member.organization, f"{project.public_id}/"))
    assert 'value="Apollo"' in page.text

    response = client.post(url(member.organization, f"{project.public_id}/"), {"name": "Gemini"})

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.name_search) == ("Gemini", "gemini")


def test_deleting_without_script_and_with_htmx(client, member):
    first, second = ProjectFactory.create_batch(2, organization=member.organization)

    plain = client.post(url(member.organization, f"{first.public_id}/delete/"))
    with_htmx = client.post(url(member.organization, f"{second.public_id}/delete/"), headers=HTMX)

    assert plain.status_code == 302
    assert with_htmx.status_code == 200
    assert 'hx-swap-oob="true"' in with_htmx.text  # the row is swapped for nothing; the toast comes out of band
    assert f"Deleted {second.name}." in with_htmx.text
    assert not Project.objects.exists()


def test_another_organizations_projects_and_the_organization_itself_are_not_found(client, member):
    theirs = ProjectFactory()
    other = theirs.organization
    mine = ProjectFactory(organization=member.organization)

    assert client.get(url(other)).status_code == 404
    assert client.post(url(other, "new/"), {"name": "Mine now"}).status_code == 404
    assert client.get(url(member.organization, f"{theirs.public_id}/")).status_code == 404
    assert client.post(url(member.organization, f"{theirs.public_id}/"), {"name": "Mine now"}).status_code == 404
    assert client.post(url(member.organization, f"{theirs.public_id}/delete/")).status_code == 404
    assert client.get(url(member.organization, "not-a-uuid/")).status_code == 404
    assert client.get("/orgs/not-a-uuid/projects/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Mine now"
    assert Project.objects.count() == 2
    assert mine.organization == member.organization


def test_a_viewer_reads_but_cannot_create_edit_or_delete(client):
    viewer = MembershipFactory(role=Role.VIEWER, user=VerifiedUserFactory())
    project = ProjectFactory(organization=viewer.organization, name="Apollo")
    sign_in(client, viewer.user)

    listing = client.get(url(viewer.organization))
    assert listing.status_code == 200
    assert "Apollo" in listing.text
    assert "Viewers cannot add projects." in listing.text
    assert url(viewer.organization, "new/") not in listing.text
    assert client.get(url(viewer.organization, "new/")).status_code == 403
    assert client.post(url(viewer.organization, "new/"), {"name": "No"}).status_code == 403
    assert client.post(url(viewer.organization, f"{project.public_id}/"), {"name": "No"}).status_code == 403
    assert client.post(url(viewer.organization, f"{project.public_id}/delete/")).status_code == 403
    assert list(Project.objects.values_list("name", flat=True)) == ["Apollo"]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    project = ProjectFactory()

    response = client.get(url(project.organization))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(url(project.organization, f"{project.public_id}/delete/")).status_code == 302
    assert Project.objects.exists()


def test_the_list_refuses_methods_it_does_not_serve(client, member):
    assert client.post(url(member.organization), {"name": "x"}).status_code == 405
    assert (
        client.get(
            url(member.organization, f"{ProjectFactory(organization=member.organization).public_id}/delete/")
        ).status_code
        == 405
    )
