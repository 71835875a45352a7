import dramatiq
import pytest
from django.test import override_settings
from dramatiq.brokers.redis import RedisBroker

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused


def test_healthz_answers_without_touching_any_service(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_service(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_health_endpoints_answer_probes_from_unknown_hosts(client):
    # Kubernetes probes a pod by IP address, which is not in ALLOWED_HOSTS.
    assert client.get("/healthz", headers={"host": "10.1.2.3:8000"}).status_code == 200
    assert client.get("/readyz", headers={"host": "10.1.2.3:8000"}).status_code == 200
    assert client.get("/", headers={"host": "10.1.2.3:8000"}).status_code == 400


@pytest.mark.django_db
def test_readyz_reports_a_cache_outage_but_keeps_the_pod_in_service(client):
    # Pages, sign-in and the API keep working without Redis (tests/core/test_redis_down.py).
    unreachable = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_reports_a_broker_outage_but_keeps_the_pod_in_service(client):
    # Jobs enqueued meanwhile wait in the database (core.jobs.sending.send_or_keep).
    configured = dramatiq.get_broker()
    dramatiq.set_broker(RedisBroker(url=CLOSED_PORT, socket_connect_timeout=1))
    try:
        response = client.get("/readyz")
    finally:
        dramatiq.set_broker(configured)

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"]["ok"] is False
