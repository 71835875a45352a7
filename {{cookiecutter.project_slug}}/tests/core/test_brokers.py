"""The job broker follows the environment: Redis by default, RabbitMQ by URL, in-memory without either."""

import os
import uuid

import dramatiq
import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from dramatiq.brokers.rabbitmq import RabbitmqBroker

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
