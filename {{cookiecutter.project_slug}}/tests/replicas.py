"""Waiting for the streaming replica (DATABASE_REPLICA_URLS) to replay what the primary has written."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from {{ cookiecutter.project_slug }}.core.db import router


def superuser_connection(alias_for_server: str, dbname: str = "postgres") -> psycopg.Connection[Any]:
    """A superuser connection (DATABASE_URL's credentials) to the server behind an alias."""
    primary, server = settings.DATABASES[DEFAULT_DB_ALIAS], settings.DATABASES[alias_for_server]
    return psycopg.connect(
        host=server["HOST"],
        port=server["PORT"],
        user=primary["USER"] or None,
        password=primary["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
    )


def replica_alias() -> str:
    return settings.DATABASE_REPLICAS[0]


def wait_until_replayed(position: int, timeout: float = 60.0) -> None:
    """Wait for the replica to replay ``position``: it returns at once when the replica keeps up, so the generous
    bound only matters on a machine loaded enough to delay replay (15 s was seen to run out at a load average of 8)."""
    with superuser_connection(replica_alias()) as replica:
        deadline = time.monotonic() + timeout
        while True:
            row = replica.execute("SELECT pg_last_wal_replay_lsn() - '0/0'").fetchone()
            if row and int(row[0]) >= position:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the replica did not replay position {position} within {timeout} s")
            time.sleep(0.02)


def catch_up() -> None:
    """Wait until the replica holds everything the primary has written; without replicas, return at once."""
    if settings.DATABASE_REPLICAS:
        wait_until_replayed(router.primary_position())
