"""Fixtures for tests on the streaming replica (DATABASE_REPLICA_URLS).

Tests that pause replay hold an exclusive advisory lock on the primary and the
others a shared one, so that test runs sharing one replica (other checkouts,
other variations) never see each other's pauses; replay is resumed even when a
test fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS

from {{ cookiecutter.project_slug }}.core.db import replicas as replicas_module
from {{ cookiecutter.project_slug }}.core.db import router
from {{ cookiecutter.project_slug }}.core.db.replicas import get_replicas

from ..replicas import catch_up, replica_alias
from ..replicas import superuser_connection as _connect
from .replica_views import JOB_READS

LOCK_KEY = 5433_0001  # pg_advisory_lock key on the primary's "postgres" database


@pytest.fixture
def fresh_router() -> Iterator[None]:
    router.reset()
    replicas_module._replicas = None
    get_replicas().refresh()
    JOB_READS.clear()
    yield
    router.reset()


@pytest.fixture
def replica(fresh_router: None) -> Iterator[str]:
    """A streaming replica nobody pauses while the test runs."""
    with _connect(DEFAULT_DB_ALIAS) as lock:
        lock.execute("SELECT pg_advisory_lock_shared(%s)", [LOCK_KEY])
        get_replicas().refresh()
        yield replica_alias()


@pytest.fixture
def paused_replica(fresh_router: None) -> Iterator[psycopg.Connection[Any]]:
    """The replica with replay paused; resumed afterwards whatever happens."""
    with _connect(DEFAULT_DB_ALIAS) as lock, _connect(replica_alias()) as replica:
        lock.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        catch_up()
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            get_replicas().refresh()
            yield replica
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
