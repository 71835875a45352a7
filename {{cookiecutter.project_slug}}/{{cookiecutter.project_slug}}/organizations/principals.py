"""Who acts in an organization: a person signed in, an organization's API key, or nobody.

Services name the acting principal ``actor: Principal``; ``permissions.has_permission``
answers for each kind (a visitor who is not signed in may do nothing). An API key acts
as ``ApiKeyUser`` (``request.user`` of a request made with a key, organizations.keys).
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from {{ cookiecutter.project_slug }}.accounts.models import User


@dataclass(frozen=True)
class ApiKeyUser:
    """``request.user`` of a request made with an API key: the key acts, not a person."""

    api_key_id: int
    public_id: uuid.UUID
    organization_public_id: uuid.UUID
    pk = None
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __str__(self) -> str:
        return f"API key {self.public_id}"


type Principal = User | ApiKeyUser | AnonymousUser


def as_principal(value: object) -> Principal:
    """``request.user`` as the principal it is; anything else is a programming error."""
    if isinstance(value, User | ApiKeyUser | AnonymousUser):
        return value
    raise TypeError(f"expected a user, an API key's principal or an anonymous visitor, not {value!r}")
