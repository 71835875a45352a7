"""Reads of tenant data, always scoped to an organization the user belongs to."""

import uuid

from django.db.models import QuerySet
from django.utils import timezone

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.exceptions import NotFound

from .models import Invitation, Membership, Organization, Role
from .permissions import Perm, has_permission
from .principals import Principal

ROLE_ORDER = {Role.OWNER: 0, Role.ADMIN: 1, Role.MEMBER: 2, Role.VIEWER: 3}


def parse_public_id(value: str | uuid.UUID) -> uuid.UUID:
    """A public id from a URL; anything malformed is simply not found."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound("No such organization.") from None


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def organization_for_member(*, user: Principal, public_id: str | uuid.UUID) -> Organization:
    """The organization, if the user may see it; otherwise NotFound (never another tenant's row)."""
    organization_id = parse_public_id(public_id)
    if not has_permission(user=user, organization_public_id=organization_id, permission=Perm.ORGANIZATION_VIEW):
        raise NotFound("No such organization.")
    try:
        return Organization.objects.get(public_id=organization_id)
    except Organization.DoesNotExist:
        raise NotFound("No such organization.") from None


def members_of(*, organization: Organization) -> list[Membership]:
    members = list(organization.memberships.select_related("user"))
    members.sort(key=lambda m: (ROLE_ORDER.get(Role(m.role), 9), m.user.email.lower()))
    return members


def membership_in(*, organization: Organization, membership_id: int | str) -> Membership:
    try:
        return organization.memberships.select_related("user", "organization").get(pk=int(membership_id))
    except (ValueError, Membership.DoesNotExist):
        raise NotFound("No such member in this organization.") from None


def open_invitations_of(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        organization.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-sent_at")
    )


def invitation_in(*, organization: Organization, public_id: str) -> Invitation:
    try:
        return organization.invitations.select_related("organization").get(public_id=uuid.UUID(public_id))
    except (ValueError, Invitation.DoesNotExist):
        raise NotFound("No such invitation in this organization.") from None


def is_expired(invitation: Invitation) -> bool:
    return invitation.expires_at <= timezone.now()
