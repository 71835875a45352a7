"""Who may do what in an organization: one function, cached so a warm check costs no query.

Roles map to permission sets here, in code. ``has_permission`` answers every
question; pages and API permission classes call nothing else.

Principals are users and organization API keys (organizations.keys). A key is
cached and invalidated exactly like a user, under the principal id ``-key.pk``
(users have positive ids): its permission set is its scopes, empty once it is
revoked, so a revoke or a scope change is seen by the very next request.

Caching (after Sentry's versioned keys):

- The permission set of (organization, user) is memoised for the request and
  stored in the cache under one key; a version for the pair sits under a
  second key. A warm check is one GET of the stored set.
- A role or membership change calls ``permissions_changed`` inside its
  transaction. Once the transaction commits, the bump replaces the version by
  a new random one and deletes the stored set, atomically (MULTI), so the very
  next request recomputes from the database.
- A check that finds nothing reads the version first, then the database, and
  stores its result only if the version is still the one it read (a
  compare-and-set in one Lua script). A reader that read the old version before
  a change can therefore store nothing: either its write lands before the bump,
  which deletes it, or after, when the version no longer matches. A stale grant
  can never be stored and trusted.
- Versions are random, not counters: if the cache loses a version key, a new
  version matches no reader still holding the old one.
- If the cache is unreachable at the moment of the bump, the change is still
  recorded in the database (PermissionInvalidation, written in the same
  transaction) and a scheduled job replays it; stored sets also expire after
  PERMISSIONS_CACHE_TTL seconds. If the cache is down when checking, the
  check reads the database and the request succeeds.
- The atomic steps need Redis (django-redis) or the single-process local-memory
  cache of zero-service mode, where a lock makes them atomic; other cache
  backends are not supported here.
"""

import functools
import logging
import threading
import uuid
import weakref
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, transaction
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


@functools.lru_cache(maxsize=4096)
def _keys(organization_public_id: uuid.UUID, user_id: int) -> tuple[str, str]:
    # The {hash tag} keeps both keys in one Redis Cluster slot, as the Lua script needs.
    pair = "perms:{" + f"{organization_public_id}:{user_id}" + "}"
    return f"{pair}:version", f"{pair}:set"


def _from_database(organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    # From the primary, never a replica: right after a change is committed and the version
    # bumped, a lagging replica would still show the old role and the stale grant would be
    # cached under the new version. The cold path is rare.
    if user_id < 0:
        return _key_from_database(organization_public_id, -user_id)
    role = (
        Membership.objects.using(DEFAULT_DB_ALIAS)
        .filter(organization__public_id=organization_public_id, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )
    return ROLE_PERMISSIONS.get(role, NO_PERMISSIONS) if role else NO_PERMISSIONS


def _key_from_database(organization_public_id: uuid.UUID, key_id: int) -> frozenset[str]:
    scopes = (
        ApiKey.objects.using(DEFAULT_DB_ALIAS)
        .filter(pk=key_id, organization__public_id=organization_public_id, revoked_at__isnull=True)
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


# KEYS: version, set. ARGV: the version the reader read, the set, its TTL.
_STORE_IF_CURRENT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""
_LOCAL = threading.Lock()  # makes the steps atomic for the local-memory cache (one process)


class _Store:
    """The stored sets and versions: Redis through its raw client (plain strings, no pickling), else Django's cache."""

    def __init__(self, backend: Any) -> None:
        # A weak reference: the store is kept per cache object and must not keep it alive.
        self._backend = weakref.ref(backend)
        self.redis: Any = None
        if type(backend).__module__.startswith("django_redis"):
            self.redis = backend.client.get_client(write=True)
            self._store_if_current = self.redis.register_script(_STORE_IF_CURRENT)
        self.key = functools.lru_cache(maxsize=4096)(self._key)  # the hot path skips make_key

    @property
    def backend(self) -> Any:
        return self._backend()

    def _key(self, name: str) -> str:
        return str(self.backend.make_key(name))

    def read(self, set_key: str) -> str | None:
        """The stored permission list, or None if there is none."""
        if self.redis is not None:
            stored = self.redis.get(self.key(set_key))
            return stored.decode() if stored is not None else None
        found: str | None = self.backend.get(set_key)
        return found

    def current_version(self, version_key: str) -> str | None:
        """The current version, set to a new random one if there is none."""
        candidate = uuid.uuid4().hex
        if self.redis is not None:
            key = self.key(version_key)
            self.redis.set(key, candidate, nx=True, ex=VERSION_TTL)
            current = self.redis.get(key)
            return current.decode() if current is not None else None
        with _LOCAL:
            self.backend.add(version_key, candidate, timeout=VERSION_TTL)
            version: str | None = self.backend.get(version_key)
        return version

    def store_if_current(self, version_key: str, set_key: str, version: str, value: str, ttl: int) -> None:
        if self.redis is not None:
            self._store_if_current(keys=[self.key(version_key), self.key(set_key)], args=[version, value, ttl])
            return
        with _LOCAL:
            if self.backend.get(version_key) == version:
                self.backend.set(set_key, value, timeout=ttl)

    def bump(self, version_key: str, set_key: str) -> None:
        """A new version and no stored set, in one atomic step."""
        version = uuid.uuid4().hex
        if self.redis is not None:
            with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(self.key(version_key), version, ex=VERSION_TTL)
                pipe.delete(self.key(set_key))
                pipe.execute()
            return
        with _LOCAL:
            self.backend.set(version_key, version, timeout=VERSION_TTL)
            self.backend.delete(set_key)


_stores: "weakref.WeakKeyDictionary[Any, _Store]" = weakref.WeakKeyDictionary()


def _store() -> _Store:
    """The store of this thread's default cache (Django makes one cache object per thread)."""
    backend = caches["default"]
    store = _stores.get(backend)
    if store is None:
        store = _stores[backend] = _Store(backend)
    return store


@functools.lru_cache(maxsize=256)
def _parse(permissions: str) -> frozenset[str]:
    """A stored permission list as a set; the few distinct lists (one a role or scope set) are parsed once."""
    return frozenset(permissions.split(",")) if permissions else NO_PERMISSIONS


def _from_cache(organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    version_key, set_key = _keys(organization_public_id, user_id)
    try:
        store = _store()
        stored = store.read(set_key)
        if stored is not None:
            return _parse(stored)
        version = store.current_version(version_key)
    except Exception:
        logger.warning("permission cache unreachable; reading the database", exc_info=True)
        return _from_database(organization_public_id, user_id)
    # The version was read before the database: if a change commits meanwhile,
    # the version moves on and nothing is stored.
    permissions = _from_database(organization_public_id, user_id)
    if version is not None:
        try:
            value = ",".join(sorted(permissions))
            store.store_if_current(version_key, set_key, version, value, settings.PERMISSIONS_CACHE_TTL)
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
    try:
        _store().bump(*_keys(organization_public_id, user_id))
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
