"""Errors reach Sentry tagged with the request id (Sentry's servers replaced by a capturing transport)."""

import pytest
import sentry_sdk
from django.urls import path

from {{ cookiecutter.project_slug }}.core.observability.sentry import init_sentry

from tests.sentry import captured_events


def explode(request):
    raise RuntimeError("checkout failed")


urlpatterns = [path("explode", explode)]


@pytest.fixture
def sentry_events():
    with captured_events() as events:
        yield events


@pytest.mark.urls(__name__)
def test_an_unhandled_error_is_reported_with_the_request_id(client, sentry_events):
    client.raise_request_exception = False

    response = client.get("/explode", headers={"x-request-id": "req-sentry-0001"})

    assert response.status_code == 500
    sentry_sdk.flush()
    [event] = sentry_events
    assert event["exception"]["values"][-1]["value"] == "checkout failed"
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["environment"] == "test"
    assert event["release"] == "abc123"
    assert "user" not in event or "email" not in event.get("user", {}), "no personal data by default"


def test_sample_rates_come_from_the_caller_and_no_personal_data_is_sent():
    init_sentry(
        dsn="https://public@sentry.example.com/1",
        environment="staging",
        release="0123abc",
        traces_sample_rate=0.05,
        sample_rate=0.5,
    )
    try:
        options = sentry_sdk.get_client().options
        assert (options["sample_rate"], options["traces_sample_rate"]) == (0.5, 0.05)
        assert (options["environment"], options["release"]) == ("staging", "0123abc")
        assert not options["send_default_pii"]
        integrations = set(sentry_sdk.get_client().integrations)
        assert {"django", "redis", "dramatiq"} <= integrations
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
