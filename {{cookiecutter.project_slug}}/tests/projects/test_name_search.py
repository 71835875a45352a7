"""name_search: the folded name the services write and the admin's search matches."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.projects import services
from {{ cookiecutter.project_slug }}.projects.models import NAME_SEARCH_MAX_LENGTH, Project, name_search_key

from ..factories import MembershipFactory, UserFactory
from .factories import ProjectFactory


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("  Café   ÉTÉ ", "cafe ete"),  # accents, case, spacing
        ("Straße", "strasse"),  # full case folding, not lower()
        ("STRASSE", "strasse"),
        ("ﬁle №5", "file no5"),  # compatibility forms
        ("Ωmega\tPlan", "ωmega plan"),
    ],
)
def test_a_name_folds_for_search(name, key):
    assert name_search_key(name) == key


def test_the_key_is_cut_to_fit_its_column_and_index():
    # U+FDFA unfolds into 18 characters: a name of 100 of them would not fit.
    assert len(name_search_key("\ufdfa" * 100)) == NAME_SEARCH_MAX_LENGTH


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Role.OWNER)


def test_creating_a_project_writes_its_name_search(owner, commit):
    with commit():
        project = services.project_create(organization=owner.organization, actor=owner.user, name="Café Website")

    assert Project.objects.get(pk=project.pk).name_search == "cafe website"


def test_renaming_a_project_rewrites_its_name_search(owner, commit):
    project = ProjectFactory(organization=owner.organization, name="Old Site")

    with commit():
        services.project_update(project=project, actor=owner.user, name="NEW  Site")

    assert Project.objects.get(pk=project.pk).name_search == "new site"


def test_changing_other_fields_leaves_name_search_alone(owner, commit):
    project = ProjectFactory(organization=owner.organization, name="Website")

    with commit():
        services.project_update(project=project, actor=owner.user, description="Now with a shop")

    assert Project.objects.get(pk=project.pk).name_search == "website"


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_search(client, term):
    response = client.get(f"/{settings.ADMIN_URL}projects/project/", {"q": term})
    assert response.status_code == 200
    return {project.name for project in response.context["cl"].result_list}


def test_the_admin_finds_a_project_by_the_start_of_its_name_in_any_case_or_accent(staff_client):
    ProjectFactory(name="Café Website")
    ProjectFactory(name="CAFÉ  WEBSHOP")
    ProjectFactory(name="Website for a café")

    assert admin_search(staff_client, "cafe web") == {"Café Website", "CAFÉ  WEBSHOP"}
    assert admin_search(staff_client, "  CAFÉ WEBS") == {"Café Website", "CAFÉ  WEBSHOP"}
    assert admin_search(staff_client, "website") == {"Website for a café"}


def test_the_admin_finds_a_project_by_its_id(staff_client):
    project = ProjectFactory(name="Shop")
    ProjectFactory(name="Other")

    assert admin_search(staff_client, str(project.public_id)) == {"Shop"}


def test_a_project_saved_in_the_admin_gets_its_name_search(staff_client):
    project = ProjectFactory(name="Before")
    url = f"/{settings.ADMIN_URL}projects/project/{project.pk}/change/"

    response = staff_client.post(
        url, {"organization": project.organization.pk, "name": "Åfter", "description": "", "starts_on": ""}
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Project.objects.get(pk=project.pk).name_search == "after"


@pytest.mark.postgres
def test_the_admin_search_uses_the_name_search_index(db):
    model_admin = admin.site.get_model_admin(Project)
    found, _ = model_admin.get_search_results(RequestFactory().get("/"), Project.objects.all(), "Café")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is small: make the index the only way
        plan = found.explain()

    assert "projects_name_search_idx" in plan, plan
