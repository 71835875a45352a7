"""Rate limits of the API: per user, per API key, per organization's plan (billing), and of failed key attempts.

Counted in the cache (Redis in full mode) in fixed windows of one minute, shared by every
web process, with no query. The limits are API_RATE_LIMIT_USER and API_RATE_LIMIT_KEY
(requests per minute), those that other apps' ``RateLimit`` throttles state (billing's
plan limit per organization), and API_KEY_FAILURE_LIMIT (failed key attempts per minute
and address). If the cache cannot be reached, requests go through (and a warning is logged).

A request's limits cost one round trip to Redis however many apply: each ``RateLimit``
throttle of the view states its (counter, limit) pairs, and the first one DRF runs counts
all of them at once with a registered Lua script (EVALSHA: INCR each counter, and give a
new one its expiry), then answers for the request. So the order of DEFAULT_THROTTLE_CLASSES
does not matter and no stated limit goes uncounted. The local-memory cache of zero-service
mode counts them one by one.

A request made with an API key or by a signed-in user (session cookie or app token) costs no
round trip of its own for its limits: the counters it will state are known as soon as the key
or the user is (``RateLimit.ahead``: the key's or the user's, and billing's organization
counter), so authentication queues their count (``count_ahead``) to ride along with the
permission set's GET (core.roundtrips), and the throttles compare the counts when their turn
comes (a view that reads no permission set sends the count alone, as before). Counting ahead
must not count a refused request: when the request is refused before the limits are compared
(a permission, the plan), the counters the limits did not take are counted back (``take_back``,
from the API's error handler).
"""

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from {{ cookiecutter.project_slug }}.core import roundtrips
from {{ cookiecutter.project_slug }}.core.cacheguard import redis_script

if TYPE_CHECKING:  # rest_framework.views imports the authentication classes, which import this module
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)
WINDOW = 60
TTL = WINDOW + 5  # a counter outlives its window a little: a late request of the window still finds it
clock = time.time  # tests pin the window with it

type Limits = Iterable[tuple[str, int]]  # (counter, requests a minute)

# KEYS: this window's counters. ARGV: their TTL. Returns their new values, in order.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then
    redis.call('EXPIRE', key, ARGV[1])
  end
end
return counts
"""
_COUNTED = "_rate_limits_counted"  # set on a request once its limits are counted
_AHEAD = "_rate_limits_ahead"  # the request's counters counted ahead (Ahead), if any

# KEYS: counters counted ahead that no limit took. Takes one back from each that still exists.
_TAKE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('DECR', key)
  end
end
return 0
"""


def _window() -> tuple[int, float]:
    """The current window's number and the seconds left in it."""
    now = clock()
    window = int(now // WINDOW)
    return window, (window + 1) * WINDOW - now


def _add_one(counter: str) -> int:
    """Add one to ``counter`` through Django's cache API (the local-memory cache)."""
    try:
        count: int = cache.incr(counter)
    except ValueError:  # the first request of this window
        count = 1 if cache.add(counter, 1, timeout=TTL) else cache.incr(counter)
    return count


def _count(counters: list[str]) -> list[int] | None:
    """Add one to each counter, in one round trip to Redis; their new values, or None if the cache is unreachable."""
    try:
        script = redis_script(caches["default"], _COUNT)  # on this thread's cache object
        if script is None:
            return [_add_one(counter) for counter in counters]
        keys = [cache.make_and_validate_key(counter) for counter in counters]
        return [int(count) for count in script(keys=keys, args=[TTL])]
    except Exception:
        logger.warning("rate limit cache unreachable; letting the request through", exc_info=True)
        return None


class Ahead:
    """Counters of a request counted ahead of its throttles, in the round trip of its permission read."""

    def __init__(self, window: int, left: float, counters: list[str], ride: roundtrips.Ride) -> None:
        self.window, self.left, self.counters, self.ride = window, left, counters, ride
        self.taken: set[str] = set()  # those a stated limit compared

    def counts(self) -> dict[str, int] | None:
        """Each counter's new value; None if the cache could not be reached."""
        try:
            return dict(zip(self.counters, (int(count) for count in self.ride.result()), strict=True))
        except Exception:
            logger.warning("rate limit cache unreachable; letting the request through", exc_info=True)
            return None


def over_limits(limits: Limits, ahead: Ahead | None = None) -> float | None:
    """Count a request against each (counter, limit a minute): the seconds to wait if over any, else None.

    Counters already counted ``ahead`` are not counted again: their counts are compared.
    """
    stated = list(limits)
    if not stated:
        return None  # no limit: no counter, no round trip
    window, left = (ahead.window, ahead.left) if ahead is not None else _window()
    names = [f"{counter}:{window}" for counter, _ in stated]
    known: dict[str, int] = {}
    if ahead is not None:
        early = ahead.counts()
        if early is None:
            return None  # the cache could not be reached (counts() warned): no second try, the request goes through
        known = {name: early[name] for name in names if name in early}
        ahead.taken.update(known)
    rest = [name for name in names if name not in known]
    counted = _count(rest) if rest else []
    if counted is None:
        return None
    counts = {**known, **dict(zip(rest, counted, strict=True))}
    return left if any(counts[name] > limit for name, (_, limit) in zip(names, stated, strict=True)) else None


def count_ahead(request: Request, view: "APIView", principal: object) -> None:
    """Queue the count of the counters the view's limits will state for ``principal``, to ride along with the
    request's next Redis read (API key authentication calls it before reading the key's permission set)."""
    throttles = [throttle for throttle in view.get_throttles() if isinstance(throttle, RateLimit)]
    counters = [counter for throttle in throttles for counter in throttle.ahead(request, view, principal)]
    script = redis_script(caches["default"], _COUNT) if counters else None
    if script is None:  # nothing to count, or the local-memory cache: counted when stated
        return
    window, left = _window()
    names = [f"{counter}:{window}" for counter in counters]
    keys = [cache.make_and_validate_key(name) for name in names]
    ride = roundtrips.ride_along(script, keys=keys, args=[TTL])
    if ride is not None:
        setattr(request, _AHEAD, Ahead(window, left, names, ride))


def take_back(request: Request) -> None:
    """The request was refused: count back what was counted ahead and no limit compared (none, if not yet sent)."""
    ahead: Ahead | None = getattr(request, _AHEAD, None)
    if ahead is None:
        return
    delattr(request, _AHEAD)
    if ahead.ride.cancel():
        return  # never sent: nothing was counted
    untaken = [name for name in ahead.counters if name not in ahead.taken]
    script = redis_script(caches["default"], _TAKE_BACK) if untaken else None
    if script is None:
        return
    try:
        script(keys=[cache.make_and_validate_key(name) for name in untaken])
    except Exception:
        logger.warning("rate limit cache unreachable; a refused request stays counted", exc_info=True)


class RateLimit(BaseThrottle):
    """A throttle that states limits; the first the view runs counts every RateLimit's limits in one round trip.

    A subclass states the limits that apply to a request in ``limits`` and may refuse a
    request in ``allow_request`` before calling this one. The throttles of a view run in
    turn: the first RateLimit gathers the limits of all of the view's RateLimit throttles,
    counts them together and answers for the request (429 with the seconds left in the
    window if any is exceeded); the others find the request counted and allow it.
    """

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def limits(self, request: Request, view: "APIView") -> Limits:
        """The (counter, requests a minute) pairs that apply to this request (the window is added to each name)."""
        raise NotImplementedError

    def ahead(self, request: Request, view: "APIView", principal: object) -> list[str]:
        """The counters ``limits`` may state for this principal, known before authentication ends (``count_ahead``).

        A counter named here that ``limits`` does not state is counted all the same, unless the request
        is refused: name only counters that nothing but this limit reads."""
        return []

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if getattr(request, _COUNTED, False):
            return True
        setattr(request, _COUNTED, True)
        throttles = [throttle for throttle in view.get_throttles() if isinstance(throttle, RateLimit)]
        stated = (pair for throttle in throttles for pair in throttle.limits(request, view))
        self.wait_seconds = over_limits(stated, getattr(request, _AHEAD, None))
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class PrincipalRateThrottle(RateLimit):
    """Requests per minute of each user and each API key. Anonymous requests never get this far (401 first)."""

    def limits(self, request: Request, view: "APIView") -> Limits:
        return self._limits_of(request.user)

    def ahead(self, request: Request, view: "APIView", principal: object) -> list[str]:
        return [counter for counter, _ in self._limits_of(principal)]

    @staticmethod
    def _limits_of(principal: object) -> Limits:
        """An API key's limit, or a signed-in user's (session or app token); none for anyone else."""
        key_id = getattr(principal, "api_key_id", None)
        if key_id is not None:
            return [(f"throttle:key:{key_id}", settings.API_RATE_LIMIT_KEY)]
        if getattr(principal, "is_authenticated", False):
            return [(f"throttle:user:{getattr(principal, 'pk', None)}", settings.API_RATE_LIMIT_USER)]
        return []


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

    def _counter(self) -> str:
        return f"throttle:key-failures:{client_address(self.request)}"

    def _refuse(self, left: float) -> Throttled:
        return Throttled(wait=left, detail="Too many failed API key attempts from this address.")

    def check(self) -> None:
        window, left = _window()
        try:
            count = cache.get(f"{self._counter()}:{window}") or 0
        except Exception:
            logger.warning("rate limit cache unreachable; letting the request through", exc_info=True)
            return
        if count >= settings.API_KEY_FAILURE_LIMIT:
            raise self._refuse(left)

    def failed(self) -> None:
        left = over_limits([(self._counter(), settings.API_KEY_FAILURE_LIMIT)])
        if left is not None:
            raise self._refuse(left)
