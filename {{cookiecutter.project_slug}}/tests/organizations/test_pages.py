"""The organization pages: create, switch, manage members, invite and accept; bad input never a 500."""

import re

import pytest
from django.core import mail

from {{ cookiecutter.project_slug }}.organizations.models import Invitation, Membership, Organization, Role

from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/invitations/[^/\s]+/)")


def test_create_an_organization_from_the_page(client, verified_user):
    client.force_login(verified_user)

    response = client.post("/orgs/", {"name": "Rocket Shop"})

    organization = Organization.objects.get(name="Rocket Shop")
    assert response["Location"] == f"/orgs/{organization.public_id}/"
    assert client.get("/").content.decode().count("Rocket Shop") >= 1


def test_an_oversize_name_is_refused_on_the_page(client, verified_user):
    client.force_login(verified_user)

    response = client.post("/orgs/", {"name": "x" * 500})

    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert not Organization.objects.exists()


def test_the_switcher_only_switches_to_own_organizations(client):
    mine, theirs = MembershipFactory(), MembershipFactory()
    client.force_login(mine.user)

    assert client.post("/orgs/switch/", {"organization": str(theirs.organization.public_id)}).status_code == 404
    response = client.post("/orgs/switch/", {"organization": str(mine.organization.public_id)})

    assert response.status_code == 302
    assert client.session["organization"] == str(mine.organization.public_id)


def test_an_owner_changes_a_role_and_a_bad_role_gets_a_message(client):
    owner = MembershipFactory(role=Role.OWNER)
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client.force_login(owner.user)
    url = f"/orgs/{owner.organization.public_id}/members/"

    client.post(url, {"member": member.pk, "action": "role", "role": "admin"})
    bad = client.post(url, {"member": member.pk, "action": "role", "role": "emperor"}, follow=True)

    member.refresh_from_db()
    assert member.role == Role.ADMIN
    assert "Choose one of the listed roles." in bad.content.decode()


def test_a_role_change_from_htmx_answers_with_the_row_and_the_toasts_alone(client):
    owner = MembershipFactory(role=Role.OWNER)
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client.force_login(owner.user)
    url = f"/orgs/{owner.organization.public_id}/members/"

    response = client.post(
        url, {"member": member.pk, "action": "role", "role": "admin"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="member-{member.pk}"')
    assert f'<tr id="member-{member.pk}"' in html
    assert "<html" not in html
    assert 'id="toasts" hx-swap-oob="true"' in html
    assert f"{member.user.email} is now Admin." in html
    member.refresh_from_db()
    assert member.role == Role.ADMIN


def test_the_last_owner_sees_why_they_cannot_leave(client):
    owner = MembershipFactory(role=Role.OWNER)
    client.force_login(owner.user)

    response = client.post(
        f"/orgs/{owner.organization.public_id}/members/", {"member": owner.pk, "action": "remove"}, follow=True
    )

    assert "The last owner cannot leave" in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()


def invite_through_the_page(client, owner, email, role, jobs, capture):
    """Send an invitation from the organization's page as ``owner``; return the emailed link's path."""
    client.force_login(owner.user)
    with capture(execute=True):
        client.post(
            f"/orgs/{owner.organization.public_id}/invitations/", {"action": "send", "email": email, "role": role}
        )
    jobs.run()
    return LINK.search(mail.outbox[-1].body).group(1)


def test_invite_then_accept_through_the_pages(client, jobs, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role=Role.OWNER)
    accept_path = invite_through_the_page(
        client, owner, "friend@example.com", "viewer", jobs, django_capture_on_commit_callbacks
    )
    friend = VerifiedUserFactory(email="friend@example.com")
    client.force_login(friend)

    page = client.get(accept_path)
    assert f"Join {owner.organization.name}" in page.content.decode()
    response = client.post(accept_path)

    assert response["Location"] == f"/orgs/{owner.organization.public_id}/"
    assert Membership.objects.get(user=friend).role == Role.VIEWER
    again = client.post(accept_path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_anonymous_visitor_is_asked_to_sign_in_with_the_invited_address(
    client, jobs, django_capture_on_commit_callbacks
):
    owner = MembershipFactory(role=Role.OWNER)
    accept_path = invite_through_the_page(
        client, owner, "friend@example.com", "member", jobs, django_capture_on_commit_callbacks
    )
    client.logout()

    page = client.get(accept_path).content.decode()

    assert "Sign in or create an account with <strong>friend@example.com</strong>" in page
    assert f"?next={accept_path}" in page.replace("%2F", "/")


@pytest.mark.parametrize("token", ["short", "x" * 43, "y" * 500])
def test_a_bogus_invitation_link_is_a_404_page(client, token):
    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_bad_invitation_input_is_refused_with_a_message(client):
    owner = MembershipFactory(role=Role.OWNER)
    client.force_login(owner.user)
    url = f"/orgs/{owner.organization.public_id}/invitations/"

    not_email = client.post(url, {"action": "send", "email": "nope", "role": "member"})
    bad_role = client.post(url, {"action": "send", "email": "ok@example.com", "role": "god"})
    unknown = client.post(url, {"action": "revoke", "invitation": "not-a-uuid"})

    assert not_email.status_code == bad_role.status_code == 400
    assert "Enter a valid email address." in not_email.content.decode()
    assert "Select a valid choice." in bad_role.content.decode()
    assert unknown.status_code == 404
    assert not Invitation.objects.exists()


def test_an_expired_invitation_link_shows_a_clear_page(client, jobs, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    owner = MembershipFactory(role=Role.OWNER)
    accept_path = invite_through_the_page(
        client, owner, "late@example.com", "member", jobs, django_capture_on_commit_callbacks
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(VerifiedUserFactory(email="late@example.com"))

    for response in (client.get(accept_path), client.post(accept_path)):
        assert response.status_code == 410
        assert "This invitation has expired. Ask for a new one." in response.content.decode()
    assert not Membership.objects.filter(user__email="late@example.com").exists()
