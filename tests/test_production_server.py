"""The production command (gunicorn, production settings) against Postgres and Redis passes the pipeline's smoke test.

What the container runs, run here from the baked project's venv (no Docker engine
on this machine): the release step (migrate, collectstatic as in the image build,
ensure_smoke_user), gunicorn with config/gunicorn.py and two workers, the job
worker, then scripts/smoke.py exactly as the deploy workflow calls it. Then the
metrics both processes expose and the JSON access lines gunicorn wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import (
    CHECKOUT,
    DATABASE_BASE_URL,
    REDIS_BASE_URL,
    VARIATIONS,
    Project,
    assert_ok,
    clean_environment,
    free_port,
    variation_params,
    wait_for,
)
from test_baked_project import PRODUCTION

pytestmark = [pytest.mark.slow]

HOST = "app.example.com"
TOKEN = "metrics-token-for-the-production-test-0123456789"
SMOKE = {"SMOKE_EMAIL": "smoke@example.com", "SMOKE_PASSWORD": "release-smoke-Password-2026"}


@dataclass
class Running:
    project: Project
    url: str
    worker_metrics: str
    web_log: Path
    worker_log: Path
    env: dict[str, str]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # report the redirect; never follow it off the loopback


_opener = urllib.request.build_opener(_NoRedirects)


def get(url: str, **headers: str) -> tuple[int, str]:
    try:
        with _opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def postgres(project: Project, sql: str) -> None:
    server = DATABASE_BASE_URL + "/postgres"
    code = f"import psycopg\nwith psycopg.connect({server!r}, autocommit=True) as c: c.execute({sql!r})"
    assert_ok(project.run("python", "-c", code))


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serve_production(project: Project, folder: Path, name: str = "prod", **extra: str) -> Iterator[Running]:
    """The release step, then gunicorn (config/gunicorn.py, two workers) and the job worker, on a fresh database.

    ``extra`` adds environment variables for all three; everything is stopped and dropped afterwards.
    """
    name = f"runway_{CHECKOUT}_{project.variation}_{name}"
    index = list(VARIATIONS).index(project.variation)
    port, metrics_port, closed_smtp_port = free_port(), free_port(), free_port()
    env = {
        **PRODUCTION,
        **SMOKE,
        "DATABASE_URL": f"{DATABASE_BASE_URL}/{name}",
        "REDIS_URL": f"{REDIS_BASE_URL}/{10 + index}",
        "CACHE_KEY_PREFIX": name,
        "DRAMATIQ_NAMESPACE": name,
        # Mail goes to a closed loopback port: the send job fails, and the job metrics show it.
        "EMAIL_URL": f"smtp://127.0.0.1:{closed_smtp_port}",
        "METRICS_TOKEN": TOKEN,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        **extra,
    }
    postgres(project, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres(project, f"CREATE DATABASE {name}")
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput"), ("ensure_smoke_user",)):
        assert_ok(project.run("python", "manage.py", *command, **env))

    web_log = folder / "web.log"
    with web_log.open("wb") as log:
        web = subprocess.Popen(
            [str(project.path / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py"],
            cwd=project.path,
            env=clean_environment(**env, PROMETHEUS_MULTIPROC_DIR=str(folder / "web-metrics")),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker_log = folder / "worker.log"
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(
            [str(project.path / ".venv/bin/python"), "manage.py", "rundramatiq", "--processes", "1", "--threads", "2"],
            cwd=project.path,
            env=clean_environment(
                **env,
                PROMETHEUS_MULTIPROC_DIR=str(folder / "worker-metrics"),
                METRICS_HOST="127.0.0.1",
                METRICS_PORT=str(metrics_port),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz", timeout=60).status == 200
        urls = (f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}/metrics")
        yield Running(project, *urls, web_log, worker_log, env)
    finally:
        stop(web)
        stop(worker)
        code = (
            "import redis\nr = redis.Redis.from_url({url!r})\nfor key in r.scan_iter({pattern!r}): r.delete(key)"
        ).format(url=env["REDIS_URL"], pattern=f"{name}*")
        project.run("python", "-c", code)
        postgres(project, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def production(installed_project: Project, services, tmp_path) -> Iterator[Running]:
    with serve_production(installed_project, tmp_path) as running:
        yield running


# Not without the example: nothing the production server does names it, and its suite already runs.
@pytest.mark.parametrize("installed_project", variation_params(["default", "custom"]), indirect=True)
def test_the_production_command_passes_the_smoke_test_and_reports_what_it_served(production: Running):
    smoke = production.project.run(
        "python",
        "scripts/smoke.py",
        production.url,
        "--host",
        HOST,
        "--forwarded-proto",
        "https",
        "--retries",
        "3",
        timeout=120,
        **SMOKE,
    )

    assert_ok(smoke)
    lines = smoke.stdout.splitlines()
    assert len(lines) == 4
    for line, expected in zip(
        lines,
        ("ok   ready", "ok   home page", "ok   sign in: signed in as smoke@", "ok   API: 0 webhook endpoint(s)"),
        strict=True,
    ):
        assert line.startswith(f"smoke: {expected}")

    # Plain HTTP without the proxy's header is sent to HTTPS; the probes are not.
    assert get(f"{production.url}/", Host=HOST)[0] == 301
    assert get(f"{production.url}/readyz")[0] == 200

    # Metrics: only for the token holder; the smoke test's requests are counted.
    assert get(f"{production.url}/metrics")[0] == 404
    status, web_metrics = get(f"{production.url}/metrics", Authorization=f"Bearer {TOKEN}")
    assert status == 200
    assert 'http_requests_total{method="POST",route="/accounts/login/",status="302"} 1.0' in web_metrics
    assert 'http_requests_total{method="GET",route="/accounts/email/",status="200"} 1.0' in web_metrics
    assert 'db_pool_connections{database="default",state="max"}' in web_metrics

    # A job: the email goes through Redis to the worker, which cannot reach the mail server and says so.
    assert_ok(production.project.run("python", "manage.py", "sendtestemail", "ops@example.com", **production.env))
    deadline = time.monotonic() + 90
    worker_metrics = ""
    while 'jobs_total{actor="send_email",outcome="failed",queue="default"}' not in worker_metrics:
        log = production.worker_log.read_text()
        assert time.monotonic() < deadline, f"the worker did not report the job:\n{worker_metrics}\n{log}"
        time.sleep(0.5)
        try:
            worker_metrics = get(production.worker_metrics, Authorization=f"Bearer {TOKEN}")[1]
        except OSError:  # the worker is still starting
            continue
    assert get(production.worker_metrics)[0] == 404
    assert 'job_duration_seconds_count{actor="send_email",queue="default"}' in worker_metrics

    # One JSON access line per request, with the request id and, once signed in, the user id.
    lines = [json.loads(line) for line in production.web_log.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "access"]
    signed_in = next(line for line in access if line["path"] == "/accounts/email/")
    assert signed_in["status"] == 200
    assert signed_in["user_id"]
    assert len(signed_in["request_id"]) == 32
    assert all(line["request_id"] != "-" for line in access)
    assert not [line for line in access if line["path"] in ("/healthz", "/readyz", "/metrics")]
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR") is None, "the test process itself stays out of it"
