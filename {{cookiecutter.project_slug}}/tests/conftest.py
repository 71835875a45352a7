"""Fixtures shared by the suite: users, and a real job worker on the configured broker."""

import http.server
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.test import Client
from dramatiq.brokers.stub import StubBroker

from .factories import PASSWORD, UserFactory, VerifiedUserFactory

FULL_MODE = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


def pytest_report_header(config: pytest.Config) -> str:
    if FULL_MODE:
        return "full mode: Postgres and Redis from DATABASE_URL and REDIS_URL"
    return "zero-service mode: tests marked 'services' are deselected; set DATABASE_URL and REDIS_URL to run them"


CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)


def code_in(message: EmailMessage) -> str:
    """The one-time code allauth put in an email (verification, login by code)."""
    found = CODE.search(str(message.body))
    assert found, f"no code in: {message.body}"
    return found.group(1)


@pytest.fixture(scope="session", autouse=True)
def _close_replica_probes(django_db_setup: None) -> Iterator[None]:
    """Close the replica health checks' own connections before the test database is dropped."""
    yield
    from {{ cookiecutter.project_slug }}.core.db.replicas import get_replicas

    get_replicas().close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (rate-limit counters, permission sets, sessions).

    In full mode only this run's keys are deleted (the key prefix is per process),
    never the whole Redis database that other runs may share.
    """
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests whose real component is absent: they cannot pass, and must not count as skipped.

    ``services`` tests need Postgres and Redis; ``rabbitmq`` tests need RABBITMQ_URL; ``replica`` tests
    need DATABASE_REPLICA_URLS; ``pgbouncer`` tests need Postgres and the pgbouncer program; ``postgres``
    tests need full mode (DATABASE_URL).
    """
    from django.conf import settings

    from .core.test_pgbouncer import PGBOUNCER

    postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    absent = {
        "services": not FULL_MODE,
        "rabbitmq": not os.environ.get("RABBITMQ_URL"),
        "replica": not settings.DATABASE_REPLICAS,
        "pgbouncer": not (postgres and PGBOUNCER),
        "postgres": not postgres,
    }
    deselected = [item for item in items if any(item.get_closest_marker(name) for name, gone in absent.items() if gone)]
    if deselected:
        if os.environ.get("TESTS_REQUIRE_ALL") == "1":
            missing = ", ".join(sorted(name for name, gone in absent.items() if gone))
            raise pytest.UsageError(f"TESTS_REQUIRE_ALL=1 but these components are missing: {missing}")
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
    if settings.DATABASE_REPLICAS:
        # Reads outside a transaction (live servers, job workers, transactional tests)
        # go to a replica, a test mirror of the default database: let every test use it.
        for item in items:
            marker = item.get_closest_marker("django_db")
            if marker is not None and "databases" not in marker.kwargs:
                item.add_marker(pytest.mark.django_db(*marker.args, **marker.kwargs, databases="__all__"), append=False)


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


def sign_in(client: Client, user: Any, *, reauthenticate: bool = False) -> str:
    """Sign in through the login form; optionally confirm the password again, as sensitive pages ask.

    Returns where the login form redirected to.
    """
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[-800:]
    if reauthenticate:
        again = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        assert again.status_code == 302, again.content.decode()[-800:]
    return str(response["Location"])


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks of what happens inside, as a real commit would.

    Tests run inside a transaction that never commits; services bump cached
    permissions and enqueue jobs on commit.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def verified_user(db):
    """A user who confirmed their email address and may sign in."""
    return VerifiedUserFactory()


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

    def pending(self, queue_name: str = "default") -> int:
        """How many messages wait in the queue (call before ``run()``)."""
        if isinstance(self.broker, StubBroker):
            return int(self.broker.queues[queue_name].qsize())
        size: int = self.broker.do_qsize(queue_name)  # type: ignore[attr-defined]
        return size

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            # A Worker registers a middleware that starts consumers for queues
            # declared later; left behind, it would feed a stopped worker.
            self.broker.middleware[:] = [
                m for m in self.broker.middleware if getattr(m, "worker", None) is not self.worker
            ]
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


class Receiver:
    """An HTTP server on loopback that records what it receives and answers as told."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []  # answered in order; 200 once exhausted
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try again later")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    try:
        yield server
    finally:
        server.close()
