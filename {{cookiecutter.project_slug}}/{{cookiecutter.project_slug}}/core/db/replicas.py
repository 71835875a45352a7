"""Replica health: which replicas may serve reads, and how far each has replayed.

Each process checks its replicas at a jittered interval, from a background thread,
over connections of its own with a short statement timeout, so a slow or dead
replica never holds up a request. A replica is usable while it answers, is still a
standby, and lags the primary by no more than the configured time and bytes.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, replace

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow

logger = logging.getLogger(__name__)

# Positions in the write-ahead log, as byte offsets (pg_lsn - '0/0').
REPLICA_QUERY = """
    SELECT pg_is_in_recovery(),
           pg_last_wal_replay_lsn() - '0/0',
           CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""
PRIMARY_QUERY = "SELECT pg_current_wal_lsn() - '0/0'"
JITTER = 0.2  # each interval is 80% to 120% of the setting, so processes do not check in step


@dataclass(frozen=True)
class ReplicaStatus:
    alias: str
    usable: bool = False
    replay_position: int = 0
    lag_seconds: float | None = None
    lag_bytes: int | None = None
    reason: str = "not checked yet"


class Probe:
    """One connection of our own to one server; every query runs under a short statement timeout."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.connection: psycopg.Connection[TupleRow] | None = None

    def _conninfo(self) -> str:
        settings_dict = connections.settings[self.alias]
        params = {
            key: value
            for key, value in settings_dict["OPTIONS"].items()
            if key not in {"pool", "server_side_binding", "isolation_level", "assume_role", "prepare_threshold"}
        }
        params.update(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"] or None,
            password=settings_dict["PASSWORD"] or None,
            host=settings_dict["HOST"] or None,
            port=settings_dict["PORT"] or None,
            connect_timeout=2,  # libpq's minimum
        )
        return make_conninfo(**params)

    def query(self, sql: str, timeout_ms: int) -> TupleRow:
        try:
            if self.connection is None or self.connection.closed:
                self.connection = psycopg.connect(self._conninfo(), autocommit=True)
            # SET LOCAL in a transaction: safe behind PgBouncer, which shares sessions.
            with self.connection.transaction():
                self.connection.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
                row = self.connection.execute(sql).fetchone()
        except Exception:
            self.close()
            raise
        assert row is not None
        return tuple(row)

    def close(self) -> None:
        if self.connection is not None:
            with suppress(Exception):  # a broken connection is being discarded
                self.connection.close()
            self.connection = None


class Replicas:
    """The replicas of this process, their last known status, and the schedule of checks."""

    def __init__(self, aliases: list[str]) -> None:
        self.aliases = list(aliases)
        self.statuses: dict[str, ReplicaStatus] = {alias: ReplicaStatus(alias) for alias in self.aliases}
        self._probes: dict[str, Probe] = {}
        self._lock = threading.Lock()
        self._checking = False
        self._due = 0.0
        self._pid = os.getpid()

    # --- reading the state (cheap: called on every routing decision) ---

    def usable(self) -> list[str]:
        return [alias for alias in self.aliases if self.statuses[alias].usable]

    def is_usable(self, alias: str) -> bool:
        status = self.statuses.get(alias)
        return status is not None and status.usable

    def has_replayed(self, alias: str, position: int) -> bool:
        """True when ``alias`` has replayed the WAL up to ``position``; asks the replica if the last check is older.

        Asks over the request's own connection to that replica, which serves the
        reads that follow. A replica that cannot answer is marked unusable.
        """
        if self.statuses[alias].replay_position >= position:
            return True
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'")
                row = cursor.fetchone()
        except Exception as error:
            self.mark_unusable(alias, error)
            return False
        # NULL when the replica failed over to the primary for this query.
        replayed = int(row[0]) if row and row[0] is not None else 0
        status = self.statuses[alias]
        if replayed > status.replay_position:
            self.statuses[alias] = replace(status, replay_position=replayed)
        return replayed >= position

    def mark_unusable(self, alias: str, error: BaseException | str) -> None:
        reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}".strip()
        if self.statuses[alias].usable:
            logger.warning("replica %s is not used until it recovers: %s", alias, reason)
        self.statuses[alias] = replace(self.statuses[alias], usable=False, reason=reason)

    # --- checking ---

    def refresh_soon(self) -> None:
        """Start a check in the background when one is due; never wait for it."""
        if os.getpid() != self._pid:
            self._after_fork()
        if self._checking or time.monotonic() < self._due:
            return
        with self._lock:
            if self._checking or time.monotonic() < self._due:
                return
            self._checking = True
        threading.Thread(target=self._refresh_in_background, name="replica-check", daemon=True).start()

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:
            logger.exception("checking the replicas failed")
        finally:
            self._checking = False

    def refresh(self) -> dict[str, ReplicaStatus]:
        """Check every replica now (and the primary's position, to measure lag in bytes)."""
        timeout_ms = settings.DATABASE_REPLICA_CHECK_TIMEOUT_MS
        interval = settings.DATABASE_REPLICA_CHECK_INTERVAL_MS / 1000
        try:
            primary_position: int | None = int(self._probe(DEFAULT_DB_ALIAS).query(PRIMARY_QUERY, timeout_ms)[0])
        except Exception as error:
            logger.warning("could not read the primary's WAL position: %s", error)
            primary_position = None
        for alias in self.aliases:
            self.statuses[alias] = self._check(alias, primary_position, timeout_ms)
        self._due = time.monotonic() + interval * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
        return dict(self.statuses)

    def _check(self, alias: str, primary_position: int | None, timeout_ms: int) -> ReplicaStatus:
        try:
            in_recovery, replayed, lag_seconds = self._probe(alias).query(REPLICA_QUERY, timeout_ms)
        except Exception as error:
            status = ReplicaStatus(alias, reason=f"{type(error).__name__}: {error}".strip())
            if self.statuses[alias].usable:
                logger.warning("replica %s is not used until it recovers: %s", alias, status.reason)
            return status
        replay_position = int(replayed) if replayed is not None else 0
        lag = float(lag_seconds) if lag_seconds is not None else None
        lag_bytes = max(primary_position - replay_position, 0) if primary_position is not None else None
        reason = ""
        if not in_recovery:
            reason = "not a standby (promoted, or not a replica at all)"
        elif lag is not None and lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
            reason = f"replay lag {lag:.1f} s is over DATABASE_REPLICA_MAX_LAG_SECONDS"
        elif lag_bytes is not None and lag_bytes > settings.DATABASE_REPLICA_MAX_LAG_BYTES:
            reason = f"replay lag {lag_bytes} bytes is over DATABASE_REPLICA_MAX_LAG_BYTES"
        status = ReplicaStatus(alias, not reason, replay_position, lag, lag_bytes, reason)
        before = self.statuses[alias]
        if before.usable and not status.usable:
            logger.warning("replica %s is not used until it recovers: %s", alias, reason)
        elif status.usable and not before.usable and before.reason != ReplicaStatus(alias).reason:
            logger.info("replica %s is used again", alias)
        return status

    def _probe(self, alias: str) -> Probe:
        probe = self._probes.get(alias)
        if probe is None:
            probe = self._probes[alias] = Probe(alias)
        return probe

    def _after_fork(self) -> None:
        # The parent's probe connections share sockets with it: drop them unclosed.
        _inherited.extend(probe.connection for probe in self._probes.values() if probe.connection is not None)
        self._probes = {}
        self._checking = False
        self._due = 0.0
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def close(self) -> None:
        for probe in self._probes.values():
            probe.close()


# Kept referenced, never closed: closing would end the parent process's sessions.
_inherited: list[psycopg.Connection[TupleRow]] = []
_replicas: Replicas | None = None
_replicas_lock = threading.Lock()


def get_replicas() -> Replicas:
    """The process-wide ``Replicas`` for ``settings.DATABASE_REPLICAS``."""
    global _replicas
    if _replicas is None or _replicas.aliases != settings.DATABASE_REPLICAS:
        with _replicas_lock:
            if _replicas is None or _replicas.aliases != settings.DATABASE_REPLICAS:
                if _replicas is not None:
                    _replicas.close()
                _replicas = Replicas(settings.DATABASE_REPLICAS)
    return _replicas
