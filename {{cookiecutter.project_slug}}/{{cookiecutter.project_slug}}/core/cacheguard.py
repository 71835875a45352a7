"""Use the cache (Redis) where it only speeds things up, without failing when it is down.

``guarded(operation, default)`` runs a cache operation and answers ``default`` when the
cache cannot be reached. After a failure the cache is left alone for ``PAUSE`` seconds in
this process, so an outage costs one timeout per process rather than one per call, and
one warning rather than one per request. ``raw_redis(backend)`` is the one place that
tells a Redis cache from another: the hot paths that talk to Redis directly (Lua
scripts, plain strings) ask it, and ``redis_script(backend, source)`` keeps their Lua
scripts registered (sent by EVALSHA; loaded once per server).
"""

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

PAUSE = 5.0  # seconds the cache is skipped after a failure

_lock = threading.Lock()
_paused_until = 0.0
_last_failure_at = float("-inf")  # Unix time


def guarded[T](operation: Callable[[], T], default: T) -> T:
    """``operation()``, or ``default`` if the cache fails or failed less than PAUSE seconds ago."""
    global _paused_until, _last_failure_at
    if time.monotonic() < _paused_until:
        return default
    try:
        return operation()
    except Exception:
        now = time.monotonic()
        with _lock:
            warn = now >= _paused_until
            _paused_until = now + PAUSE
            _last_failure_at = time.time()
        if warn:
            logger.warning("cache unreachable; using the database and local fallbacks for %.0f s", PAUSE, exc_info=True)
        return default


def raw_redis(backend: Any) -> Any | None:
    """The raw client (redis-py) behind a django-redis cache object, or None for any other cache.

    Pass the thread's cache object, ``caches["default"]``: the ``cache`` proxy's type is the
    proxy's own, whichever backend it stands for.
    """
    if not type(backend).__module__.startswith("django_redis"):
        return None
    return backend.client.get_client(write=True)


# Per cache object (Django makes one per thread, so each thread's client has its own): source -> script.
_scripts: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def redis_script(backend: Any, source: str) -> Any | None:
    """The Lua ``source`` registered on the raw client behind ``backend`` (a redis-py Script), else None.

    Calling it sends EVALSHA, and loads the script first if the server does not have it
    (a restarted Redis, a new one after a failover).
    """
    scripts = _scripts.get(backend)
    if scripts is None:
        scripts = _scripts[backend] = {}
    script = scripts.get(source)
    if script is None:
        client = raw_redis(backend)
        if client is None:
            return None
        script = scripts[source] = client.register_script(source)
    return script


def last_failure_at() -> float:
    """When this process last saw the cache fail (Unix time): what it held before may be stale."""
    return _last_failure_at


def reset() -> None:
    """Forget past failures (tests)."""
    global _paused_until, _last_failure_at
    with _lock:
        _paused_until = 0.0
        _last_failure_at = float("-inf")
