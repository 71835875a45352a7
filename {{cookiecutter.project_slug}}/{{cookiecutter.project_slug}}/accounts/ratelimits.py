"""allauth's rate limits keep counting while Redis is down: in this process's memory.

allauth counts sign-in attempts, failed passwords, sign-ups, reset and code requests in
the default cache (Redis). With Redis down, every one of those requests would fail. The
counts move to a local-memory cache of this web process instead (``core.cacheguard``
decides when): the limits still hold, per process, so with N web processes an address
gets up to N times its allowance until Redis is back (docs/auth.md). allauth reads its
cache from a module attribute, with no setting to choose another, so ``install()`` sets it.
"""

from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured

from {{ cookiecutter.project_slug }}.core.cacheguard import guarded

_MISSED = object()


class FallbackCache:
    """The default cache while it answers, else a local-memory cache of this process."""

    def __init__(self) -> None:
        self.local = LocMemCache("allauth-rate-limits", {"OPTIONS": {"MAX_ENTRIES": 100_000}})

    def _call(self, name: str, *args: object, **kwargs: object) -> object:
        result = guarded(lambda: getattr(cache, name)(*args, **kwargs), _MISSED)
        if result is _MISSED:
            return getattr(self.local, name)(*args, **kwargs)
        return result

    def get(self, key: str, default: object = None) -> object:
        return self._call("get", key, default)

    def set(self, key: str, value: object, timeout: float | None = None) -> None:
        self._call("set", key, value, timeout)

    def add(self, key: str, value: object, timeout: float | None = None) -> bool:
        return bool(self._call("add", key, value, timeout))

    def delete(self, key: str) -> bool:
        return bool(self._call("delete", key))


def install() -> None:
    """Point allauth's rate limits at the fallback cache (accounts.apps)."""
    if not hasattr(ratelimit, "cache"):
        raise ImproperlyConfigured("allauth.core.internal.ratelimit no longer reads `cache`: see accounts.ratelimits")
    ratelimit.cache = FallbackCache()
