"""Rate limits per user and per API key, and of failed API key attempts per client address.

Counted in the cache (Redis in full mode) in fixed windows of one minute: one INCR
on a warm window, so a limit costs one round trip to Redis and no query. Every web
process shares the count. The limits are API_RATE_LIMIT_USER and API_RATE_LIMIT_KEY
(requests per minute) and API_KEY_FAILURE_LIMIT (failed key attempts per minute and
address). If the cache cannot be reached, requests go through (and a warning is logged).
"""

import logging
import time
from typing import TYPE_CHECKING

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:  # rest_framework.views imports the authentication classes, which import this module
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)
WINDOW = 60
clock = time.time  # tests pin the window with it


def _window() -> tuple[int, float]:
    """The current window's number and the seconds left in it."""
    now = clock()
    window = int(now // WINDOW)
    return window, (window + 1) * WINDOW - now


def _count(counter: str) -> int | None:
    """Add one to ``counter`` of this window; its new value, or None if the cache is unreachable."""
    try:
        try:
            count: int = cache.incr(counter)
        except ValueError:  # the first request of this window
            count = 1 if cache.add(counter, 1, timeout=WINDOW + 5) else cache.incr(counter)
    except Exception:
        logger.warning("rate limit cache unreachable; letting the request through", exc_info=True)
        return None
    return count


def over_limit(counter: str, limit: int) -> float | None:
    """Count a request against ``limit`` a minute under ``counter``: the seconds to wait if over it, else None."""
    window, left = _window()
    count = _count(f"{counter}:{window}")
    return left if count is not None and count > limit else None


class PrincipalRateThrottle(BaseThrottle):
    """Requests per minute of each user and each API key. Anonymous requests never get this far (401 first)."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def allow_request(self, request: Request, view: "APIView") -> bool:
        user = request.user
        key_id = getattr(user, "api_key_id", None)
        if key_id is not None:
            principal, limit = f"key:{key_id}", settings.API_RATE_LIMIT_KEY
        elif user is not None and user.is_authenticated:
            principal, limit = f"user:{user.pk}", settings.API_RATE_LIMIT_USER
        else:
            return True
        self.wait_seconds = over_limit(f"throttle:{principal}", limit)
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


def client_address(request: Request) -> str:
    """The client's IP address as allauth's rate limits see it (trusted proxies: docs/auth.md)."""
    try:
        return str(get_adapter(request._request).get_client_ip(request._request))
    except (PermissionDenied, ImproperlyConfigured):  # no address, or a proxy chain shorter than configured
        return "unknown"


class KeyFailures:
    """Failed API key attempts of one client address: over API_KEY_FAILURE_LIMIT a minute, 429.

    A made-up key costs a database query (then none for a minute: organizations.keys
    remembers unknown ids), so guessing is limited per address before any query:
    ``check`` runs before a key is looked up, ``failed`` counts a refusal. Over the
    limit both raise Throttled until the window ends; keys this process has already
    verified keep working, as they cost nothing.
    """

    def __init__(self, request: Request) -> None:
        self.request = request

    def _counter(self, window: int) -> str:
        return f"throttle:key-failures:{client_address(self.request)}:{window}"

    def _refuse(self, left: float) -> Throttled:
        return Throttled(wait=left, detail="Too many failed API key attempts from this address.")

    def check(self) -> None:
        window, left = _window()
        try:
            count = cache.get(self._counter(window)) or 0
        except Exception:
            logger.warning("rate limit cache unreachable; letting the request through", exc_info=True)
            return
        if count >= settings.API_KEY_FAILURE_LIMIT:
            raise self._refuse(left)

    def failed(self) -> None:
        window, left = _window()
        count = _count(self._counter(window))
        if count is not None and count > settings.API_KEY_FAILURE_LIMIT:
            raise self._refuse(left)
