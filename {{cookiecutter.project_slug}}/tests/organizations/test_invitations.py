"""Invitations: hashed, expiring, bound to an address, single-use even under concurrent acceptance."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import close_old_connections
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.exceptions import Conflict, Gone, NotFound, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations import services
from {{ cookiecutter.project_slug }}.organizations.models import Invitation, Membership, Role

from tests.factories import MembershipFactory, VerifiedUserFactory

LINK = re.compile(r"https?://[^/\s]+/invitations/([^/\s]+)/")
BASE = "https://app.example.com/"


def invite(owner: Membership, email: str, role: Role = Role.MEMBER) -> Invitation:
    return services.invitation_create(
        organization=owner.organization, email=email, role=role, invited_by=owner.user, link_base=BASE
    )


def invitation_token_from_outbox():
    return LINK.search(mail.outbox[-1].body).group(1)


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def jobs_now(jobs, commit):
    """Call a service, commit, deliver the queued mail; return its result and the emailed token."""

    def run(action, *args, **kwargs):
        with commit():
            result = action(*args, **kwargs)
        jobs.run()
        return result, invitation_token_from_outbox()

    return run


def test_only_a_hash_of_the_token_is_stored_and_the_link_works(owner, jobs_now):
    invitation, token = jobs_now(invite, owner, "new@example.com")

    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.token_hash == services.hash_token(token)
    assert services.invitation_for_token(token) == invitation


def test_the_link_expires_after_seven_days_by_default(owner, jobs_now):
    invitation, _ = jobs_now(invite, owner, "new@example.com")

    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)


def test_accepting_requires_the_invited_address_verified(owner, jobs_now):
    _, token = jobs_now(invite, owner, "invited@example.com")
    stranger = VerifiedUserFactory(email="someone-else@example.com")

    with pytest.raises(PermissionDenied, match=r"sent to invited@example\.com"):
        services.invitation_accept(token=token, user=stranger)

    assert not Membership.objects.filter(user=stranger).exists()


def test_an_invitation_works_once(owner, jobs_now):
    _, token = jobs_now(invite, owner, "invited@example.com")
    user = VerifiedUserFactory(email="invited@example.com")

    membership = services.invitation_accept(token=token, user=user)
    assert membership.organization == owner.organization
    assert membership.role == Role.MEMBER

    with pytest.raises(Gone, match="already been used"):
        services.invitation_accept(token=token, user=user)


def test_a_withdrawn_invitation_cannot_be_accepted(owner, jobs_now):
    invitation, token = jobs_now(invite, owner, "invited@example.com")
    services.invitation_revoke(invitation=invitation, actor=owner.user)

    with pytest.raises(Gone, match="withdrawn"):
        services.invitation_accept(token=token, user=VerifiedUserFactory(email="invited@example.com"))


def test_an_expired_invitation_cannot_be_accepted(owner, jobs_now):
    invitation, token = jobs_now(invite, owner, "invited@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(Gone, match="expired"):
        services.invitation_accept(token=token, user=VerifiedUserFactory(email="invited@example.com"))


def test_re_sending_replaces_the_link(owner, jobs_now):
    invitation, old_token = jobs_now(invite, owner, "invited@example.com")
    _, new_token = jobs_now(services.invitation_resend, invitation=invitation, actor=owner.user, link_base=BASE)

    assert new_token != old_token
    with pytest.raises(NotFound):
        services.invitation_for_token(old_token)
    assert services.invitation_accept(token=new_token, user=VerifiedUserFactory(email="invited@example.com"))


def test_one_open_invitation_per_address(owner, jobs_now):
    jobs_now(invite, owner, "twice@example.com")

    with pytest.raises(Conflict, match="already has an open invitation"):
        invite(owner, "TWICE@example.com")


def test_members_are_not_invited_again(owner):
    with pytest.raises(Conflict, match="already a member"):
        invite(owner, owner.user.email.upper())


def test_only_owners_and_admins_invite(owner):
    viewer = MembershipFactory(organization=owner.organization, role=Role.VIEWER)

    with pytest.raises(PermissionDenied):
        invite(viewer, "new@example.com")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_make_one_membership(jobs):
    owner = MembershipFactory(role=Role.OWNER)
    invite(owner, "race@example.com")
    jobs.run()
    token = invitation_token_from_outbox()
    user = VerifiedUserFactory(email="race@example.com")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            start.wait()
            services.invitation_accept(token=token, user=user)
            outcomes.append("joined")
        except Gone:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["joined", "refused"]
    assert Membership.objects.filter(organization=owner.organization, user=user).count() == 1
