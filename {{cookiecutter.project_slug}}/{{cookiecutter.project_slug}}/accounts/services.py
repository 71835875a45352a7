"""Writes to user accounts."""

from allauth.account.models import EmailAddress
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest

from {{ cookiecutter.project_slug }}.core import events
from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput

from .events import AccountDeleting
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
    """Delete the account, once every subscriber of ``AccountDeleting`` has had its say.

    Organizations (organizations.services.organizations_leave_on_account_deletion) refuses while
    the user is the only owner of an organization with other members, and deletes the ones only
    this user belongs to.
    """
    events.emit(AccountDeleting(user=user))
    if request is not None:
        logout(request)
    user.delete()


def as_user(value: object) -> User:
    if not isinstance(value, User):
        raise TypeError("expected a signed-in user")
    return value
