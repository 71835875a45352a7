"""Fixtures shared by the suite: users, and a real job worker on the configured broker."""

from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from .factories import UserFactory


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests whose real component is absent: they cannot pass, and must not count as skipped.

    ``replica`` tests need DATABASE_REPLICA_URLS; ``pgbouncer`` tests need Postgres and the pgbouncer program;
    ``postgres`` tests need full mode (DATABASE_URL).
    """
    from django.conf import settings

    from .core.test_pgbouncer import PGBOUNCER

    postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    absent = {
        "replica": not settings.DATABASE_REPLICAS,
        "pgbouncer": not (postgres and PGBOUNCER),
        "postgres": not postgres,
    }
    deselected = [item for item in items if any(item.get_closest_marker(name) for name, gone in absent.items() if gone)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(autouse=True)
def _mail_goes_through_the_queue(settings):
    """Django's test setup swaps every mailer for locmem; queue mail as production does.

    The "delivery" mailer, which the job hands each message to, stays locmem,
    so delivered mail lands in ``django.core.mail.outbox``.
    """
    settings.MAILERS = {
        "default": {"BACKEND": "{{ cookiecutter.project_slug }}.core.email.QueuedEmailBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }


@pytest.fixture
def user(db):
    return UserFactory()


class Jobs:
    """Runs queued jobs on a real worker: the Redis broker in full mode, in-memory otherwise.

    Messages wait in the broker until ``run()``, so a test can check what was
    queued before anything is processed.
    """

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        self.worker: dramatiq.Worker | None = None

    def run(self, queue_name: str = "default", *, fail_fast: bool = True, timeout_ms: int = 10_000) -> None:
        """Process every message on the queue, then return.

        With the in-memory broker, ``fail_fast`` re-raises a job's exception here.
        """
        if self.worker is None:
            self.worker = dramatiq.Worker(self.broker, worker_threads=1, worker_timeout=50)
            self.worker.start()
        if isinstance(self.broker, StubBroker):
            self.broker.join(queue_name, timeout=timeout_ms, fail_fast=fail_fast)
        else:
            self.broker.join(queue_name, interval=10, timeout=timeout_ms)  # type: ignore[call-arg]
        self.worker.join()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.broker.flush_all()


@pytest.fixture
def jobs() -> Iterator[Jobs]:
    broker = dramatiq.get_broker()
    broker.flush_all()
    jobs = Jobs(broker)
    try:
        yield jobs
    finally:
        jobs.stop()
