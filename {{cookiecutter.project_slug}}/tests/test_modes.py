"""The suite runs against what the environment names: it must never fall back silently."""

import os

import dramatiq
import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_the_database_is_the_one_the_environment_names():
    if os.environ.get("DATABASE_URL"):
        assert connection.vendor == "postgresql"
        assert "pool" in settings.DATABASES["default"]["OPTIONS"], "Django's connection pool is on"
    else:
        assert connection.vendor == "sqlite"


def test_the_cache_and_broker_are_the_ones_the_environment_names():
    broker = type(dramatiq.get_broker()).__name__
    cache = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert (broker, cache) == ("RedisBroker", "django_redis.cache.RedisCache")
    else:
        assert (broker, cache) == ("StubBroker", "django.core.cache.backends.locmem.LocMemCache")
