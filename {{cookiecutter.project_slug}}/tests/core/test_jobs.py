import logging
import threading
import time

import dramatiq
import pytest
from django.db import transaction
from dramatiq.brokers.stub import StubBroker

from {{ cookiecutter.project_slug }}.core.jobs.middleware import InProcessWorker, RequestIdPropagation
from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit
from {{ cookiecutter.project_slug }}.core.observability.logging import request_id

seen: list[tuple[str, str]] = []


@dramatiq.actor
def remember(value: str) -> None:
    seen.append((value, request_id.get()))
    logging.getLogger("tests.jobs").info("remembered %s", value)


@pytest.fixture(autouse=True)
def _forget():
    seen.clear()


@pytest.mark.django_db(transaction=True)
def test_send_on_commit_enqueues_only_after_the_commit(jobs):
    with transaction.atomic():
        send_on_commit(remember, "committed")
        jobs.run()
        assert seen == [], "nothing may be enqueued before the commit"

    jobs.run()

    assert [value for value, _ in seen] == ["committed"]


@pytest.mark.django_db(transaction=True)
def test_send_on_commit_drops_the_job_when_the_transaction_rolls_back(jobs):
    def enqueue_then_fail():
        with transaction.atomic():
            send_on_commit(remember, "rolled back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        enqueue_then_fail()

    jobs.run()

    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_send_on_commit_gives_the_message_its_options(jobs, monkeypatch):
    sent: list[dramatiq.Message[object]] = []
    enqueue = remember.broker.enqueue

    def record(message, *, delay=None):
        sent.append(message)
        return enqueue(message, delay=delay)

    monkeypatch.setattr(remember.broker, "enqueue", record)
    with transaction.atomic():
        send_on_commit(remember, value="with options", options={"max_retries": 2, "min_backoff": 50})
        assert sent == []
    jobs.run()

    assert [value for value, _ in seen] == ["with options"]
    assert sent[0].kwargs == {"value": "with options"}
    assert {"max_retries": 2, "min_backoff": 50}.items() <= sent[0].options.items()


def test_send_on_commit_refuses_options_that_are_not_a_mapping():
    with pytest.raises(TypeError, match="mapping of message options"):
        send_on_commit(remember, "x", options=[("max_retries", 2)])


def test_a_job_runs_under_the_request_id_of_the_caller(jobs):
    token = request_id.set("req-from-view-42")
    try:
        remember.send("traced")
    finally:
        request_id.reset(token)

    jobs.run()

    assert seen == [("traced", "req-from-view-42")]


def test_the_in_process_worker_starts_on_first_enqueue_and_drains_at_exit():
    middleware = InProcessWorker(worker_threads=1)
    broker = StubBroker(middleware=[RequestIdPropagation(), middleware])
    ran = threading.Event()
    finished: list[int] = []

    @dramatiq.actor(broker=broker, queue_name="local")
    def work(number: int) -> None:
        ran.set()
        time.sleep(0.05)
        finished.append(number)

    assert middleware._worker is None, "no thread until there is work"

    work.send(1)
    assert ran.wait(timeout=5), "the in-process worker ran the job"

    for number in range(2, 6):
        work.send(number)
    middleware.shutdown()  # what atexit does

    assert sorted(finished) == [1, 2, 3, 4, 5], "nothing queued is lost at exit"
    assert middleware._worker is None
