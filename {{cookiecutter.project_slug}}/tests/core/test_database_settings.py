"""Database settings from the environment: replicas, PgBouncer, and the connection budget check."""

import json
from typing import Any

import pytest
from django.core import checks

from {{ cookiecutter.project_slug }}.core.dbtools.checks import connection_budget

from .test_settings import COMPLETE, manage, settings_only

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'aliases': list(s.DATABASES), 'routers': s.DATABASE_ROUTERS, 'databases': s.DATABASES}, default=str))"
)


def settings_with(**environ: str) -> dict[str, Any]:
    result = settings_only(SHOW, **{**COMPLETE, **environ})
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_each_replica_url_becomes_a_read_only_alias_behind_the_router():
    found = settings_with(
        DATABASE_REPLICA_URLS="postgres://reader@replica-a:5432/app, postgres://reader@replica-b:6432/app"
    )

    assert found["aliases"] == ["default", "replica_1", "replica_2"]
    assert found["routers"] == ["{{ cookiecutter.project_slug }}.core.db.router.ReplicaRouter"]
    replica = found["databases"]["replica_2"]
    assert (replica["HOST"], replica["PORT"], replica["ENGINE"]) == (
        "replica-b",
        "6432",
        "{{ cookiecutter.project_slug }}.core.db.replica",
    )
    assert replica["OPTIONS"]["options"] == "-c default_transaction_read_only=on"
    assert replica["OPTIONS"]["pool"]["timeout"] == 2
    # Django's pool checks each connection before lending it, on the primary and the replicas.
    assert all(found["databases"][alias]["CONN_HEALTH_CHECKS"] is True for alias in found["aliases"])


def test_without_replicas_there_is_no_router():
    found = settings_with()

    assert found["aliases"] == ["default"]
    assert found["routers"] == []


def test_prepared_statements_and_the_pools_own_check_are_on_everywhere_by_default():
    found = settings_with(DATABASE_REPLICA_URLS="postgres://reader@replica:5432/app")

    for alias in ("default", "replica_1"):
        options = found["databases"][alias]["OPTIONS"]
        assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)
        assert options["pool"]["check"].startswith("<function check_connection ")  # core.db.pool


def test_prepared_statements_can_be_turned_off():
    options = settings_with(DATABASE_PREPARED_STATEMENTS="false")["databases"]["default"]["OPTIONS"]

    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_pgbouncer_mode_turns_off_server_side_cursors_and_prepared_statements_everywhere():
    found = settings_with(DATABASE_PGBOUNCER="true", DATABASE_REPLICA_URLS="postgres://reader@replica:6432/app")

    for alias in ("default", "replica_1"):
        database = found["databases"][alias]
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert database["OPTIONS"]["prepare_threshold"] is None
        assert "server_side_binding" not in database["OPTIONS"]
    # PgBouncer refuses the "options" startup parameter.
    assert "options" not in found["databases"]["replica_1"]["OPTIONS"]


def test_every_bad_database_setting_is_named_at_once():
    bad = {
        "DATABASE_URL": "postgres://app@db/app?server_side_binding=true",
        "DATABASE_PGBOUNCER": "true",
        "DATABASE_PREPARED_STATEMENTS": "true",
        "DATABASE_REPLICA_URLS": "mysql://replica/app",
        "DATABASE_WRITE_POSITION_TTL": "10",
        "DATABASE_REPLICA_MAX_LAG_SECONDS": "30",
        "WEB_CONCURRENCY": "0",
    }

    result = manage("check", **{**COMPLETE, **bad})

    assert result.returncode == 1
    for problem in (
        "DATABASE_URL must not set prepare_threshold or server_side_binding with DATABASE_PGBOUNCER",
        "DATABASE_PREPARED_STATEMENTS must be false with DATABASE_PGBOUNCER",
        "DATABASE_REPLICA_URLS URL number 1 must start with postgres://",
        "DATABASE_WRITE_POSITION_TTL must be longer than DATABASE_REPLICA_MAX_LAG_SECONDS",
        "WEB_CONCURRENCY must be at least 1, got 0",
    ):
        assert problem in result.stderr


def test_a_replica_url_must_name_a_database():
    result = manage("check", **{**COMPLETE, "DATABASE_REPLICA_URLS": "postgres://reader@replica:5432/"})

    assert result.returncode == 1
    assert "DATABASE_REPLICA_URLS must name a database" in result.stderr


def test_the_deploy_check_fails_when_the_processes_could_exhaust_the_connections():
    result = manage(
        "check",
        "--deploy",
        **{
            **COMPLETE,
            "WEB_INSTANCES": "4",
            "WEB_CONCURRENCY": "4",
            "WEB_THREADS": "8",
            "DATABASE_MAX_CONNECTIONS": "100",
        },
    )

    assert result.returncode == 1
    assert "core.E001" in result.stderr
    assert "web 4 instance(s) x 4 process(es) x 8 connection(s) = 128" in result.stderr
    assert "over DATABASE_MAX_CONNECTIONS=100" in result.stderr


@pytest.fixture
def full_mode(settings):
    settings.DATABASE = {"ENGINE": "django.db.backends.postgresql"}
    settings.DATABASE_POOL = True
    settings.DATABASE_POOL_MAX_SIZE = 10
    settings.DATABASE_REPLICAS = []
    settings.DATABASE_MAX_CONNECTIONS = 100
    settings.DATABASE_RESERVED_CONNECTIONS = 10
    settings.WEB_INSTANCES, settings.WEB_CONCURRENCY, settings.WEB_THREADS = 2, 4, 4
    settings.WORKER_INSTANCES, settings.WORKER_PROCESSES, settings.WORKER_THREADS = 1, 2, 8
    return settings


def test_a_process_holds_at_most_its_threads_or_its_pool(full_mode):
    # web 2 x 4 x min(4, 10) = 32, workers 1 x 2 x min(8, 10) = 16, reserve 10: 58 fits in 100.
    assert connection_budget() == []

    full_mode.DATABASE_MAX_CONNECTIONS = 57
    [error] = connection_budget()

    assert error.id == "core.E001"
    assert "= 32, plus workers 1 instance(s) x 2 process(es) x 8 connection(s) = 16, plus 10 reserved = 58" in (
        error.msg
    )


def test_replicas_add_the_checkers_connection_to_each_process(full_mode):
    full_mode.DATABASE_REPLICAS = ["replica_1"]
    full_mode.DATABASE_MAX_CONNECTIONS = 58

    [error] = connection_budget()

    assert "plus 10 reserved = 68" in error.msg  # (8 + 2) processes with one more connection each


def test_without_a_pool_every_thread_holds_a_connection(full_mode):
    full_mode.DATABASE_POOL = False
    full_mode.WEB_THREADS = 16

    [error] = connection_budget()

    assert "web 2 instance(s) x 4 process(es) x 16 connection(s) = 128" in error.msg


def test_more_threads_than_the_pool_is_a_warning(full_mode):
    full_mode.WEB_THREADS = 12
    full_mode.DATABASE_MAX_CONNECTIONS = 500

    [warning] = connection_budget()

    assert warning.level == checks.WARNING
    assert "WEB_THREADS=12 is over DATABASE_POOL_MAX_SIZE=10" in warning.msg


def test_zero_service_mode_has_no_budget(settings):
    settings.DATABASE = None  # no DATABASE_URL: SQLite

    assert connection_budget() == []
