"""The rules users expect of organizations and roles."""

import pytest

from {{ cookiecutter.project_slug }}.core.exceptions import Conflict, InvalidInput, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations import services
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role

from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory()


def member(org, role):
    return MembershipFactory(organization=org, role=role)


def test_the_creator_becomes_the_owner():
    user = VerifiedUserFactory()

    organization = services.organization_create(name="  Acme   Labs ", owner=user)

    assert organization.name == "Acme Labs"
    assert Membership.objects.get(organization=organization, user=user).role == Role.OWNER


@pytest.mark.parametrize(("name", "problem"), [("   ", "needs a name"), ("x" * 101, "at most 100")])
def test_an_organization_name_must_be_sensible(name, problem):
    with pytest.raises(InvalidInput, match=problem):
        services.organization_create(name=name, owner=VerifiedUserFactory())


def test_a_user_can_belong_to_several_organizations():
    user = VerifiedUserFactory()
    first = services.organization_create(name="One", owner=user)
    second = OrganizationFactory()
    MembershipFactory(organization=second, user=user, role=Role.VIEWER)

    assert set(Organization.objects.filter(memberships__user=user)) == {first, second}


def test_the_last_owner_cannot_be_demoted(org):
    owner = member(org, Role.OWNER)

    with pytest.raises(Conflict, match="last owner"):
        services.membership_change_role(membership=owner, role=Role.ADMIN, actor=owner.user)

    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_the_last_owner_cannot_leave_or_be_removed(org):
    owner = member(org, Role.OWNER)

    with pytest.raises(Conflict, match="last owner"):
        services.membership_remove(membership=owner, actor=owner.user)

    assert Membership.objects.filter(pk=owner.pk).exists()


def test_an_owner_can_leave_once_there_is_another_owner(org):
    first, second = member(org, Role.OWNER), member(org, Role.OWNER)

    services.membership_remove(membership=first, actor=first.user)

    assert list(org.memberships.all()) == [second]


def test_an_admin_manages_members_but_not_owners(org):
    owner, admin, viewer = member(org, Role.OWNER), member(org, Role.ADMIN), member(org, Role.VIEWER)

    services.membership_change_role(membership=viewer, role=Role.MEMBER, actor=admin.user)
    with pytest.raises(PermissionDenied, match="Only an owner"):
        services.membership_change_role(membership=viewer, role=Role.OWNER, actor=admin.user)
    with pytest.raises(PermissionDenied, match="Only an owner"):
        services.membership_remove(membership=owner, actor=admin.user)

    viewer.refresh_from_db()
    assert viewer.role == Role.MEMBER


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_manage_anyone(org, role):
    actor, other = member(org, role), member(org, Role.MEMBER)

    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=other, role=Role.VIEWER, actor=actor.user)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=other, actor=actor.user)


def test_an_unknown_role_is_refused(org):
    owner, other = member(org, Role.OWNER), member(org, Role.MEMBER)

    with pytest.raises(InvalidInput, match="Unknown role 'superuser'"):
        services.membership_change_role(membership=other, role="superuser", actor=owner.user)


def test_only_an_owner_deletes_the_organization(org):
    owner, admin = member(org, Role.OWNER), member(org, Role.ADMIN)

    with pytest.raises(PermissionDenied):
        services.organization_delete(organization=org, actor=admin.user)
    services.organization_delete(organization=org, actor=owner.user)

    assert not Organization.objects.filter(pk=org.pk).exists()
