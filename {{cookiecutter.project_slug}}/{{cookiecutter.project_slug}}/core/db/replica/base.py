"""PostgreSQL for a read replica: a read the replica cannot serve runs on the primary.

A replica that refuses connections, drops one mid-query, or cancels a query
because of a conflict with recovery is marked unusable (``core.db.replicas``)
and the same statement runs on the primary, so a dead replica never fails a
request. A statement timeout is not retried (the primary would only time out
too), nor is anything inside an explicit transaction on the replica.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Protocol

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from django.db.utils import InterfaceError, OperationalError

from ..replicas import get_replicas

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # statement_timeout or a user's cancel


class DriverCursor(Protocol):
    """What the failover uses of a database driver's cursor (psycopg's)."""

    def execute(self, query: str, params: object = None, /) -> object: ...


def _may_fail_over(connection: DatabaseWrapper, error: BaseException) -> bool:
    if connection.in_atomic_block:
        return False
    return getattr(error.__cause__, "sqlstate", None) != QUERY_CANCELED


def _fail_over(connection: DatabaseWrapper, error: BaseException, name: str | None) -> DriverCursor:
    """Mark the replica unusable and return a DB-API cursor on the primary."""
    get_replicas().mark_unusable(connection.alias, error)
    logger.warning("a read on replica %s failed and runs on the primary: %s", connection.alias, error)
    # Give the broken connection back now (its pool discards it), not at the end of the request.
    with suppress(Exception):
        connection.close()
    primary = connections[DEFAULT_DB_ALIAS]
    primary.ensure_connection()
    with primary.wrap_database_errors:
        cursor: DriverCursor = primary.create_cursor(name)
    return cursor


class FailoverMixin:
    """Re-run a failed statement on the primary and read its results from there."""

    cursor: DriverCursor
    db: DatabaseWrapper

    def _execute(self, sql: str, params: object, *ignored_wrapper_args: object) -> object:
        try:
            return super()._execute(sql, params, *ignored_wrapper_args)  # type: ignore[misc]
        except (OperationalError, InterfaceError) as error:
            if not _may_fail_over(self.db, error):
                raise
            self.cursor = _fail_over(self.db, error, getattr(self.cursor, "name", None) or None)
            with connections[DEFAULT_DB_ALIAS].wrap_database_errors:
                return self.cursor.execute(sql, params) if params is not None else self.cursor.execute(sql)


class FailoverCursorWrapper(FailoverMixin, CursorWrapper):
    pass


class FailoverCursorDebugWrapper(FailoverMixin, base.CursorDebugWrapper):
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    def _cursor(self, name: str | None = None) -> CursorWrapper:
        try:
            cursor: CursorWrapper = super()._cursor(name)  # type: ignore[misc]
            return cursor
        except (OperationalError, InterfaceError) as error:
            if not _may_fail_over(self, error):
                raise
            return self.make_cursor(_fail_over(self, error, name))

    def make_cursor(self, cursor: object) -> CursorWrapper:
        return FailoverCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: object) -> base.CursorDebugWrapper:
        return FailoverCursorDebugWrapper(cursor, self)
