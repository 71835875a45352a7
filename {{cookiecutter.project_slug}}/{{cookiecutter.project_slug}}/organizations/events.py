"""What happens in an organization, announced through ``core.events`` for higher apps to react to.

Each event names itself (``name``, as webhooks and logs call it) and says what a
receiver outside the product may learn (``data``): public ids, never database keys.
"""

from dataclasses import dataclass
from typing import ClassVar

from {{ cookiecutter.project_slug }}.core.events import Event

from .models import Membership, Organization


def member_data(membership: Membership) -> dict[str, str]:
    """What a receiver learns about a member."""
    return {"user": str(membership.user.public_id), "email": membership.user.email, "role": membership.role}


@dataclass(frozen=True, kw_only=True)
class OrganizationEvent(Event):
    """Something happened in ``organization``."""

    name: ClassVar[str]
    description: ClassVar[str]
    organization: Organization

    def data(self) -> dict[str, str]:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class OrganizationUpdated(OrganizationEvent):
    name = "organization.updated"
    description = "The organization's name changed."

    def data(self) -> dict[str, str]:
        return {"name": self.organization.name}


@dataclass(frozen=True, kw_only=True)
class MemberAdded(OrganizationEvent):
    name = "member.added"
    description = "Someone joined the organization."
    membership: Membership

    def data(self) -> dict[str, str]:
        return member_data(self.membership)


@dataclass(frozen=True, kw_only=True)
class MemberRoleChanged(OrganizationEvent):
    name = "member.role_changed"
    description = "A member's role changed."
    membership: Membership
    previous_role: str

    def data(self) -> dict[str, str]:
        return {**member_data(self.membership), "previous_role": self.previous_role}


@dataclass(frozen=True, kw_only=True)
class MemberRemoved(OrganizationEvent):
    name = "member.removed"
    description = "A member left or was removed."
    member: dict[str, str]  # taken before the row was deleted

    def data(self) -> dict[str, str]:
        return dict(self.member)


@dataclass(frozen=True, kw_only=True)
class InvitationRequested(Event):
    """Someone is about to be invited (sent before the invitation is made, inside ``invitation_create``).

    Not an ``OrganizationEvent``: nothing has happened yet, so webhooks never deliver it. A subscriber refuses the
    invitation by raising a ``DomainError``, whose message the inviter sees (billing: the plan's seat limit).
    """

    organization: Organization
    email: str
    role: str


EVENTS: tuple[type[OrganizationEvent], ...] = (OrganizationUpdated, MemberAdded, MemberRoleChanged, MemberRemoved)
