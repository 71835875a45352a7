"""Where a signed-in user's write position is kept: the larger one wins, atomically in Redis."""

import redis
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from {{ cookiecutter.project_slug }}.core.db import positions

from tests.conftest import PrivateRedis, redis_cache


def signed_in(user_id: int) -> HttpRequest:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session[SESSION_KEY] = str(user_id)
    return request


def test_a_users_position_only_moves_forward():
    request = signed_in(7)
    for position in (500, 300, 900, 800):  # two requests of one user may finish out of order
        positions.remember(request, HttpResponse(), position)

    assert positions.position_for(request) == 900


def test_in_redis_the_position_is_kept_by_one_atomic_script(private_redis: PrivateRedis):
    server = redis.Redis(port=private_redis.port)
    with override_settings(CACHES=redis_cache(private_redis.port)):
        request = signed_in(8)
        positions.remember(request, HttpResponse(), 500)
        positions.remember(request, HttpResponse(), 300)

        assert positions.position_for(request) == 500
        stats = server.info("commandstats")
        # One script call per write (EVALSHA; redis-py loads the script after the first NOSCRIPT), never the
        # GET-then-SET of another cache, which two requests could interleave.
        assert stats["cmdstat_evalsha"]["calls"] - stats["cmdstat_evalsha"].get("failed_calls", 0) == 2
        cache.clear()
