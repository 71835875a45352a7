"""The generated project's load profile (loadtests/) runs clean against the production command.

``manage.py loadtest_setup`` makes the data under production settings; then Locust
runs the profile headless for a bounded time against gunicorn with production
settings (started as in test_production_server, reached with
``X-Forwarded-Proto: https`` as its TLS proxy would send), Postgres, Redis and the
job worker. Every request must succeed, every task of the profile must have run,
and the worker must have delivered each webhook test event to a receiver on
loopback. Locust runs from the project's ``loadtest`` dependency group in a
throwaway environment, as its README says, so the baked venv stays as installed.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _loadtest import LOCUST, Receiver, receiving
from conftest import Project, assert_ok, bake, variation_params
from test_production_server import HOST, serve_production

SECONDS = 25
USERS = 5
# Each task of the profile, by a request name only that task makes.
TASKS = {
    "home": "page: home",
    "organization": "page: organization",
    "members": "page: members",
    "webhooks": "page: webhooks",
    "list_projects_with_the_key": "API v2: list projects (key)",
    "list_projects_with_the_session": "API v1: list projects (session)",
    "create": "API v2: create a project (key)",
    "delete": "API v2: delete a project (key)",
    "send_a_test_event": "webhook: send a test event",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as server:
        yield server


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def test_every_task_of_the_profile_is_covered_here(tmp_path):
    locustfile = (bake(tmp_path) / "loadtests" / "locustfile.py").read_text()

    assert set(re.findall(r"@task\(\d+\)\n    def (\w+)", locustfile)) == set(TASKS)
    for name in TASKS.values():
        assert f'"{name}"' in locustfile


@pytest.mark.slow
# The default answers: the profile calls the API, whose paths do not depend on the answers; the custom answers'
# production command has its own smoke test (test_production_server.py).
@pytest.mark.parametrize("installed_project", variation_params(["default"]), indirect=True)
def test_the_profile_runs_against_the_production_command_without_a_failure(
    installed_project: Project, services, receiver: Receiver, tmp_path
):
    private_webhooks = {"WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true", "WEBHOOKS_REQUIRE_HTTPS": "false"}
    with serve_production(installed_project, tmp_path, "load", **private_webhooks) as production:
        project, env = production.project, production.env
        setup = ("python", "manage.py", "loadtest_setup", "--webhook-url", receiver.url, "--users", "3")

        refused = project.run(*setup, **env)
        assert refused.returncode == 1
        assert "--allow-production-settings" in refused.stderr

        made = project.run(*setup, "--allow-production-settings", **env)
        assert_ok(made)
        printed = dict(line.split("=", 1) for line in made.stdout.splitlines() if line.startswith("LOADTEST_"))
        locust = project.run(
            *LOCUST,
            "locust",
            "-f",
            "loadtests/locustfile.py",
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{SECONDS}s",
            "--stop-timeout",
            "10",
            "--only-summary",
            "--host",
            production.url,
            "--csv",
            str(tmp_path / "load"),
            timeout=SECONDS + 180,
            **printed,
            LOADTEST_HOST_HEADER=HOST,
            LOADTEST_FORWARDED_PROTO="https",
            LOADTEST_THINK_TIME="0.1-0.4",
        )

        report = f"{locust.stdout}\n{locust.stderr[-5000:]}"
        assert locust.returncode == 0, report
        stats = {row["Name"]: row for row in read_csv(tmp_path / "load_stats.csv")}
        assert stats["Aggregated"]["Failure Count"] == "0", report
        assert not read_csv(tmp_path / "load_failures.csv"), report
        assert not read_csv(tmp_path / "load_exceptions.csv"), report
        ran = {task for task, name in TASKS.items() if int(stats.get(name, {}).get("Request Count", 0)) > 0}
        assert ran == set(TASKS), report
        assert stats["sign in"]["Request Count"] == str(USERS), "each user signed in once, through the form"

        # The job worker delivers every test event, signed, to the endpoint the setup registered.
        events = int(stats["webhook: send a test event"]["Request Count"])
        deadline = time.monotonic() + 60
        while len({headers["webhook-id"] for headers, _ in receiver.deliveries}) < events:
            assert time.monotonic() < deadline, f"{len(receiver.deliveries)} of {events} test events delivered"
            time.sleep(0.5)
        for headers, body in receiver.deliveries:
            assert headers["webhook-signature"].startswith("v1,")
            assert (body["type"], body["organization"]) == ("webhook.ping", printed["LOADTEST_ORGANIZATION"])

        removed = project.run("python", "manage.py", "loadtest_setup", "--remove", "--allow-production-settings", **env)
        assert_ok(removed)
        assert "Removed 3 load-test accounts and 1 organization(s)." in removed.stdout


@pytest.mark.slow
@pytest.mark.parametrize("installed_project", variation_params(["default"]), indirect=True)
def test_the_locustfile_type_checks_against_locust_itself(installed_project: Project):
    # The project's own mypy runs without Locust installed (Any); here it runs with it.
    assert_ok(installed_project.run(*LOCUST[:-2], "--group", "loadtest", "mypy", "loadtests", timeout=300))
