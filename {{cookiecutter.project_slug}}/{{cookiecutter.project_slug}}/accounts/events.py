"""What happens to an account, announced through ``core.events`` for the apps that keep data about users."""

from dataclasses import dataclass

from {{ cookiecutter.project_slug }}.core.events import Event

from .models import User


@dataclass(frozen=True, kw_only=True)
class AccountDeleting(Event):
    """``user`` is about to be deleted, in this transaction; a subscriber may refuse (``Conflict``)."""

    user: User
