"""Use the cache (Redis) where it only speeds things up, without failing when it is down.

``guarded(operation, default)`` runs a cache operation and answers ``default`` when the
cache cannot be reached. After a failure the cache is left alone for ``PAUSE`` seconds in
this process, so an outage costs one timeout per process rather than one per call, and
one warning rather than one per request.
"""

import logging
import threading
import time
from collections.abc import Callable

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


def last_failure_at() -> float:
    """When this process last saw the cache fail (Unix time): what it held before may be stale."""
    return _last_failure_at


def reset() -> None:
    """Forget past failures (tests)."""
    global _paused_until, _last_failure_at
    with _lock:
        _paused_until = 0.0
        _last_failure_at = float("-inf")
