"""Rate limits of API requests: counted in the cache, and never in the way when the cache is down."""

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from tests.api.conftest import widgets_url
from tests.conftest import redis_cache

pytestmark = pytest.mark.django_db


def test_with_the_cache_unreachable_requests_go_through_with_a_warning(api, organization, private_redis, caplog):
    with override_settings(CACHES=redis_cache(private_redis.port)):
        assert api.get(widgets_url(organization)).status_code == 200  # counted in the real Redis
        private_redis.stop()
        caches["default"].close()

        with caplog.at_level(logging.WARNING, logger="{{ cookiecutter.project_slug }}.api.throttling"):
            response = api.get(widgets_url(organization))

    assert response.status_code == 200
    assert "rate limit cache unreachable; letting the request through" in caplog.messages
