"""Writes to user accounts."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import logout
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest

from {{ cookiecutter.project_slug }}.core.exceptions import Conflict, InvalidInput
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role
from {{ cookiecutter.project_slug }}.organizations.permissions import permissions_changed

from .models import User

MAX_NAME_LENGTH = 150


@transaction.atomic
def user_update_profile(*, user: User, name: str) -> User:
    name = " ".join(name.split())
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A name can be at most {MAX_NAME_LENGTH} characters long.")
    user.name = name
    user.save(update_fields=["name"])
    return user


@transaction.atomic
def user_ensure_verified(*, email: str, password: str, name: str) -> tuple[User, bool]:
    """Create, or reset to this password and reactivate, an account that can sign in at once.

    Its address is marked verified without an email: for accounts operators make (the smoke
    test's, the load profile's), never for people signing up. Returns the user and whether it is new.
    """
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email, password, name=name)
    else:
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    return user, created


@transaction.atomic
def user_delete(*, user: User, request: HttpRequest | None = None) -> None:
    """Delete the account and the organizations only this user belongs to.

    Refused while the user is the only owner of an organization that has other
    members: ownership must be handed over first, or the organization deleted.
    """
    mine = Membership.objects.filter(user=user)
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
    Organization.objects.filter(pk__in=[org.pk for org in organizations if org.members == 1]).delete()
    for membership in user.memberships.select_related("organization"):
        permissions_changed(organization_public_id=membership.organization.public_id, user_id=user.pk)
    if request is not None:
        logout(request)
    user.delete()


def as_user(value: Any) -> User:
    if not isinstance(value, User):
        raise TypeError("expected a signed-in user")
    return value
