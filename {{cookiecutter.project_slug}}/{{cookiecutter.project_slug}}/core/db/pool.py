"""The check Django's connection pool runs before it lends a connection: a round trip only when one can tell.

Django's default (``CONN_HEALTH_CHECKS`` with the pool) is psycopg_pool's
``ConnectionPool.check_connection``: an empty statement sent to the server on every
checkout, which the benchmark's profile measured at about as much as the request's own
query. ``check_connection`` here sends it only when the connection may be dead.

A connection resting in the pool has nothing to read: every result it asked for has been
read. A server that ends it (a restart or failover, ``pg_terminate_backend``,
``idle_session_timeout``) sends an error message and closes the socket, and either makes
the socket readable. So the socket is polled without waiting, a system call; only when
something arrived, or the connection is closed or broken, does the full check run, and the
pool replaces a connection that fails it. The fault run (scripts/fault_run.py in the
template) restarts Postgres under load with this check and loses no request.

What neither check sees in time: a connection whose server vanished without a word (the
network cut, no FIN ever sent). The empty statement would wait out the TCP timeout too.
"""

import select
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool


def check_connection(connection: psycopg.Connection[Any]) -> None:
    """Raise if a pooled connection is dead; cost a round trip only if its socket has something to say."""
    if connection.closed or connection.broken:
        raise psycopg.OperationalError("the connection is closed")
    poller = select.poll()  # not select.select: a process's descriptors may go past 1024
    poller.register(connection.fileno(), select.POLLIN)
    if poller.poll(0):  # data, an error or the peer's close: ask the server, which raises if it is gone
        ConnectionPool.check_connection(connection)
