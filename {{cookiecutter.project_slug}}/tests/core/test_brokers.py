"""The job broker follows the environment: Redis by default, RabbitMQ by URL, in-memory without either; our Redis
broker takes back what a Redis restart left with a live worker, and sends each signal only to the middleware that
implement it."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.middleware import SkipMessage

from {{ cookiecutter.project_slug }}.core.jobs.brokers import RedisBroker

from tests.helpers import manage

SHOW = "import dramatiq; print(type(dramatiq.get_broker()).__name__)"


def broker_with(**environ: str) -> str:
    local = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_SECRET_KEY": "x" * 50}
    result = manage("shell", "-c", SHOW, drop=("REDIS_URL", "JOBS_BROKER_URL"), **local, **environ)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("environ", "broker"),
    [
        ({}, "StubBroker"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "RedisBroker"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/0", "JOBS_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/"},
            "RabbitmqBroker",
        ),
    ],
)
def test_the_broker_is_chosen_by_url(environ, broker):
    assert broker_with(**environ) == broker


def test_a_broker_url_of_another_kind_is_refused_by_name():
    result = manage("check", JOBS_BROKER_URL="kafka://127.0.0.1:9092", DJANGO_SETTINGS_MODULE="config.settings.local")

    assert result.returncode == 1
    assert "JOBS_BROKER_URL must be a URL starting with redis://" in result.stderr


@pytest.mark.rabbitmq
def test_jobs_run_through_a_real_rabbitmq_with_our_middleware():
    middleware = [import_string(path)() for path in settings.DRAMATIQ_MIDDLEWARE]
    broker = RabbitmqBroker(url=os.environ["RABBITMQ_URL"], middleware=middleware)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    done: list[int] = []

    @dramatiq.actor(broker=broker, queue_name=queue)
    def add(value: int) -> None:
        done.append(value)

    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        for value in range(20):
            add.send(value)
        broker.join(queue, timeout=20_000)
        worker.join()
    finally:
        worker.stop()
        broker.channel.queue_delete(queue)
        broker.channel.queue_delete(f"{queue}.DQ")
        broker.channel.queue_delete(f"{queue}.XQ")
        broker.close()

    assert sorted(done) == list(range(20))


@pytest.fixture
def redis_broker() -> Iterator[RedisBroker]:
    """Our Redis broker on a namespace of its own, removed afterwards."""
    broker = RedisBroker(url=settings.REDIS_URL, namespace=f"test-broker-{uuid.uuid4().hex[:8]}")
    broker.declare_queue("default")
    yield broker
    for key in broker.client.scan_iter(f"{broker.namespace}:*"):
        broker.client.delete(key)
    broker.close()


def message(value: int) -> dramatiq.Message[Any]:
    return dramatiq.Message(queue_name="default", actor_name="add", args=(value,), kwargs={}, options={})


@pytest.mark.services
def test_messages_fetched_but_never_delivered_are_taken_back_by_the_next_consumer(redis_broker):
    """Redis stopping right after a fetch ran loses its reply: the messages sat in a live worker's set for good."""
    for value in range(3):
        redis_broker.enqueue(message(value))
    redis_broker.do_fetch("default", 2)  # what Redis ran; the reply never reached the worker

    consumer = redis_broker.consume("default", prefetch=3, timeout=100)
    delivered = []
    while len(delivered) < 3 and (proxy := next(consumer)) is not None:
        delivered.append(proxy.args[0])
        consumer.ack(proxy)

    assert sorted(delivered) == [0, 1, 2]
    assert redis_broker.in_hand["default"] == set()


@pytest.mark.services
def test_a_message_being_processed_is_not_taken_back(redis_broker):
    redis_broker.enqueue(message(7))
    consumer = redis_broker.consume("default", prefetch=1, timeout=100)
    proxy = next(consumer)
    assert proxy is not None

    assert redis_broker.take_back("default") == 0  # a consumer made again after a connection error
    assert next(redis_broker.consume("default", prefetch=1, timeout=100)) is None
    consumer.ack(proxy)
    assert redis_broker.in_hand["default"] == set()


class Recorder(dramatiq.Middleware):
    """Records the enqueue signals it receives; fails on ``after_enqueue`` when told to."""

    def __init__(self, name: str, calls: list[str], *, fail: bool = False) -> None:
        self.name, self.calls, self.fail = name, calls, fail

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        self.calls.append(f"{self.name} before")

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        self.calls.append(f"{self.name} after")
        if self.fail:
            raise RuntimeError("broken middleware")


class Refuses(dramatiq.Middleware):
    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        raise SkipMessage


def test_our_broker_sends_each_signal_only_to_the_middleware_that_implement_it_in_dramatiqs_order(caplog):
    calls: list[str] = []
    first, second = Recorder("first", calls), Recorder("second", calls, fail=True)
    broker = RedisBroker(url="redis://127.0.0.1:6379/0", middleware=[first, dramatiq.Middleware(), second])

    assert broker.implementing("before_enqueue") == (first, second)
    assert broker.implementing("after_enqueue") == (second, first)
    broker.emit_before("enqueue", message(1), None)
    broker.emit_after("enqueue", message(1), None)
    assert calls == ["first before", "second before", "second after", "first after"]  # a failure does not stop it
    assert "Unexpected failure in after_enqueue" in caplog.text

    calls.clear()
    broker.add_middleware(Recorder("third", calls))
    broker.middleware.remove(first)  # edited in place, as a test fixture does
    broker.emit_before("enqueue", message(1), None)
    assert calls == ["second before", "third before"]

    broker.add_middleware(Refuses())
    with pytest.raises(SkipMessage):  # a middleware's own errors still stop the enqueue
        broker.emit_before("enqueue", message(1), None)
