"""manage.py indexaudit against the real statistics of the test database."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from {{ cookiecutter.project_slug }}.accounts.models import User

from ..replicas import catch_up

pytestmark = pytest.mark.postgres


def audit(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("indexaudit", *args, stdout=out)
    return out.getvalue()


def flush_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")


@pytest.mark.django_db(transaction=True)
def test_a_table_read_by_sequential_scans_is_listed():
    User.objects.bulk_create(User(email=f"user{n}@example.com") for n in range(300))
    for _ in range(4):
        assert not User.objects.filter(name="nobody").exists()  # no index on name: a sequential scan
    flush_statistics()

    deadline = time.monotonic() + 10
    while "accounts_user" not in (out := audit("--min-rows", "100")) and time.monotonic() < deadline:
        time.sleep(0.2)  # statistics reach other sessions within a second
    line = next(line for line in out.splitlines() if "accounts_user" in line)

    assert int(line.split()[1].replace(",", "")) >= 4  # sequential scans
    assert "Indexes never used" in out
    assert "pg_stat_statements is not enabled in this database" in out


@pytest.mark.django_db
def test_explain_prints_the_plan_with_buffers():
    out = audit("--explain", "SELECT * FROM accounts_user WHERE name = 'x'")

    assert "Seq Scan on accounts_user" in out
    assert "actual time=" in out
    assert "Buffers:" in out or "Planning:" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("DELETE FROM accounts_user", "only read-only queries can be explained"),
        ("SELECT 1; DELETE FROM accounts_user", "cannot insert multiple commands"),
        ("SELECT 1; COMMIT; DROP TABLE accounts_user", "cannot insert multiple commands"),
        ("SELEKT 1", "PostgreSQL refused the query"),
        ("   ", "give the query to explain"),
    ],
)
def test_explain_refuses_what_it_must_not_run(query, problem):
    User.objects.create_user(email="kept@example.com")

    with pytest.raises(CommandError, match=problem):
        audit("--explain", query)

    assert User.objects.filter(email="kept@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "problem"),
    [(("--database", "nope"), "no database alias 'nope'"), (("--limit", "0"), "--limit must be positive")],
)
def test_bad_options_are_named(args, problem):
    with pytest.raises(CommandError, match=problem):
        audit(*args)


@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_on_a_replica_with_pg_stat_statements_the_slowest_queries_are_listed(replica):
    from django.db import connections

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    catch_up()
    with connections[replica].cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT count(*) FROM accounts_user WHERE name LIKE %s", ["%audit%"])

    out = audit("--database", replica, "--limit", "50")

    assert "SELECT count(*) FROM accounts_user WHERE name LIKE $1" in out
    assert "pg_stat_statements is not enabled" not in out
