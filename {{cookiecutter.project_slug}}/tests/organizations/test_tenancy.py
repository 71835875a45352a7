"""Every page of tenant data is scoped to the user's organizations; a miss is a 404."""

import uuid

import pytest

from {{ cookiecutter.project_slug }}.organizations import services
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGES = ["", "members/", "settings/", "invitations/"]


@pytest.fixture
def mine():
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def theirs():
    return MembershipFactory(role=Role.OWNER)


@pytest.mark.parametrize("page", PAGES)
def test_another_tenants_organization_is_not_found(client, mine, theirs, page):
    client.force_login(mine.user)

    response = client.get(f"/orgs/{theirs.organization.public_id}/{page}")

    assert response.status_code == 404
    assert theirs.organization.name not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_own_organization_pages_render(client, mine, page):
    client.force_login(mine.user)

    response = client.get(f"/orgs/{mine.organization.public_id}/{page}")

    assert response.status_code == 200
    assert mine.organization.name in response.content.decode()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", str(uuid.uuid4()), "1", "' OR 1=1 --"])
def test_malformed_or_unknown_ids_are_not_found(client, mine, bad_id):
    client.force_login(mine.user)

    assert client.get(f"/orgs/{bad_id}/").status_code == 404


def test_posting_to_another_tenants_members_page_changes_nothing(client, mine, theirs):
    client.force_login(mine.user)

    response = client.post(
        f"/orgs/{theirs.organization.public_id}/members/", {"member": theirs.pk, "action": "role", "role": "viewer"}
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.OWNER


def test_a_member_id_from_another_organization_is_not_found(client, mine, theirs):
    client.force_login(mine.user)

    response = client.post(f"/orgs/{mine.organization.public_id}/members/", {"member": theirs.pk, "action": "remove"})

    assert response.status_code == 404
    assert theirs.__class__.objects.filter(pk=theirs.pk).exists()


def test_a_removed_member_gets_404_on_the_next_request(client, mine, commit):
    other = MembershipFactory(organization=mine.organization, role=Role.MEMBER)
    client.force_login(other.user)
    assert client.get(f"/orgs/{mine.organization.public_id}/").status_code == 200

    with commit():
        services.membership_remove(membership=other, actor=mine.user)

    assert client.get(f"/orgs/{mine.organization.public_id}/").status_code == 404


def test_a_demoted_admin_loses_the_invitations_page_at_once(client, mine, commit):
    admin = MembershipFactory(organization=mine.organization, role=Role.ADMIN)
    client.force_login(admin.user)
    assert client.get(f"/orgs/{mine.organization.public_id}/invitations/").status_code == 200

    with commit():
        services.membership_change_role(membership=admin, role=Role.VIEWER, actor=mine.user)

    assert client.get(f"/orgs/{mine.organization.public_id}/invitations/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, mine):
    response = client.get(f"/orgs/{mine.organization.public_id}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
