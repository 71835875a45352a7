"""The database connections' two savings: the pool's check (core.db.pool) and server-side prepared statements.

A healthy connection is lent without a round trip and a dead one is not lent: each of
those tests runs a real psycopg pool on the test database with the project's check, and
with the check it replaces (or none), to show the difference is the check's. A statement
run often is prepared on the server (DATABASE_PREPARED_STATEMENTS, on by default).
"""

import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg_pool import ConnectionPool

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.db.pool import check_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

type Check = Callable[[psycopg.Connection[Any]], None] | None


@pytest.fixture
def conninfo() -> str:
    database = connections[DEFAULT_DB_ALIAS].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"],
    )


@pytest.fixture
def admin(conninfo: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        yield connection


def pool_of_one(conninfo: str, check: Check) -> ConnectionPool:
    pool = ConnectionPool(conninfo, min_size=1, max_size=1, check=check, kwargs={"autocommit": True}, open=False)
    pool.open(wait=True, timeout=10)
    return pool


def last_statement(admin: psycopg.Connection[Any], pid: int) -> str | None:
    row = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return None if row is None else str(row[0])


def test_the_project_pool_uses_this_check():
    assert settings.DATABASES["default"]["OPTIONS"]["pool"]["check"] is check_connection


@pytest.mark.parametrize(("check", "round_trip"), [(check_connection, False), (ConnectionPool.check_connection, True)])
def test_a_healthy_connection_is_lent_without_a_round_trip(conninfo, admin, check, round_trip):
    pool = pool_of_one(conninfo, check)
    try:
        with pool.connection() as connection:
            connection.execute("SELECT 'the last statement'")
            pid = connection.info.backend_pid
        with pool.connection() as connection:  # checked again, then lent
            assert connection.info.backend_pid == pid
        # psycopg_pool's own check sends an empty statement, which replaces the last one the server saw.
        assert last_statement(admin, pid) == ("" if round_trip else "SELECT 'the last statement'")
    finally:
        pool.close()


@pytest.mark.parametrize(("check", "lent_dead"), [(check_connection, False), (None, True)])
def test_a_connection_the_server_ended_is_replaced_not_lent(conninfo, admin, check, lent_dead):
    pool = pool_of_one(conninfo, check)
    try:
        with pool.connection() as connection:
            pid = connection.info.backend_pid
        # As a restart, a failover or idle_session_timeout would: the server ends the resting connection.
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        deadline = time.monotonic() + 10
        while last_statement(admin, pid) is not None:
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.05)
        time.sleep(0.1)  # the server's goodbye crosses loopback
        with pool.connection() as connection:
            if lent_dead:
                with pytest.raises(psycopg.OperationalError):
                    connection.execute("SELECT 1")
            else:
                assert connection.execute("SELECT 1").fetchone() == (1,)
                assert connection.info.backend_pid != pid
    finally:
        pool.close()


def test_a_statement_run_five_times_is_prepared_on_the_server(user):
    connection = connections[DEFAULT_DB_ALIAS]
    for _ in range(6):  # prepared at the fifth run on this connection
        assert User.objects.filter(pk=user.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%accounts_user%"])
        prepared = [row[0] for row in cursor.fetchall()]

    assert prepared, "no statement on accounts_user was prepared"
    assert all("$1" in statement for statement in prepared)  # bound by the server, not spelled out
