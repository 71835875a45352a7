"""Prometheus metrics: requests, jobs and the database pool; /metrics only for the token holder."""

import os

import dramatiq
import pytest
from prometheus_client import REGISTRY

TOKEN = "metrics-token-for-tests-0123456789abcdef"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@dramatiq.actor(max_retries=0)
def tally(fail: bool) -> None:
    if fail:
        raise ValueError("tally failed")


@pytest.fixture
def token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_are_not_public(client, token, header):
    headers = {"authorization": header} if header else {}

    assert client.get("/metrics", headers=headers).status_code == 404


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", headers={"authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_route(client, token):
    before = sample("http_requests_total", method="GET", route="/", status="200")
    timed = sample("http_request_duration_seconds_count", method="GET", route="/")

    client.get("/")
    client.get("/")
    response = client.get("/metrics", headers={"authorization": f"Bearer {token}"}, HTTP_HOST="10.1.2.3")

    assert response.status_code == 200, "answered for a pod address, which ALLOWED_HOSTS does not list"
    assert response["Content-Type"].startswith("text/plain; version=")
    assert sample("http_requests_total", method="GET", route="/", status="200") == before + 2
    assert sample("http_request_duration_seconds_count", method="GET", route="/") == timed + 2
    assert 'http_requests_total{method="GET",route="/",status="200"}' in response.content.decode()


def test_jobs_are_counted_by_outcome(jobs):
    labels = {"queue": "default", "actor": "tally"}
    succeeded = sample("jobs_total", **labels, outcome="succeeded")
    failed = sample("jobs_total", **labels, outcome="failed")
    timed = sample("job_duration_seconds_count", **labels)

    tally.send(False)
    tally.send(False)
    tally.send(True)
    jobs.run(fail_fast=False)

    assert sample("jobs_total", **labels, outcome="succeeded") == succeeded + 2
    assert sample("jobs_total", **labels, outcome="failed") == failed + 1
    assert sample("job_duration_seconds_count", **labels) == timed + 3
    assert sample("jobs_in_progress", **labels) == 0
    assert sample("jobs_dead_lettered_total", **labels) >= 1, "the failure ran out of retries"


@pytest.mark.django_db
def test_database_pool_usage_is_published_in_full_mode(client, user):
    client.force_login(user)

    client.get("/")

    size = REGISTRY.get_sample_value("db_pool_connections", {"database": "default", "state": "size"})
    if os.environ.get("DATABASE_URL"):
        assert size is not None
        assert size >= 1
        assert REGISTRY.get_sample_value("db_pool_connections", {"database": "default", "state": "max"}) == 10
    else:
        assert size is None, "SQLite has no pool"
