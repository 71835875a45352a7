"""Every write to organizations, memberships and invitations goes through here.

Cached permissions are invalidated by the model writes themselves (organizations.invalidation).
"""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from {{ cookiecutter.project_slug }}.accounts.events import AccountDeleting
from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core import events
from {{ cookiecutter.project_slug }}.core.email import render_mail
from {{ cookiecutter.project_slug }}.core.exceptions import Conflict, Gone, InvalidInput, NotFound, PermissionDenied

from .events import (
    InvitationRequested,
    MemberAdded,
    MemberRemoved,
    MemberRoleChanged,
    OrganizationUpdated,
    member_data,
)
from .models import Invitation, Membership, Organization, Role
from .permissions import Perm, has_permission
from .principals import Principal

MAX_NAME_LENGTH = 100


def _require(actor: Principal, organization: Organization, permission: str) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=permission):
        raise PermissionDenied("You do not have permission to do that in this organization.")


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("An organization needs a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"An organization name can be at most {MAX_NAME_LENGTH} characters long.")
    return name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Organizations --------------------------------------------------------------


@transaction.atomic
def organization_create(*, name: str, owner: User) -> Organization:
    organization = Organization.objects.create(name=_clean_name(name))
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    return organization


@transaction.atomic
def organization_rename(*, organization: Organization, name: str, actor: Principal) -> Organization:
    _require(actor, organization, Perm.ORGANIZATION_UPDATE)
    organization.name = _clean_name(name)
    organization.save(update_fields=["name"])
    events.emit(OrganizationUpdated(organization=organization))
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization, actor: Principal) -> None:
    _require(actor, organization, Perm.ORGANIZATION_DELETE)
    organization.delete()  # each membership and key deleted invalidates its permissions (organizations.invalidation)


# --- Memberships ----------------------------------------------------------------


def _lock_owners(organization: Organization) -> list[Membership]:
    """Lock the owner rows, so two owners demoting each other at once cannot leave none."""
    return list(
        Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER).order_by("pk")
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: Principal) -> Membership:
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    organization = membership.organization
    _require(actor, organization, Perm.MEMBERS_MANAGE)
    owners = _lock_owners(organization)
    membership.refresh_from_db(fields=["role"])
    if Role.OWNER in (membership.role, role) and not has_permission(
        user=actor, organization_public_id=organization.public_id, permission=Perm.ORGANIZATION_DELETE
    ):
        raise PermissionDenied("Only an owner can grant or take away the owner role.")
    if membership.role == Role.OWNER and role != Role.OWNER and len(owners) == 1:
        raise Conflict("The last owner cannot be demoted; make someone else an owner first.")
    if membership.role != role:
        previous, membership.role = membership.role, role
        membership.save(update_fields=["role"])
        events.emit(MemberRoleChanged(organization=organization, membership=membership, previous_role=previous))
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Principal) -> None:
    """Remove a member; members may remove themselves (leave)."""
    organization = membership.organization
    if membership.user_id != actor.pk:
        _require(actor, organization, Perm.MEMBERS_MANAGE)
    owners = _lock_owners(organization)
    membership.refresh_from_db(fields=["role"])
    if membership.role == Role.OWNER:
        if membership.user_id != actor.pk and not has_permission(
            user=actor, organization_public_id=organization.public_id, permission=Perm.ORGANIZATION_DELETE
        ):
            raise PermissionDenied("Only an owner can remove another owner.")
        if len(owners) == 1:
            raise Conflict("The last owner cannot leave or be removed; make someone else an owner first.")
    member = member_data(membership)
    membership.delete()
    events.emit(MemberRemoved(organization=organization, member=member))


# --- Invitations ----------------------------------------------------------------


def invitation_mail(invitation: Invitation, *, link: str) -> EmailMultiAlternatives:
    """The invitation mail (text and HTML), not yet sent."""
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "link": link,
        "expires_at": invitation.expires_at,
    }
    return render_mail(
        template="organizations/email/invitation",
        subject=f"[{settings.PROJECT_NAME}] You are invited to join {invitation.organization.name}",
        to=[invitation.email],
        context=context,
    )


def _send_invitation(invitation: Invitation, token: str, *, link_base: str) -> None:
    link = link_base.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    # The default mailer queues it; it leaves once this transaction commits.
    invitation_mail(invitation, link=link).send()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User, link_base: str
) -> Invitation:
    _require(invited_by, organization, Perm.INVITATIONS_MANAGE)
    email = email.strip()
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    if role == Role.OWNER and not has_permission(
        user=invited_by, organization_public_id=organization.public_id, permission=Perm.ORGANIZATION_DELETE
    ):
        raise PermissionDenied("Only an owner can invite another owner.")
    if organization.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {organization.name}.")
    events.emit(InvitationRequested(organization=organization, email=email, role=role))
    token, token_hash = _new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                role=role,
                token_hash=token_hash,
                invited_by=invited_by,
                sent_at=now,
                expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
            )
    except IntegrityError:
        raise Conflict(f"{email} already has an open invitation; re-send it instead.") from None
    _send_invitation(invitation, token, link_base=link_base)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Principal, link_base: str) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the expiry clock."""
    _require(actor, invitation.organization, Perm.INVITATIONS_MANAGE)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise Gone("This invitation is no longer open.")
    token, invitation.token_hash = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _send_invitation(invitation, token, link_base=link_base)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Principal) -> Invitation:
    _require(actor, invitation.organization, Perm.INVITATIONS_MANAGE)
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise Gone("This invitation is no longer open.")
    invitation.refresh_from_db()
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link points to, or NotFound; its state is checked on acceptance."""
    if not 20 <= len(token) <= 100:
        raise NotFound("This invitation link is not valid.")
    try:
        return Invitation.objects.select_related("organization", "invited_by").get(token_hash=hash_token(token))
    except Invitation.DoesNotExist:
        raise NotFound("This invitation link is not valid.") from None


def invitation_problem(invitation: Invitation) -> str | None:
    """Why this invitation cannot be accepted, or None."""
    if invitation.revoked_at:
        return "This invitation was withdrawn. Ask for a new one."
    if invitation.accepted_at:
        return "This invitation has already been used."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask for a new one."
    return None


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organization. Works once, even when two requests accept at the same moment."""
    invitation = invitation_for_token(token)
    problem = invitation_problem(invitation)
    if problem:
        raise Gone(problem)
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}. Sign in with that address (verified) to accept it."
        )
    # One conditional UPDATE decides the race: Postgres makes the second one wait
    # for the first to commit, then re-checks the condition and matches no row.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not claimed:
        raise Gone("This invitation has already been used.")
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    if created:
        events.emit(MemberAdded(organization=invitation.organization, membership=membership))
    return membership


def purge_expired_invitations(*, older_than_days: int = 30) -> int:
    """Delete invitations that closed (expired, used or withdrawn) long ago; return how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Invitation.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


# --- Accounts -------------------------------------------------------------------


def organizations_leave_on_account_deletion(event: AccountDeleting) -> None:
    """Subscriber of ``AccountDeleting`` (organizations.apps): delete the organizations only this user belongs to.

    Refused while the user is the only owner of an organization that has other
    members: ownership must be handed over first, or the organization deleted.
    """
    mine = Membership.objects.filter(user=event.user)
    # Count every membership of those organizations, not only this user's row.
    organizations = Organization.objects.filter(pk__in=mine.values("organization_id")).annotate(
        owners=Count("memberships", filter=Q(memberships__role=Role.OWNER)),
        members=Count("memberships"),
    )
    owned = set(mine.filter(role=Role.OWNER).values_list("organization_id", flat=True))
    blocking = [org.name for org in organizations if org.pk in owned and org.owners == 1 and org.members > 1]
    if blocking:
        raise Conflict(
            "You are the only owner of " + ", ".join(sorted(blocking)) + ". Make someone else an owner first."
        )
    # Deleting memberships and keys, by cascade too, invalidates their permissions (organizations.invalidation).
    Organization.objects.filter(pk__in=[org.pk for org in organizations if org.members == 1]).delete()
