"""Who may do what in an organization: one function, cached so a warm check costs no query.

Roles map to permission sets here, in code. ``has_permission`` answers every
question; pages and API permission classes call nothing else.

Principals are users and organization API keys (organizations.keys). A key is
cached and invalidated exactly like a user, under the principal id ``-key.pk``
(users have positive ids): its permission set is its scopes, empty once it is
revoked, so a revoke or a scope change is seen by the very next request.

Caching (after Sentry's versioned keys):

- The permission set of (organization, user) is memoised for the request and
  stored in the cache as ``(version, permissions)``; the current version sits
  under a second key. A check reads both keys in one round trip (MGET) and
  trusts the stored set only if its version is the current one.
- A role or membership change calls ``permissions_changed`` inside its
  transaction. Once the transaction commits, the version is replaced by a new
  random one, so the very next request recomputes from the database.
- A reader that read the old version before the change computes, at worst, the
  old permissions and stores them tagged with the old version: a dead entry
  nobody will trust. A stale grant can never be stored under the live version.
- Versions are random, not counters: if the cache loses a version key, a new
  version matches nothing stored before.
- If the cache is unreachable at the moment of the bump, the change is still
  recorded in the database (PermissionInvalidation, written in the same
  transaction) and a scheduled job replays it; stored sets also expire after
  PERMISSIONS_CACHE_TTL seconds. If the cache is down when checking, the
  check reads the database and the request succeeds.
"""

import logging
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core import requestcache

from .models import ApiKey, Membership, PermissionInvalidation, Role

logger = logging.getLogger(__name__)

VERSION_TTL = 30 * 24 * 3600  # an expired version is harmless: the next check makes a new one


class Perm(StrEnum):
    ORGANIZATION_VIEW = "organization.view"
    ORGANIZATION_UPDATE = "organization.update"
    ORGANIZATION_DELETE = "organization.delete"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    INVITATIONS_MANAGE = "invitations.manage"
    PROJECTS_VIEW = "projects.view"
    PROJECTS_EDIT = "projects.edit"
    API_KEYS_MANAGE = "api_keys.manage"
    WEBHOOKS_MANAGE = "webhooks.manage"


_READ = frozenset({Perm.ORGANIZATION_VIEW, Perm.MEMBERS_VIEW, Perm.PROJECTS_VIEW})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: _READ,
    Role.MEMBER: _READ | {Perm.PROJECTS_EDIT},
    Role.ADMIN: frozenset(Perm) - {Perm.ORGANIZATION_DELETE},
    Role.OWNER: frozenset(Perm),
}
NO_PERMISSIONS: frozenset[str] = frozenset()
# What an API key may be granted; every key may also see its own organization.
API_KEY_SCOPES: frozenset[str] = frozenset(
    {Perm.MEMBERS_VIEW, Perm.PROJECTS_VIEW, Perm.PROJECTS_EDIT, Perm.WEBHOOKS_MANAGE}
)


def _keys(organization_public_id: uuid.UUID, user_id: int) -> tuple[str, str]:
    suffix = f"{organization_public_id}:{user_id}"
    return f"perms:version:{suffix}", f"perms:set:{suffix}"


def _from_database(organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    if user_id < 0:
        return _key_from_database(organization_public_id, -user_id)
    role = (
        Membership.objects.filter(organization__public_id=organization_public_id, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )
    return ROLE_PERMISSIONS.get(role, NO_PERMISSIONS) if role else NO_PERMISSIONS


def _key_from_database(organization_public_id: uuid.UUID, key_id: int) -> frozenset[str]:
    scopes = (
        ApiKey.objects.filter(pk=key_id, organization__public_id=organization_public_id, revoked_at__isnull=True)
        .values_list("scopes", flat=True)
        .first()
    )
    if scopes is None:
        return NO_PERMISSIONS
    return (frozenset(scopes) & API_KEY_SCOPES) | {Perm.ORGANIZATION_VIEW}


def principal_id(user: Any) -> int | None:
    """The id permissions are cached under: a user's id, or minus an API key's id; None for nobody."""
    key_id = getattr(user, "api_key_id", None)
    if key_id is not None:
        return -int(key_id)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return int(user.pk)


def _from_cache(organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    version_key, set_key = _keys(organization_public_id, user_id)
    try:
        found: dict[str, Any] = cache.get_many([version_key, set_key])
        version = found.get(version_key)
        stored = found.get(set_key)
        if version is not None and stored is not None and stored[0] == version:
            return frozenset(stored[1])
        if version is None:
            cache.add(version_key, uuid.uuid4().hex, timeout=VERSION_TTL)
            version = cache.get(version_key)
    except Exception:
        logger.warning("permission cache unreachable; reading the database", exc_info=True)
        return _from_database(organization_public_id, user_id)
    # The version was read before the database: if a change commits meanwhile,
    # what we store is tagged with a version that is already dead.
    permissions = _from_database(organization_public_id, user_id)
    if version is not None:
        try:
            cache.set(set_key, (version, sorted(permissions)), timeout=settings.PERMISSIONS_CACHE_TTL)
        except Exception:
            logger.warning("permission cache unreachable; not storing", exc_info=True)
    return permissions


def permissions_for(*, organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    """The permission set of a user in an organization (empty if not a member)."""
    memo = requestcache.memo()
    key = ("perms", organization_public_id, user_id)
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[no-any-return]
    permissions = _from_cache(organization_public_id, user_id)
    if memo is not None:
        memo[key] = permissions
    return permissions


def has_permission(*, user: Any, organization_public_id: uuid.UUID, permission: str) -> bool:
    """May this user (or API key) do ``permission`` in this organization? The one question every check asks."""
    principal = principal_id(user)
    if principal is None:
        return False
    return permission in permissions_for(organization_public_id=organization_public_id, user_id=principal)


def bump(organization_public_id: uuid.UUID, user_id: int) -> bool:
    """Make the cached permissions of (organization, user) dead. False if the cache was unreachable."""
    version_key, _ = _keys(organization_public_id, user_id)
    try:
        cache.set(version_key, uuid.uuid4().hex, timeout=VERSION_TTL)
    except Exception:
        logger.warning("could not bump permissions of user %s in %s", user_id, organization_public_id, exc_info=True)
        return False
    return True


def permissions_changed(*, organization_public_id: uuid.UUID, user_id: int) -> None:
    """Call inside the transaction that changes a role, a membership or an API key.

    The change is recorded durably now; the cached permissions are made dead once
    the transaction commits (and the record deleted), or by the replay job if the
    cache cannot be reached then.
    """
    record = PermissionInvalidation.objects.create(organization_public_id=organization_public_id, user_id=user_id)
    memo = requestcache.memo()
    if memo is not None:
        memo.pop(("perms", organization_public_id, user_id), None)

    def after_commit() -> None:
        if memo is not None:
            memo.pop(("perms", organization_public_id, user_id), None)
        if bump(organization_public_id, user_id):
            PermissionInvalidation.objects.filter(pk=record.pk).delete()

    transaction.on_commit(after_commit)


def replay_pending_invalidations(*, older_than_seconds: int = 5) -> int:
    """Bump the versions of changes whose bump was not confirmed; return how many were replayed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    replayed = 0
    for record in PermissionInvalidation.objects.filter(created_at__lt=cutoff).order_by("pk")[:1000]:
        if bump(record.organization_public_id, record.user_id):
            record.delete()
            replayed += 1
    return replayed
