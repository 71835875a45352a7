"""Whatever changes who may do what, the very next request sees it: the admin, a shell, bulk writes, a migration.

Each test warms the member's cached permissions with a request, changes access
by another path than the services, and asserts that the next request is refused.
Where the refusal would come anyway (a deleted user has no session), it also
asserts that the cached set is gone, so no later principal with the same id
(SQLite reuses the highest id) could inherit it.
"""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations import keys, permissions
from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Membership, Role

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would submit for the admin's change form, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") not in ("submit", "button", "file"):
            if attr.get("type") in ("checkbox", "radio") and "checked" not in attr:
                return
            self.values.setdefault(name, []).append(attr.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attr:
            self.values[self._select].append(attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def admin_form(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    parser = _FormValues()
    parser.feed(response.content.decode())
    return parser.values


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


class Owner:
    """An owner of an organization, signed in in their own browser."""

    def __init__(self, membership: Membership) -> None:
        self.membership = membership
        self.client = Client()
        self.client.force_login(membership.user)

    def owners_page(self) -> int:
        """The status of the next request to a page only owners and admins may see."""
        return self.client.get(f"/orgs/{self.membership.organization.public_id}/api-keys/").status_code

    def cached(self) -> str | None:
        """The permission list stored for the member, or None."""
        _, set_key = permissions._keys(self.membership.organization.public_id, self.membership.user_id)
        return permissions._store().read(set_key)

    def make_key(self) -> tuple[ApiKey, str]:
        organization, user = self.membership.organization, self.membership.user
        return keys.api_key_create(
            organization=organization, actor=user, name="CI", scopes=["widgets.view"], expires_in_days=None
        )


@pytest.fixture
def owner(commit):
    """An owner whose permissions are cached by a first request; a second owner stays."""
    with commit():
        membership = MembershipFactory(role=Role.OWNER)
        MembershipFactory(organization=membership.organization, role=Role.OWNER)
    signed_in = Owner(membership)
    assert signed_in.owners_page() == 200
    assert signed_in.cached() is not None
    return signed_in


def inline_row(form, membership):
    """The prefix of the membership's row in the organization's inline."""
    ids = (name for name, value in form.items() if name.endswith("-id") and value == [str(membership.pk)])
    return next(ids).removesuffix("-id")


def test_a_role_lowered_in_the_admin_inline_is_seen_by_the_next_request(staff, owner, commit):
    url = f"/admin/organizations/organization/{owner.membership.organization.pk}/change/"
    form = admin_form(staff, url)
    row = inline_row(form, owner.membership)
    form[f"{row}-role"] = [Role.VIEWER]

    with commit():
        response = staff.post(url, form)
    assert response.status_code == 302, response.content.decode()[-2000:]

    assert Membership.objects.get(pk=owner.membership.pk).role == Role.VIEWER
    assert owner.owners_page() == 403


def test_a_membership_handed_to_another_user_in_the_admin_leaves_the_first_one_out(staff, owner, commit):
    url = f"/admin/organizations/organization/{owner.membership.organization.pk}/change/"
    form = admin_form(staff, url)
    row = inline_row(form, owner.membership)
    form[f"{row}-user"] = [str(UserFactory().pk)]

    with commit():
        assert staff.post(url, form).status_code == 302

    assert owner.owners_page() == 404


def test_a_membership_deleted_in_the_admin_inline_is_seen_by_the_next_request(staff, owner, commit):
    url = f"/admin/organizations/organization/{owner.membership.organization.pk}/change/"
    form = admin_form(staff, url)
    row = inline_row(form, owner.membership)
    form[f"{row}-DELETE"] = ["on"]

    with commit():
        assert staff.post(url, form).status_code == 302

    assert owner.owners_page() == 404


def test_an_organization_deleted_in_the_admin_leaves_no_cached_permissions(staff, owner, commit):
    with commit():
        response = staff.post(
            f"/admin/organizations/organization/{owner.membership.organization.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302

    assert owner.cached() is None
    assert owner.owners_page() == 404


def test_a_user_deleted_in_the_admin_leaves_no_cached_permissions(staff, owner, commit):
    with commit():
        response = staff.post(f"/admin/accounts/user/{owner.membership.user_id}/delete/", {"post": "yes"})
    assert response.status_code == 302

    assert owner.cached() is None
    assert owner.owners_page() == 302  # signed out: to the login page


def test_a_user_deactivated_in_the_admin_leaves_no_cached_permissions(staff, owner, commit):
    url = f"/admin/accounts/user/{owner.membership.user_id}/change/"
    form = admin_form(staff, url)
    form.pop("is_active")

    with commit():
        response = staff.post(url, form)
    assert response.status_code == 302, response.content.decode()[-2000:]

    assert owner.cached() is None
    assert owner.owners_page() == 302


def test_a_user_deactivated_from_a_shell_leaves_no_cached_permissions(owner, commit):
    with commit():
        owner.membership.user.is_active = False
        owner.membership.user.save(update_fields=["is_active"])

    assert owner.cached() is None
    assert owner.owners_page() == 302


def test_a_queryset_update_of_roles_is_seen_by_the_next_request(owner, commit):
    with commit():
        updated = Membership.objects.filter(organization=owner.membership.organization).update(role=Role.VIEWER)
    assert updated == 2

    assert owner.owners_page() == 403


def test_a_related_manager_update_is_seen_by_the_next_request(owner, commit):
    with commit():
        owner.membership.organization.memberships.filter(user=owner.membership.user).update(role=Role.MEMBER)

    assert owner.owners_page() == 403


def test_a_bulk_update_of_roles_is_seen_by_the_next_request(owner, commit):
    owner.membership.role = Role.VIEWER
    with commit():
        Membership.objects.bulk_update([owner.membership], ["role"])

    assert owner.owners_page() == 403


def test_a_queryset_delete_of_memberships_is_seen_by_the_next_request(owner, commit):
    with commit():
        Membership.objects.filter(pk=owner.membership.pk).delete()

    assert owner.owners_page() == 404


def test_a_bulk_created_membership_is_seen_by_the_next_request(owner, commit):
    newcomer = UserFactory()
    client = Client()
    client.force_login(newcomer)
    url = f"/orgs/{owner.membership.organization.public_id}/"
    assert client.get(url).status_code == 404  # "no permissions" is cached too

    with commit():
        Membership.objects.bulk_create(
            [Membership(organization=owner.membership.organization, user=newcomer, role=Role.VIEWER)]
        )

    assert client.get(url).status_code == 200


def test_a_queryset_update_that_revokes_api_keys_is_seen_by_the_next_request(owner, commit):
    with commit():
        _, token = owner.make_key()
    url = f"/api/{VERSIONS.latest.name}/organizations/{owner.membership.organization.public_id}/widgets/"
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get(url).status_code == 200

    with commit():
        ApiKey.objects.filter(organization=owner.membership.organization).update(revoked_at=timezone.now())

    assert api.get(url).status_code == 401


def test_a_write_that_changes_no_access_invalidates_nothing(owner, commit, django_assert_num_queries):
    # "Last used" is written by a job on every use of a key: it must stay one query.
    with commit():
        key, _ = owner.make_key()
    with django_assert_num_queries(1), commit():
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


def test_a_data_migration_that_records_its_changes_is_seen_after_the_replay(owner, commit):
    # What docs/auth.md tells a migration (raw SQL or historical models) to do: record the pairs it changes.
    membership, organization = Membership._meta.db_table, owner.membership.organization._meta.db_table
    with commit(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {membership} SET role = %s WHERE id = %s", [Role.VIEWER, owner.membership.pk])  # noqa: S608
        cursor.execute(
            "INSERT INTO organizations_permissioninvalidation (organization_public_id, user_id, created_at) "  # noqa: S608
            f"SELECT o.public_id, m.user_id, %s FROM {membership} m JOIN {organization} o ON o.id = m.organization_id "
            "WHERE m.id = %s",
            [timezone.now(), owner.membership.pk],
        )
    assert owner.owners_page() == 200  # until the scheduled replay runs (every minute)

    assert permissions.replay_pending_invalidations(older_than_seconds=0) >= 1

    assert owner.owners_page() == 403
