"""Jobs through the real Redis broker and a real worker process: effects, crashes, retries."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from {{ cookiecutter.project_slug }}.organizations.models import Organization, Role
from {{ cookiecutter.project_slug }}.webhooks import services as webhook_services
from {{ cookiecutter.project_slug }}.webhooks import signing
from {{ cookiecutter.project_slug }}.webhooks.models import DeliveryStatus, WebhookDelivery

from tests.factories import MembershipFactory
from tests.worker_actors import create_organization_once

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "django_dramatiq.setup",
    "{{ cookiecutter.project_slug }}.core.tasks",
    "{{ cookiecutter.project_slug }}.webhooks.tasks",
    "tests.worker_actors",
]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class WorkerProcess:
    """`dramatiq` worker processes on this run's queues and test database."""

    def __init__(self, log_dir: Path) -> None:
        url = connection.settings_dict
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URLS"},
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{url['USER']}@{url['HOST']}:{url['PORT']}/{url['NAME']}",
            "TEST_RUN_ID": settings.CACHES["default"]["KEY_PREFIX"],
            # Hand a dead worker's messages over after one second, and check for that often.
            "JOBS_HEARTBEAT_TIMEOUT_MS": "1000",
            "JOBS_MAINTENANCE_CHANCE": "1000000",
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "dramatiq", "--processes", "1", "--threads", "1", *MODULES],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its children: no clean shutdown, no acknowledgement."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[WorkerProcess]:
    processes = WorkerProcess(tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()


def test_a_worker_killed_mid_job_leads_to_redelivery_and_the_effect_happens_once(workers):
    first = workers.start()
    create_organization_once.send("crash", "Exactly Once Ltd", 2.0)

    wait_until(lambda: cache.get("started:crash"), 60, "the first worker to start the job")
    workers.kill(first)
    assert not Organization.objects.filter(name="Exactly Once Ltd").exists(), "the killed job's insert rolled back"

    workers.start()  # the message is handed to this one once the dead worker's heartbeat is stale
    wait_until(lambda: Organization.objects.filter(name="Exactly Once Ltd").exists(), 60, "the redelivered job")

    # The same message again (a redelivery after success): a no-op. A later job shows the worker got past it.
    create_organization_once.send("crash", "Exactly Once Ltd", 0.0)
    create_organization_once.send("after", "Sentinel Ltd", 0.0)
    wait_until(lambda: Organization.objects.filter(name="Sentinel Ltd").exists(), 60, "the sentinel job")

    assert Organization.objects.filter(name="Exactly Once Ltd").count() == 1


def test_a_request_that_writes_gets_its_webhook_from_a_real_worker_after_two_retries(client, receiver, workers):
    owner = MembershipFactory(role=Role.OWNER)
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    endpoint = webhook_services.endpoint_create(
        organization=owner.organization, url=receiver.url, event_types=["member.role_changed"], actor=owner.user
    )
    receiver.statuses = [500, 502]
    workers.start()
    client.force_login(owner.user)

    response = client.post(
        f"/orgs/{owner.organization.public_id}/members/", {"member": member.pk, "action": "role", "role": "admin"}
    )

    assert response.status_code == 302
    wait_until(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(), 60, "the delivery")
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    assert len(receiver.requests) == 3
    for headers, body in receiver.requests:
        signing.verify(endpoint.secret, headers, body)
        assert headers["webhook-id"] == str(delivery.public_id)
    assert json.loads(receiver.requests[-1][1])["data"]["role"] == "admin"
