"""The platform's page forms refuse what no page of theirs would send, and change nothing they should not.

Junk, oversize values, NUL and another organization's ids, with and without htmx: each answer is a
redirect with a message or a 4xx page, never a 500, and no row of the other organization changes.
"""

import pytest

from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Invitation, Membership, Role

from tests.conftest import sign_in
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

JUNK = ["", "abc", "-1", "9" * 30, "\x00", "x" * 5000]
REFUSED = {302, 400, 403, 404}  # a redirect carries the message; the rest are the error pages


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER, user=VerifiedUserFactory())


@pytest.fixture
def theirs():
    """Another organization, with a member, an open invitation and a key of its own."""
    from {{ cookiecutter.project_slug }}.organizations import keys, services

    other = MembershipFactory(role=Role.OWNER)
    member = MembershipFactory(organization=other.organization, role=Role.MEMBER)
    invitation = services.invitation_create(
        organization=other.organization, email="x@example.com", role=Role.MEMBER, invited_by=other.user, link_base="/"
    )
    key, _ = keys.api_key_create(
        organization=other.organization, actor=other.user, name="theirs", scopes=["members.view"], expires_in_days=None
    )
    return member, invitation, key


def snapshot() -> list[list[tuple[object, object]]]:
    return [
        sorted(Membership.objects.values_list("pk", "role")),
        sorted(Invitation.objects.values_list("pk", "revoked_at")),
        sorted(ApiKey.objects.values_list("pk", "revoked_at")),
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("action", ["role", "remove"])
@pytest.mark.parametrize("member", [*JUNK, "theirs"])
def test_the_members_form_with_a_bad_or_foreign_member(client, owner, theirs, htmx, action, member):
    client.force_login(owner.user)
    before = snapshot()
    their_member = theirs[0]
    data = {"member": their_member.pk if member == "theirs" else member, "action": action, "role": "admin"}

    response = client.post(
        f"/orgs/{owner.organization.public_id}/members/", data, headers={"HX-Request": "true"} if htmx else {}
    )

    assert response.status_code in REFUSED, response.content[:300]
    assert snapshot() == before


@pytest.mark.parametrize("role", ["", "emperor", "OWNER", "\x00", "x" * 5000, "owner\x00"])
def test_the_members_form_with_a_bad_role_changes_nothing(client, owner, role):
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client.force_login(owner.user)

    response = client.post(
        f"/orgs/{owner.organization.public_id}/members/", {"member": member.pk, "action": "role", "role": role}
    )

    assert response.status_code in REFUSED
    member.refresh_from_db()
    assert member.role == Role.MEMBER


@pytest.mark.parametrize("action", ["revoke", "resend", "\x00"])
@pytest.mark.parametrize("invitation", [*JUNK, "theirs"])
def test_the_invitations_form_with_a_bad_or_foreign_invitation(client, owner, theirs, action, invitation):
    client.force_login(owner.user)
    before = snapshot()
    data = {"invitation": str(theirs[1].public_id) if invitation == "theirs" else invitation, "action": action}

    response = client.post(f"/orgs/{owner.organization.public_id}/invitations/", data)

    assert response.status_code in REFUSED  # "send" without an address: 400, the form shown with its errors
    assert snapshot() == before


@pytest.mark.parametrize("key", [*JUNK, "theirs"])
def test_the_api_keys_form_cannot_revoke_a_bad_or_foreign_key(client, owner, theirs, key):
    client.force_login(owner.user)
    before = snapshot()

    response = client.post(
        f"/orgs/{owner.organization.public_id}/api-keys/",
        {"action": "revoke", "key": str(theirs[2].public_id) if key == "theirs" else key},
    )

    assert response.status_code in REFUSED
    assert snapshot() == before


@pytest.mark.parametrize("path", ["members/", "invitations/", "api-keys/", "settings/", "delete/", "billing/portal/"])
def test_posting_to_another_organizations_pages_is_a_404_and_changes_nothing(client, owner, theirs, path):
    sign_in(client, owner.user, reauthenticate=True)  # deleting asks for the password again first
    before = snapshot()
    other = theirs[0].organization

    response = client.post(
        f"/orgs/{other.public_id}/{path}", {"member": theirs[0].pk, "action": "remove", "name": "Mine now"}
    )

    assert response.status_code == 404
    assert snapshot() == before
    other.refresh_from_db()
    assert other.name != "Mine now"


@pytest.mark.parametrize("plan", ["", "enterprise", "PRO", "\x00", "x" * 5000, "free"])
def test_the_billing_forms_refuse_a_bad_plan_with_a_message(client, owner, plan):
    client.force_login(owner.user)

    response = client.post(f"/orgs/{owner.organization.public_id}/billing/checkout/", {"plan": plan}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/orgs/{owner.organization.public_id}/billing/"
    assert "alert" in response.text or "toast" in response.text
