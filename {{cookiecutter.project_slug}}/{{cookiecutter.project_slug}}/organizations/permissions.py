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
  second key. A warm check is one GET of the stored set. Script calls the
  request queued meanwhile (an API key's rate-limit counters) are sent in the
  same round trip (core.roundtrips).
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
- Other apps may store more per organization in the same value, read by the same
  GET: ``register_cached_extra`` (billing's entitlements use it). The principal id 0
  stands for the organization itself (no permissions, the extras only), and
  ``organization_changed`` makes every cached value of an organization dead.
- The atomic steps need Redis (django-redis) or the single-process local-memory
  cache of zero-service mode, where a lock makes them atomic; other cache
  backends are not supported here.
"""

import functools
import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable
from datetime import timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core import requestcache, roundtrips
from {{ cookiecutter.project_slug }}.core.cacheguard import raw_redis, redis_script

from .models import ApiKey, Membership, PermissionInvalidation, Role
from .principals import Principal

logger = logging.getLogger(__name__)

VERSION_TTL = 30 * 24 * 3600  # an expired version is harmless: the next check makes a new one


class Perm(StrEnum):
    """The platform's permissions; feature apps add theirs with ``register_permissions``."""

    ORGANIZATION_VIEW = "organization.view"
    ORGANIZATION_UPDATE = "organization.update"
    ORGANIZATION_DELETE = "organization.delete"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    INVITATIONS_MANAGE = "invitations.manage"
    API_KEYS_MANAGE = "api_keys.manage"
    WEBHOOKS_MANAGE = "webhooks.manage"
    BILLING_MANAGE = "billing.manage"  # owners only: the plan, payment method and invoices


_READ = frozenset({Perm.ORGANIZATION_VIEW, Perm.MEMBERS_VIEW})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: _READ,
    Role.MEMBER: _READ,
    Role.ADMIN: frozenset(Perm) - {Perm.ORGANIZATION_DELETE, Perm.BILLING_MANAGE},
    Role.OWNER: frozenset(Perm),
}
NO_PERMISSIONS: frozenset[str] = frozenset()
# What an API key may be granted; every key may also see its own organization.
API_KEY_SCOPES: set[str] = {Perm.MEMBERS_VIEW, Perm.WEBHOOKS_MANAGE}


def register_permissions(*, read: Iterable[str] = (), write: Iterable[str] = ()) -> None:
    """Add a feature app's permissions to the roles (call it from the app's ``AppConfig.ready``).

    Every role may ``read``; members, admins and owners may also ``write``. API keys may be
    given both. Each permission is an "<app>.<action>" string (a ``StrEnum`` of the app).
    """
    read, write = frozenset(read), frozenset(write)
    for permission in read | write:
        if not isinstance(permission, str) or permission.count(".") != 1:
            raise ValueError(f"a permission is an '<app>.<action>' string, not {permission!r}")
    grants = {Role.VIEWER: read, Role.MEMBER: read | write, Role.ADMIN: read | write, Role.OWNER: read | write}
    for role, added in grants.items():
        ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] | added
    API_KEY_SCOPES.update(read | write)


class Cached(NamedTuple):
    """What is cached per (organization, principal): the permission set and the registered extras."""

    permissions: frozenset[str]
    extras: dict[str, str]


# name -> a function of the organization's public id, computed with the permission set and stored beside it.
_extras: dict[str, Callable[[uuid.UUID], str]] = {}
ORGANIZATION = 0  # the principal id of the organization itself: no permissions, the extras only


def register_cached_extra(name: str, compute: Callable[[uuid.UUID], str]) -> None:
    """Cache ``compute(organization_public_id)`` with every permission set of the organization (call in ready()).

    Its value must not contain a newline. Whoever changes what it depends on calls
    ``organization_changed``, inside the transaction that changes it.
    """
    if not name.isidentifier():
        raise ValueError(f"A cached extra's name must be an identifier, not {name!r}.")
    _extras[name] = compute


def _compute_extras(organization_public_id: uuid.UUID) -> dict[str, str]:
    return {name: compute(organization_public_id) for name, compute in _extras.items()}


def _encode(permissions: frozenset[str], extras: dict[str, str]) -> str:
    return "\n".join([",".join(sorted(permissions)), *(f"{name}={value}" for name, value in extras.items())])


@functools.lru_cache(maxsize=4096)
def _keys(organization_public_id: uuid.UUID, user_id: int) -> tuple[str, str]:
    # The {hash tag} keeps both keys in one Redis Cluster slot, as the Lua script needs.
    pair = "perms:{" + f"{organization_public_id}:{user_id}" + "}"
    return f"{pair}:version", f"{pair}:set"


def _from_database(organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    # From the primary, never a replica: right after a change is committed and the version
    # bumped, a lagging replica would still show the old role and the stale grant would be
    # cached under the new version. The cold path is rare.
    if user_id == ORGANIZATION:
        return NO_PERMISSIONS
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


def principal_id(user: Principal) -> int | None:
    """The id permissions are cached under: a user's id, or minus an API key's id; None for nobody."""
    key_id = getattr(user, "api_key_id", None)
    if key_id is not None:
        return -int(key_id)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    pk: int | None = user.pk
    return None if pk is None else int(pk)


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
        self.redis: Any = raw_redis(backend)
        self._store_if_current: Any = redis_script(backend, _STORE_IF_CURRENT)

    @property
    def backend(self) -> Any:
        return self._backend()

    def key(self, name: str) -> str:
        """The full key in Redis (prefix and version); building it costs nothing bench_caches.py can see."""
        return str(self.backend.make_key(name))

    def read(self, set_key: str) -> str | None:
        """The stored permission list, or None if there is none (the request's queued script calls ride along)."""
        if self.redis is not None:
            stored = roundtrips.get_with_rides(self.redis, self.key(set_key))
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


_stores: "weakref.WeakKeyDictionary[BaseCache, _Store]" = weakref.WeakKeyDictionary()


def _store() -> _Store:
    """The store of this thread's default cache (Django makes one cache object per thread)."""
    backend = caches["default"]
    store = _stores.get(backend)
    if store is None:
        store = _stores[backend] = _Store(backend)
    return store


@functools.lru_cache(maxsize=256)
def _parse(stored: str) -> Cached:
    """A stored value as a set and extras; the few distinct values (one a role or scope set) are parsed once."""
    permissions, *extras = stored.split("\n")
    return Cached(
        frozenset(permissions.split(",")) if permissions else NO_PERMISSIONS,
        {name: value for name, _, value in (extra.partition("=") for extra in extras)},
    )


def _from_cache(organization_public_id: uuid.UUID, user_id: int) -> Cached:
    version_key, set_key = _keys(organization_public_id, user_id)
    try:
        store = _store()
        stored = store.read(set_key)
        if stored is not None:
            return _parse(stored)
        version = store.current_version(version_key)
    except Exception:
        logger.warning("permission cache unreachable; reading the database", exc_info=True)
        return Cached(_from_database(organization_public_id, user_id), _compute_extras(organization_public_id))
    # The version was read before the database: if a change commits meanwhile,
    # the version moves on and nothing is stored.
    permissions = _from_database(organization_public_id, user_id)
    extras = _compute_extras(organization_public_id)
    if version is not None:
        try:
            value = _encode(permissions, extras)
            store.store_if_current(version_key, set_key, version, value, settings.PERMISSIONS_CACHE_TTL)
        except Exception:
            logger.warning("permission cache unreachable; not storing", exc_info=True)
    return Cached(permissions, extras)


def cached_for(*, organization_public_id: uuid.UUID, user_id: int) -> Cached:
    """The permission set and extras of a principal in an organization, memoised for the request."""
    memo = requestcache.memo()
    key = ("perms", organization_public_id, user_id)
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[no-any-return]
    cached = _from_cache(organization_public_id, user_id)
    if memo is not None:
        memo[key] = cached
    return cached


def permissions_for(*, organization_public_id: uuid.UUID, user_id: int) -> frozenset[str]:
    """The permission set of a user in an organization (empty if not a member)."""
    return cached_for(organization_public_id=organization_public_id, user_id=user_id).permissions


def cached_extra(*, organization_public_id: uuid.UUID, user_id: int, name: str) -> str | None:
    """A registered extra (``register_cached_extra``) of the organization, from the principal's cached value."""
    return cached_for(organization_public_id=organization_public_id, user_id=user_id).extras.get(name)


def has_permission(*, user: Principal, organization_public_id: uuid.UUID, permission: str) -> bool:
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
    cache cannot be reached then. Saves and deletes of memberships and keys, and
    their QuerySets' bulk writes, call this themselves (organizations.invalidation).
    """
    permissions_changed_many([(organization_public_id, user_id)])


def permissions_changed_many(pairs: Iterable[tuple[uuid.UUID, int]]) -> None:
    """``permissions_changed`` for several (organization public id, principal id) pairs at once."""
    changed = list(dict.fromkeys(pairs))
    if not changed:
        return
    records = PermissionInvalidation.objects.bulk_create(
        [PermissionInvalidation(organization_public_id=organization, user_id=user) for organization, user in changed]
    )
    memo = requestcache.memo()

    def forget() -> None:
        if memo is not None:
            for organization, user in changed:
                memo.pop(("perms", organization, user), None)

    def after_commit() -> None:
        forget()
        bumped = [record.pk for record, pair in zip(records, changed, strict=True) if bump(*pair)]
        PermissionInvalidation.objects.filter(pk__in=[pk for pk in bumped if pk is not None]).delete()

    forget()
    transaction.on_commit(after_commit)


def organization_changed(*, organization_public_id: uuid.UUID) -> None:
    """Make every cached value of an organization dead (its extras changed); call inside the changing transaction."""
    in_it = {"organization__public_id": organization_public_id}
    members = Membership.objects.filter(**in_it).values_list("user_id", flat=True)
    keys = ApiKey.objects.filter(**in_it).values_list("pk", flat=True)
    principals = [ORGANIZATION, *members, *(-pk for pk in keys)]
    permissions_changed_many((organization_public_id, principal) for principal in principals)


def replay_pending_invalidations(*, older_than_seconds: int = 5) -> int:
    """Bump the versions of changes whose bump was not confirmed; return how many were replayed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    replayed = 0
    for record in PermissionInvalidation.objects.filter(created_at__lt=cutoff).order_by("pk")[:1000]:
        if bump(record.organization_public_id, record.user_id):
            record.delete()
            replayed += 1
    return replayed
