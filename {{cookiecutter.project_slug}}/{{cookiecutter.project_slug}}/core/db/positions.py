"""Where a client's last write position is kept between requests.

A signed-in user's position lives in the cache (Redis) under their id, so every
device and tab sees its own writes; an anonymous client's in a signed cookie.
Both expire after DATABASE_WRITE_POSITION_TTL seconds, by which time every
usable replica has replayed the write.
"""

from __future__ import annotations

from contextlib import suppress

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponseBase

from {{ cookiecutter.project_slug }}.core.cacheguard import redis_script

COOKIE = "dbpos"
SALT = "core.db.positions"

# Keep the larger of the stored and the new position, atomically: two requests of
# one user may finish out of order.
_KEEP_MAX = """
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


def _user_key(user_id: str) -> str:
    return f"dbpos:user:{user_id}"


def _user_id(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    value = session.get(SESSION_KEY) if session is not None else None
    return str(value) if value is not None else None


def position_for(request: HttpRequest) -> int | None:
    """The last write position of the client making ``request``, if it wrote recently."""
    found: list[int] = []
    raw = request.COOKIES.get(COOKIE)
    if raw:
        # A tampered-with or expired cookie counts as absent.
        with suppress(signing.BadSignature, ValueError, TypeError):
            found.append(int(signing.loads(raw, salt=SALT, max_age=settings.DATABASE_WRITE_POSITION_TTL)))
    user_id = _user_id(request)
    if user_id is not None:
        stored = cache.get(_user_key(user_id))
        if stored is not None:
            found.append(int(stored))
    return max(found, default=None)


def remember(request: HttpRequest, response: HttpResponseBase, position: int) -> None:
    """Keep ``position`` for the client's next requests."""
    ttl = settings.DATABASE_WRITE_POSITION_TTL
    user_id = _user_id(request)
    if user_id is None:
        response.set_cookie(
            COOKIE,
            signing.dumps(position, salt=SALT),
            max_age=ttl,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return
    key = _user_key(user_id)
    keep_max = redis_script(caches["default"], _KEEP_MAX)
    if keep_max is not None:
        keep_max(keys=[cache.make_and_validate_key(key)], args=[position, ttl])
    else:
        stored = cache.get(key)
        if stored is None or int(stored) < position:
            cache.set(key, position, timeout=ttl)
