"""The index audit: where PostgreSQL reads whole tables, which queries cost most, and why.

Reads the server's own statistics (``pg_stat_user_tables``, ``pg_stat_user_indexes``
and, when the extension is enabled, ``pg_stat_statements``). Statistics count from
their last reset, and each server keeps its own: audit a replica to see the reads
it serves.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from django.db import connections
from psycopg.rows import TupleRow


class AuditError(Exception):
    """The audit cannot run as asked (not Postgres, a bad query): the message says why."""


type Connection = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class TableScans:
    table: str
    seq_scans: int
    rows_read: int
    index_scans: int
    live_rows: int

    @property
    def rows_per_scan(self) -> int:
        return self.rows_read // self.seq_scans if self.seq_scans else 0


@dataclass(frozen=True)
class UnusedIndex:
    index: str
    table: str
    size_bytes: int


@dataclass(frozen=True)
class Statement:
    calls: int
    mean_ms: float
    total_ms: float
    rows: int
    query: str


def connect(alias: str) -> Connection:
    """A connection of our own (server-side binding: one statement per query, never several)."""
    wrapper = connections[alias]
    if wrapper.vendor != "postgresql":
        raise AuditError("the index audit reads PostgreSQL's statistics: set DATABASE_URL to a Postgres server")
    params = wrapper.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=True)


def sequential_scans(connection: Connection, *, min_rows: int, limit: int) -> list[TableScans]:
    """Tables of at least ``min_rows`` rows, by rows read through sequential scans, most first."""
    rows = connection.execute(
        """
        SELECT schemaname || '.' || relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_live_tup
        FROM pg_stat_user_tables
        WHERE seq_scan > 0 AND n_live_tup >= %s
        ORDER BY seq_tup_read DESC, seq_scan DESC
        LIMIT %s
        """,
        [min_rows, limit],
    ).fetchall()
    return [TableScans(*row) for row in rows]


def unused_indexes(connection: Connection, *, min_rows: int, limit: int) -> list[UnusedIndex]:
    """Indexes never scanned on tables of at least ``min_rows`` rows (unique ones enforce rules: left out)."""
    rows = connection.execute(
        """
        SELECT s.schemaname || '.' || s.indexrelname, s.schemaname || '.' || s.relname,
               pg_relation_size(s.indexrelid)
        FROM pg_stat_user_indexes s
        JOIN pg_index i ON i.indexrelid = s.indexrelid
        JOIN pg_stat_user_tables t ON t.relid = s.relid
        WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND t.n_live_tup >= %s
        ORDER BY pg_relation_size(s.indexrelid) DESC
        LIMIT %s
        """,
        [min_rows, limit],
    ).fetchall()
    return [UnusedIndex(*row) for row in rows]


def slowest_statements(connection: Connection, *, limit: int) -> list[Statement] | str:
    """The statements that took most time in total, or why ``pg_stat_statements`` cannot tell."""
    installed = connection.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'").fetchone()
    if not installed:
        return (
            "pg_stat_statements is not enabled in this database: add it to shared_preload_libraries "
            "(most managed Postgres services have it) and run CREATE EXTENSION pg_stat_statements."
        )
    try:
        rows = connection.execute(
            """
            SELECT calls, mean_exec_time, total_exec_time, rows, query
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC
            LIMIT %s
            """,
            [limit],
        ).fetchall()
    except psycopg.Error as error:
        return f"pg_stat_statements cannot be read here: {str(error).strip()}"
    return [
        Statement(int(calls), float(mean), float(total), int(count), " ".join(query.split()))
        for calls, mean, total, count, query in rows
    ]


def explain(connection: Connection, query: str, *, timeout_ms: int) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of one read-only query, in a transaction that is rolled back.

    ANALYZE runs the query: a read-only transaction refuses writes, and the
    extended protocol refuses a second statement smuggled after a semicolon.
    """
    query = query.strip().rstrip(";").strip()
    if not query:
        raise AuditError("give the query to explain, e.g. --explain \"SELECT * FROM accounts_user WHERE name = 'x'\"")
    try:
        with connection.transaction(force_rollback=True):
            connection.execute("SET TRANSACTION READ ONLY")
            connection.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            # prepare=True: the extended protocol, which takes exactly one statement.
            rows = connection.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, prepare=True).fetchall()
    except psycopg.errors.ReadOnlySqlTransaction as error:
        raise AuditError(f"only read-only queries can be explained here (ANALYZE runs them): {error}") from error
    except psycopg.errors.QueryCanceled as error:
        raise AuditError(f"the query ran longer than {timeout_ms / 1000:g} s and was cancelled") from error
    except psycopg.Error as error:
        raise AuditError(f"PostgreSQL refused the query: {str(error).strip()}") from error
    return [row[0] for row in rows]
