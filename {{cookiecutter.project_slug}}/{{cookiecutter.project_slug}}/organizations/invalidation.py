"""Every write that changes who may do what invalidates the cached permissions, whoever makes it.

Services, the Django admin (inlines included), a shell, and cascades (a user or an
organization deleted) all save or delete model instances: the receivers below call
``permissions_changed`` for each membership or API key saved or deleted, and for
every membership of a user who is deactivated. ``QuerySet.update()``,
``bulk_update()`` and ``bulk_create()`` send no signals; the models' QuerySets
(organizations.models) invalidate what they change themselves. A data migration
works on historical models, which have neither: docs/auth.md says what it must do.

The receivers run inside the writing transaction, so the durable record
(PermissionInvalidation) commits or rolls back with the change.
"""

import uuid
from collections.abc import Collection

from django.conf import settings
from django.db.models.signals import post_save, pre_delete, pre_save

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core import events

from .models import API_KEY_ACCESS_FIELDS, AccessChanged, ApiKey, Membership, Organization
from .permissions import permissions_changed, permissions_changed_many


def _public_id(instance: Membership | ApiKey) -> uuid.UUID | None:
    """The organization's public id, without a query when the organization is already loaded."""
    if type(instance).organization.is_cached(instance):
        return instance.organization.public_id
    found: uuid.UUID | None = (
        Organization.objects.filter(pk=instance.organization_id).values_list("public_id", flat=True).first()
    )
    return found


def _touches(update_fields: Collection[str] | None, fields: frozenset[str]) -> bool:
    return update_fields is None or bool(fields & set(update_fields))


def membership_saving(
    sender: type[Membership], instance: Membership, update_fields: frozenset[str] | None, **kwargs: object
) -> None:
    """A membership handed to another user or organization (the admin allows it): the previous pair loses access."""
    if instance.pk is None or not _touches(update_fields, frozenset({"user", "organization"})):
        return
    previous = (
        Membership._base_manager.filter(pk=instance.pk)
        .values_list("organization_id", "organization__public_id", "user_id")
        .first()
    )
    if previous is not None and (previous[0], previous[2]) != (instance.organization_id, instance.user_id):
        permissions_changed(organization_public_id=previous[1], user_id=previous[2])


def membership_saved(sender: type[Membership], instance: Membership, **kwargs: object) -> None:
    organization_public_id = _public_id(instance)
    if organization_public_id is not None:
        permissions_changed(organization_public_id=organization_public_id, user_id=instance.user_id)


def membership_deleting(sender: type[Membership], instance: Membership, **kwargs: object) -> None:
    # Before the delete, so the organization can still be read when a cascade deletes both.
    membership_saved(sender, instance)


def api_key_saved(
    sender: type[ApiKey], instance: ApiKey, update_fields: frozenset[str] | None, **kwargs: object
) -> None:
    if _touches(update_fields, API_KEY_ACCESS_FIELDS):
        api_key_deleting(sender, instance)


def api_key_deleting(sender: type[ApiKey], instance: ApiKey, **kwargs: object) -> None:
    organization_public_id = _public_id(instance)
    if organization_public_id is not None:
        permissions_changed(organization_public_id=organization_public_id, user_id=-instance.pk)


def user_saved(
    sender: type[User], instance: User, created: bool, update_fields: frozenset[str] | None, **kwargs: object
) -> None:
    """A deactivated user: drop every cached permission set they have (checks refuse inactive users anyway)."""
    if created or instance.is_active or not _touches(update_fields, frozenset({"is_active"})):
        return
    memberships = Membership.objects.filter(user_id=instance.pk)
    permissions_changed_many(memberships.values_list("organization__public_id", "user_id"))


def access_changed(event: AccessChanged) -> None:
    """A bulk write of the models' QuerySets (organizations.models) changed access."""
    permissions_changed_many(event.pairs)


def connect() -> None:
    """Connect the receivers (OrganizationsConfig.ready)."""
    uid = "organizations.invalidation"
    events.subscribe(AccessChanged, access_changed)
    pre_save.connect(membership_saving, sender=Membership, dispatch_uid=f"{uid}.membership_saving")
    post_save.connect(membership_saved, sender=Membership, dispatch_uid=f"{uid}.membership_saved")
    pre_delete.connect(membership_deleting, sender=Membership, dispatch_uid=f"{uid}.membership_deleting")
    post_save.connect(api_key_saved, sender=ApiKey, dispatch_uid=f"{uid}.api_key_saved")
    pre_delete.connect(api_key_deleting, sender=ApiKey, dispatch_uid=f"{uid}.api_key_deleting")
    post_save.connect(user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid=f"{uid}.user_saved")
