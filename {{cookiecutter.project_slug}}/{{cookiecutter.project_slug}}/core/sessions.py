"""Sessions in the database, cached in Redis; they outlive a cache outage and end when idle.

Django's ``cached_db`` engine (SESSION_ENGINE), with three changes (docs/auth.md):

- **The cache is optional.** A session is read from the cache when it answers and from
  the database when it does not; saves and deletes go to the database, then to the cache
  if it answers (``core.cacheguard``). Browser sessions and headless app tokens are both
  sessions, so both keep working while Redis is down.
- **Idle sessions end.** A row's expiry is the last activity plus SESSION_IDLE_TIMEOUT,
  never later than the absolute deadline, SESSION_COOKIE_AGE after sign-in. Activity moves
  the expiry on at most once per ``activity_interval()``, by a one-column UPDATE: never a
  rewrite of the session's data, which could undo a concurrent request's change. The cached
  copy expires with the row.
- **A cached copy is checked against the database** at each of those updates, and once more
  after this process saw the cache fail: a session deleted while the cache could not be told
  (signed out during an outage) is refused again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import BaseCache

from .cacheguard import guarded, last_failure_at

if TYPE_CHECKING:
    from django.contrib.sessions.base_session import AbstractBaseSession

DEADLINE = "_session_deadline"  # Unix time after which the session ends, however active
clock = time.time  # tests move time with it


def activity_interval() -> int:
    """Seconds between two recordings of a session's activity (and checks of its cached copy)."""
    return min(300, settings.SESSION_IDLE_TIMEOUT // 10)


def _at(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, tz=UTC)


def _moment(value: object) -> float | None:
    """A Unix time kept in the session or the cache, or None when there is none."""
    return float(value) if isinstance(value, int | float) else None


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "core.sessions."
    # Django's own, which its type stubs leave out.
    _cache: BaseCache
    _session: dict[str, object]
    _get_session: Callable[..., dict[str, object]]

    @property
    def _checked_key(self) -> str:
        return f"{self.cache_key}:checked"

    def load(self) -> dict[str, object]:
        now = clock()
        cached: dict[str, object] = guarded(lambda: self._cache.get_many([self.cache_key, self._checked_key]), {})
        data = cached.get(self.cache_key)
        if isinstance(data, dict):
            checked = _moment(cached.get(self._checked_key))
            # Checked too long ago, or before this process saw the cache fail (a delete may have been lost).
            stale = checked is None or now - checked >= activity_interval() or checked <= last_failure_at()
            if stale and not self._touch(data, now):
                self._forget()
                return {}
            return dict(data)
        row = self._get_session_from_db(now)
        if row is None:
            return {}
        data = self.decode(row.session_data)
        data.setdefault(DEADLINE, row.expire_date.timestamp())  # a session from before this engine
        expiry, idle_expiry = row.expire_date.timestamp(), self._idle_expiry(data, now)
        if expiry > idle_expiry or idle_expiry - expiry >= activity_interval():
            expiry = self._touch(data, now) or expiry
        self._cache_copy(data, expiry, now)
        return data

    def _get_session_from_db(self, now: float | None = None) -> AbstractBaseSession | None:
        """The row if it has not expired (by ``clock``), else None and no key, as Django's does."""
        moment = _at(clock() if now is None else now)
        row = self.model.objects.filter(session_key=self.session_key, expire_date__gt=moment).first()
        if row is None:
            self._session_key = None
        return row

    def _idle_expiry(self, data: dict[str, object], now: float) -> float:
        deadline = _moment(data.get(DEADLINE))
        if deadline is None:
            deadline = now + settings.SESSION_COOKIE_AGE
        return float(min(now + settings.SESSION_IDLE_TIMEOUT, deadline))

    def _touch(self, data: dict[str, object], now: float) -> float | None:
        """Record activity in the row; the new expiry, or None if the session is gone from the database."""
        expiry = self._idle_expiry(data, now)
        updated = self.model.objects.filter(session_key=self.session_key, expire_date__gt=_at(now)).update(
            expire_date=_at(expiry)
        )
        if not updated:
            return None
        key, checked_key, ttl = self.cache_key, self._checked_key, max(1, int(expiry - now))

        def extend_cached_copy() -> None:
            self._cache.touch(key, ttl)
            self._cache.set(checked_key, now, ttl)

        guarded(extend_cached_copy, None)
        return expiry

    def _cache_copy(self, data: dict[str, object], expiry: float, now: float) -> None:
        ttl = max(1, int(expiry - now))
        values = {self.cache_key: data, self._checked_key: now}
        guarded(lambda: self._cache.set_many(values, ttl), None)

    def _forget(self) -> None:
        keys = [self.cache_key, self._checked_key]
        guarded(lambda: self._cache.delete_many(keys), None)
        self._session_key = None

    def create_model_instance(self, data: dict[str, object]) -> AbstractBaseSession:
        now = clock()
        data.setdefault(DEADLINE, now + settings.SESSION_COOKIE_AGE)
        instance = super().create_model_instance(data)
        expiry = min(instance.expire_date.timestamp(), self._idle_expiry(data, now))
        instance.expire_date = _at(expiry)
        return instance

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()  # a new key, then this method again
            return
        now = clock()
        super(cached_db.SessionStore, self).save(must_create)  # the database's save; the cache's is below
        expiry = min(self.get_expiry_date().timestamp(), self._idle_expiry(self._session, now))
        self._cache_copy(self._session, expiry, now)

    def cycle_key(self) -> None:
        # Signing in starts the absolute lifetime afresh.
        self._get_session()[DEADLINE] = clock() + settings.SESSION_COOKIE_AGE
        super().cycle_key()

    def exists(self, session_key: str | None) -> bool:
        """Whether a live session has this key (an expired one does not count: a headless app is told 410)."""
        if not session_key:
            return False
        if guarded(lambda: (self.cache_key_prefix + session_key) in self._cache, False):
            return True
        return bool(self.model.objects.filter(session_key=session_key, expire_date__gt=_at(clock())).exists())

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        key = session_key or self.session_key
        if key:
            prefixed = self.cache_key_prefix + key
            guarded(lambda: self._cache.delete_many([prefixed, f"{prefixed}:checked"]), None)

    # The async variants run the rules above; Django's would skip them.
    async def aload(self) -> dict[str, object]:
        return await sync_to_async(self.load)()

    async def asave(self, must_create: bool = False) -> None:
        await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key: str | None = None) -> None:
        await sync_to_async(self.delete)(session_key)

    async def aexists(self, session_key: str | None) -> bool:
        return await sync_to_async(self.exists)(session_key)

    async def acycle_key(self) -> None:
        await sync_to_async(self.cycle_key)()
