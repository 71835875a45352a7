"""Fixtures shared by the suite: users, and a real job worker on the configured broker."""

import contextlib
import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import dramatiq
import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.test import Client
from dramatiq.brokers.stub import StubBroker
from redis.connection import AbstractConnection

from {{ cookiecutter.project_slug }}.core import cacheguard

from .components import NEEDED_BY, Missing, missing_components, missing_message
from .factories import PASSWORD, UserFactory, VerifiedUserFactory
from .replicas import catch_up

FULL_MODE = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
REQUIRE_ALL = os.environ.get("TESTS_REQUIRE_ALL") == "1"


@functools.cache
def missing() -> dict[str, Missing]:
    """What this machine lacks of what the suite can use (tests/components.py)."""
    from django.conf import settings

    return missing_components(settings)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not (FULL_MODE or os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL") or REQUIRE_ALL):
        return ["zero-service mode: tests marked 'services' are deselected; set DATABASE_URL and REDIS_URL to run them"]
    lines = ["full mode: Postgres and Redis from DATABASE_URL and REDIS_URL"]
    if missing():
        heading = "missing here, so the tests that need them are left out (TESTS_REQUIRE_ALL=1 stops instead):"
        lines.append(missing_message(heading, missing()))
    return lines


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


class PrivateRedis:
    """A redis-server of our own on a free loopback port, to stop and start again at will."""

    def __init__(self) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server must be installed for the cache fault tests"
        self.server = server
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        command = [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "private redis did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self, milliseconds: int) -> None:
        """Make it stop answering for a while, keeping its data."""
        redis_cli = shutil.which("redis-cli") or "redis-cli"
        pause = [redis_cli, "-p", str(self.port), "CLIENT", "PAUSE", str(milliseconds), "ALL"]
        subprocess.run(pause, check=True, capture_output=True)  # noqa: S603


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis()
    try:
        yield redis
    finally:
        redis.stop()


@contextlib.contextmanager
def redis_round_trips() -> Iterator[list[str]]:
    """The commands sent to Redis meanwhile, one per round trip (a pipeline counts once, as its first command)."""
    sent: list[str] = []
    send = AbstractConnection.send_packed_command

    def counted(connection: AbstractConnection, command: Any, check_health: bool = True) -> None:
        packed = b"".join(command) if isinstance(command, list | tuple) else bytes(command)
        sent.append(packed.split(b"\r\n")[2].decode().upper())  # *<count>, $<length>, then the command's name
        send(connection, command, check_health)

    with mock.patch.object(AbstractConnection, "send_packed_command", counted):
        yield sent


def redis_cache(port: int) -> dict[str, dict[str, object]]:
    """CACHES with the default cache on a private redis-server, failing fast once it is stopped."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"fault-{uuid.uuid4().hex}",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _replica_has_the_flushed_rows(request: pytest.FixtureRequest, settings) -> None:
    """A transactional test starts once the replica has replayed the last test's flush and its re-made rows.

    After each such test Django empties the tables and writes the default rows again (the Site) on the primary;
    a request that reads them from a replica a few milliseconds behind would find none.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and settings.DATABASE_REPLICAS:
        request.getfixturevalue("transactional_db")
        catch_up()


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
    # And forget a cache outage an earlier test staged, with what was counted meanwhile.
    cacheguard.reset()
    allauth_ratelimit.cache.local.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests whose real component is absent: they cannot pass, and must not count as skipped.

    Stop before any test instead, with what is missing and how to install or start it, when a server that a
    variable names does not answer, or when TESTS_REQUIRE_ALL=1 and a selected test needs what is missing.
    ``NEEDED_BY`` (tests/components.py) says what each marker needs, the browser tests' (``e2e``) included.
    """
    from django.conf import settings

    absent = {marker for marker, needs in NEEDED_BY.items() if set(needs) & set(missing())}
    wanted = {
        name for item in items for marker in absent if item.get_closest_marker(marker) for name in NEEDED_BY[marker]
    }
    stop = {name: why for name, why in missing().items() if why.named or (REQUIRE_ALL and name in wanted)}
    if stop:
        heading = f"these components are missing: {', '.join(stop)}; no test was run."
        if REQUIRE_ALL:
            heading = f"TESTS_REQUIRE_ALL=1 but {heading}"
        raise pytest.UsageError(missing_message(heading, stop))
    deselected = [item for item in items if any(item.get_closest_marker(marker) for marker in absent)]
    if deselected:
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
