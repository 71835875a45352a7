"""Rate limits of API requests: counted in the cache, and never in the way when the cache is down."""

import logging

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.api import throttling
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.core.cacheguard import raw_redis
from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Role

from tests.api.conftest import Api, widgets_url
from tests.conftest import redis_cache, redis_round_trips
from tests.factories import MembershipFactory
from tests.testapp.permissions import WidgetPerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def mid_window(monkeypatch):
    monkeypatch.setattr(throttling, "clock", lambda: 1_800_000_030.0)  # 30 s into a minute: no new window starts


def counted(principal: ApiKey | User) -> int:
    """This window's count of the key's, or the signed-in user's, requests."""
    kind = "key" if isinstance(principal, ApiKey) else "user"
    window, _ = throttling._window()
    return int(cache.get(f"throttle:{kind}:{principal.pk}:{window}", 0))


def test_with_the_cache_unreachable_requests_go_through_with_a_warning(api, organization, private_redis, caplog):
    with override_settings(CACHES=redis_cache(private_redis.port)):
        assert api.get(widgets_url(organization)).status_code == 200  # counted in the real Redis
        private_redis.stop()
        caches["default"].close()

        with caplog.at_level(logging.WARNING, logger="{{ cookiecutter.project_slug }}.api.throttling"):
            response = api.get(widgets_url(organization))

    assert response.status_code == 200
    assert "rate limit cache unreachable; letting the request through" in caplog.messages


@pytest.mark.services
def test_an_api_keys_request_costs_one_redis_round_trip(api, organization, mid_window):
    path = widgets_url(organization)
    assert api.get(path).status_code == 200  # warm: the key, its permission set, the script

    with redis_round_trips() as sent:
        assert api.get(path).status_code == 200

    assert sent == ["GET"], "the permission set and the key's counter, in one pipeline"
    assert counted(ApiKey.objects.get(organization=organization)) == 2


@pytest.mark.services
def test_a_signed_in_users_request_sends_its_limits_with_its_permission_read(owner, organization, mid_window):
    client = Client()
    client.force_login(owner.user)
    path = f"/api/{VERSIONS.latest.name}/{widgets_url(organization)}"
    assert client.get(path).status_code == 200  # warm: the permission set, the script, the session's activity

    with redis_round_trips() as sent:
        assert client.get(path).status_code == 200

    assert sent == ["MGET", "GET"], "the session, then the permission set and the user's counter in one pipeline"
    assert counted(owner.user) == 2


@pytest.mark.services
def test_a_signed_in_users_request_its_permissions_refuse_is_not_counted(organization, mid_window):
    viewer = MembershipFactory(organization=organization, role=Role.VIEWER).user  # may read widgets, not add one
    client = Client()
    client.force_login(viewer)
    path = f"/api/{VERSIONS.latest.name}/{widgets_url(organization)}"
    assert client.get(path).status_code == 200
    assert counted(viewer) == 1

    assert client.post(path, {"name": "Refused"}, content_type="application/json").status_code == 403

    assert counted(viewer) == 1, "counted ahead with the permission read, then counted back"


@pytest.mark.services
def test_a_request_its_permissions_refuse_is_not_counted(owner, organization, make_key, mid_window):
    api = Api(Authorization=f"Bearer {make_key(owner, scopes=[WidgetPerm.VIEW])}")  # may read widgets, not add one
    key = ApiKey.objects.get(organization=organization)
    assert api.get(widgets_url(organization)).status_code == 200
    assert counted(key) == 1

    assert api.post(widgets_url(organization), {"name": "Refused"}).status_code == 403

    assert counted(key) == 1, "counted ahead with the permission read, then counted back"
    assert api.get(widgets_url(organization)).status_code == 200
    assert counted(key) == 2


@pytest.mark.services
def test_a_redis_that_lost_its_scripts_still_counts(api, organization, private_redis, mid_window, caplog):
    with override_settings(CACHES=redis_cache(private_redis.port)):
        path = widgets_url(organization)
        assert api.get(path).status_code == 200
        raw_redis(caches["default"]).script_flush()  # as after a restart or a failover

        with caplog.at_level(logging.WARNING):
            assert api.get(path).status_code == 200
        assert counted(ApiKey.objects.get(organization=organization)) == 2

    warned = [record.message for record in caplog.records if record.name.endswith(".api.throttling")]
    assert not warned, "the script is loaded again and sent alone, not taken for an outage"
