"""Tenancy: organizations, the people in them, and invitations to join."""

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from {{ cookiecutter.project_slug }}.core.events import Event, emit
from {{ cookiecutter.project_slug }}.core.ids import uuid7


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# The fields whose change changes what a member, or an API key, may do.
MEMBERSHIP_ACCESS_FIELDS = frozenset({"role", "user", "user_id", "organization", "organization_id"})
API_KEY_ACCESS_FIELDS = frozenset({"scopes", "revoked_at", "organization", "organization_id"})
_OWNER_FIELDS = frozenset({"user", "user_id", "organization", "organization_id"})


@dataclass(frozen=True, kw_only=True)
class AccessChanged(Event):
    """A bulk write changed what these (organization public id, principal id) pairs may do.

    Announced, not called: the permission cache (organizations.permissions) sits above these models and
    subscribes (organizations.invalidation.connect).
    """

    pairs: tuple[tuple[uuid.UUID, int], ...]


def _access_changed(pairs: Iterable[tuple[uuid.UUID, int]]) -> None:
    emit(AccessChanged(pairs=tuple(pairs)))


class MembershipQuerySet(models.QuerySet["Membership"]):
    """Bulk writes send no signals: these invalidate the cached permissions they change themselves.

    ``bulk_update()`` goes through ``update()``; ``delete()`` sends the signals that
    organizations.invalidation receives. Data migrations use historical models, which
    have none of this: docs/auth.md says what they must do.
    """

    def update(self, **kwargs: object) -> int:
        if not MEMBERSHIP_ACCESS_FIELDS & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            rows = list(self.values_list("pk", "organization__public_id", "user_id"))
            updated = super().update(**kwargs)
            pairs = {(organization, user) for _, organization, user in rows}
            if _OWNER_FIELDS & kwargs.keys():  # the row now belongs to someone else, or elsewhere
                moved = Membership._base_manager.using(self.db).filter(pk__in=[pk for pk, _, _ in rows])
                pairs.update(moved.values_list("organization__public_id", "user_id"))
            _access_changed(pairs)
        return updated

    def bulk_create(
        self,
        objs: Iterable["Membership"],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list["Membership"]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(
                objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields
            )
            public_ids = dict(
                Organization.objects.using(self.db)
                .filter(pk__in={membership.organization_id for membership in created})
                .values_list("pk", "public_id")
            )
            _access_changed((public_ids[m.organization_id], m.user_id) for m in created)
        return created


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    """``update()`` of scopes or revocation invalidates the keys' cached permissions (see MembershipQuerySet)."""

    def update(self, **kwargs: object) -> int:
        if not API_KEY_ACCESS_FIELDS & kwargs.keys():
            return super().update(**kwargs)  # e.g. last_used_at, written by a job on every use
        with transaction.atomic(using=self.db):
            rows = list(self.values_list("pk", "organization__public_id"))
            updated = super().update(**kwargs)
            pairs = {(organization, -pk) for pk, organization in rows}
            if _OWNER_FIELDS & kwargs.keys():
                moved = ApiKey._base_manager.using(self.db).filter(pk__in=[pk for pk, _ in rows])
                pairs.update(
                    (organization, -pk) for pk, organization in moved.values_list("pk", "organization__public_id")
                )
            _access_changed(pairs)
        return updated


class Organization(models.Model):
    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "user"], name="organizations_membership_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "organization"], name="organizations_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} as {self.role}"


class Invitation(models.Model):
    """An invitation to one email address; only a SHA-256 hash of its token is stored."""

    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # One open invitation per address and organization; re-sending reuses it.
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="organizations_invitation_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.organization_id}"


class PermissionInvalidation(models.Model):
    """A permission change whose cache bump has not been confirmed yet.

    Written in the same transaction as the role or membership change and deleted
    once the cache version is bumped; if the cache was unreachable at that
    moment, a scheduled job replays the bump (organizations.tasks).
    """

    organization_public_id = models.UUIDField()
    user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"permissions of user {self.user_id} in {self.organization_public_id}"


class ApiKey(models.Model):
    """An organization's key for integrations (organizations.keys). Only a SHA-256 hash of its secret is stored.

    A key belongs to the organization, not to the person who made it: it keeps
    working when they leave, until it expires or someone revokes it.
    """

    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    secret_hash = models.CharField(max_length=64)
    hint = models.CharField(max_length=4)  # the token's last characters, to tell keys apart in lists
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"API key {self.name!r} of {self.organization_id}"
