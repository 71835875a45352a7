"""DATABASE_PGBOUNCER against a real PgBouncer in transaction mode, started on loopback.

Deselected when the ``pgbouncer`` program is not installed. Each test also runs
without the setting and shows what breaks, so it cannot pass by accident.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import Error as DatabaseError

from tests.components import find_program

pytestmark = [pytest.mark.pgbouncer, pytest.mark.django_db]

PGBOUNCER = find_program("pgbouncer")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A PgBouncer in transaction mode with two server connections in front of the test database."""
    assert PGBOUNCER, "pgbouncer is not installed"
    with django_db_blocker.unblock():
        primary = dict(connections.settings[DEFAULT_DB_ALIAS])
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)  # PgBouncer drops root privileges and must still read its files
    (folder / "users.txt").write_text(f'"{primary["USER"]}" "{primary["PASSWORD"]}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={primary['HOST'] or '127.0.0.1'} port={primary['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 50\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    for path in folder.iterdir():
        path.chmod(0o644)
    command = [PGBOUNCER, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(folder / "pgbouncer.ini")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout and process.poll() is not None else ""
                    pytest.fail(f"PgBouncer did not start: {output}")
                time.sleep(0.05)
        yield {**primary, "HOST": "127.0.0.1", "PORT": str(port)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


# The test database's options that DATABASE_PGBOUNCER leaves out: the pool, and prepared statements (each test that
# is about them sets them itself).
_NOT_BEHIND_PGBOUNCER = {"pool", "server_side_binding", "prepare_threshold"}


def _settings(settings_dict: dict[str, Any], **changes: Any) -> dict[str, Any]:
    options = {key: value for key, value in settings_dict["OPTIONS"].items() if key not in _NOT_BEHIND_PGBOUNCER}
    options.update(changes.pop("OPTIONS", {}))
    return {**settings_dict, "OPTIONS": options, **changes}


def _wrapper(settings_dict: dict[str, Any], **changes: Any) -> DatabaseWrapper:
    """A Django connection to PgBouncer."""
    return DatabaseWrapper(_settings(settings_dict, **changes), alias="pgbouncer")


@pytest.fixture(scope="module")
def bouncer_alias(pgbouncer: dict[str, Any]) -> Iterator[str]:
    """A database alias for PgBouncer (made before each test's setup), so that the ORM itself decides how to read."""
    connections.settings["pgbouncer"] = _settings(pgbouncer)
    try:
        yield "pgbouncer"
    finally:
        connections["pgbouncer"].close()
        del connections["pgbouncer"]
        del connections.settings["pgbouncer"]


def _other_client(settings_dict: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    )


def _iterate_while_another_client_holds_a_transaction(alias: str, bouncer: dict[str, Any]) -> list[Any]:
    """``QuerySet.iterator()`` over the (committed) migration records, one row a fetch."""
    rows = MigrationRecorder.Migration.objects.using(alias).order_by("id").iterator(chunk_size=1)
    with _other_client(bouncer) as other:
        first = next(rows)
        # The other client's transaction now holds the server connection a server-side cursor was made on.
        other.execute("BEGIN")
        other.execute("SELECT 1")
        rest = list(rows)
        other.execute("COMMIT")
    return [first, *rest]


def _run_the_same_query_from_two_clients(first: DatabaseWrapper, second: DatabaseWrapper) -> None:
    for _ in range(3):
        for connection in (first, second):
            with connection.cursor() as cursor:
                cursor.execute("SELECT %s::int + 1", [1])
                assert cursor.fetchone() == (2,)


# Autocommit, as in production: no test transaction around the iterator.
@pytest.mark.django_db(transaction=True, databases=["default", "pgbouncer"])
def test_server_side_cursors_are_off_with_the_setting(pgbouncer, bouncer_alias):
    connections[bouncer_alias].settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    expected = MigrationRecorder.Migration.objects.count()

    assert len(_iterate_while_another_client_holds_a_transaction(bouncer_alias, pgbouncer)) == expected > 1


@pytest.mark.django_db(transaction=True, databases=["default", "pgbouncer"])
def test_without_the_setting_a_server_side_cursor_is_lost_between_transactions(pgbouncer, bouncer_alias):
    connections[bouncer_alias].settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False

    # Django's error, or psycopg's when closing the lost cursor fails the same way.
    with pytest.raises((DatabaseError, psycopg.Error), match=r"cursor .* does not exist"):
        _iterate_while_another_client_holds_a_transaction(bouncer_alias, pgbouncer)


# Django's psycopg 3 cursors bind parameters on the client and never prepare; with
# server_side_binding (refused with DATABASE_PGBOUNCER) they do, unless prepare_threshold is None.
def test_prepared_statements_are_off_with_the_setting(pgbouncer):
    options = {"server_side_binding": True, "prepare_threshold": None}
    first, second = (_wrapper(pgbouncer, OPTIONS=options) for _ in range(2))
    try:
        _run_the_same_query_from_two_clients(first, second)
    finally:
        first.close()
        second.close()


def test_without_the_setting_prepared_statements_collide_on_shared_server_connections(pgbouncer):
    options = {"server_side_binding": True, "prepare_threshold": 0}
    first, second = (_wrapper(pgbouncer, OPTIONS=options) for _ in range(2))
    try:
        with pytest.raises(DatabaseError, match="prepared statement"):
            _run_the_same_query_from_two_clients(first, second)
    finally:
        first.close()
        second.close()
