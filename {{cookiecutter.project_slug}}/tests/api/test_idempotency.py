"""Idempotency-Key on POST: a retry returns the first response and the work is done once."""

import threading

import pytest
from django.db import connection

from {{ cookiecutter.project_slug }}.api.models import IdempotencyRecord

from tests.api.conftest import Api, widgets_url
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db


def test_a_retry_returns_the_first_response_and_creates_nothing_more(api, organization):
    first = api.post(widgets_url(organization), {"name": "Once"}, **{"Idempotency-Key": "k-1"})
    again = api.post(widgets_url(organization), {"name": "Once"}, **{"Idempotency-Key": "k-1"})

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Widget.objects.count() == 1


def test_the_same_key_for_another_request_is_refused(api, organization):
    api.post(widgets_url(organization), {"name": "Once"}, **{"Idempotency-Key": "k-1"})

    response = api.post(widgets_url(organization), {"name": "Other"}, **{"Idempotency-Key": "k-1"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Widget.objects.count() == 1


def test_a_failed_request_is_not_remembered(api, organization):
    failed = api.post(widgets_url(organization), {"name": ""}, **{"Idempotency-Key": "k-2"})
    fixed = api.post(widgets_url(organization), {"name": ""}, **{"Idempotency-Key": "k-2"})

    assert failed.status_code == fixed.status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_keys_belong_to_one_caller(api, organization, make_key, owner):
    other = Api(Authorization=f"Bearer {make_key(owner)}")

    api.post(widgets_url(organization), {"name": "A"}, **{"Idempotency-Key": "shared"})
    other.post(widgets_url(organization), {"name": "A"}, **{"Idempotency-Key": "shared"})

    assert Widget.objects.count() == 2


def test_a_malformed_key_is_refused(api, organization):
    response = api.post(widgets_url(organization), {"name": "A"}, **{"Idempotency-Key": "x" * 256})

    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "Idempotency-Key"


def test_without_a_key_every_post_does_the_work(api, organization):
    api.post(widgets_url(organization), {"name": "A"})
    api.post(widgets_url(organization), {"name": "A"})

    assert Widget.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_do_the_work_once(owner, make_key):
    token = make_key(owner)
    start = threading.Barrier(4)
    statuses: list[tuple[int, str]] = []

    def send() -> None:
        try:
            start.wait()
            response = Api(Authorization=f"Bearer {token}").post(
                widgets_url(owner.organization), {"name": "Race"}, **{"Idempotency-Key": "race"}
            )
            statuses.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Widget.objects.count() == 1
    assert [status for status, _ in statuses] == [201] * 4
    assert len({widget_id for _, widget_id in statuses}) == 1
