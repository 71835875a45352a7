"""System checks: the connection budget, caught at deploy time instead of in a traffic spike.

Django's pool belongs to a process and is shared by its threads, so one process
holds at most min(threads, DATABASE_POOL_MAX_SIZE) connections to each server
(its threads without a pool), plus one of the replica checker's when replicas
are configured. Every web and worker process of every instance together, plus
a reserve for migrations, shells and monitoring, must fit in the server's limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections


def per_process(threads: int) -> int:
    """Connections one process may hold to one server."""
    connections_ = min(threads, settings.DATABASE_POOL_MAX_SIZE) if settings.DATABASE_POOL else threads
    return connections_ + (1 if settings.DATABASE_REPLICAS else 0)


def _full_mode() -> bool:
    return bool(settings.DATABASE)  # DATABASE_URL is set: Postgres


def connection_budget(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[checks.CheckMessage]:
    if not _full_mode():
        return []
    s = settings
    per_web, per_worker = per_process(s.WEB_THREADS), per_process(s.WORKER_THREADS)
    web = s.WEB_INSTANCES * s.WEB_CONCURRENCY * per_web
    workers = s.WORKER_INSTANCES * s.WORKER_PROCESSES * per_worker
    needed = web + workers + s.DATABASE_RESERVED_CONNECTIONS
    messages: list[checks.CheckMessage] = []
    if needed > s.DATABASE_MAX_CONNECTIONS:
        messages.append(
            checks.Error(
                f"The database connection budget is exceeded: web {s.WEB_INSTANCES} instance(s) x "
                f"{s.WEB_CONCURRENCY} process(es) x {per_web} connection(s) = {web}, plus workers "
                f"{s.WORKER_INSTANCES} instance(s) x {s.WORKER_PROCESSES} process(es) x {per_worker} connection(s) "
                f"= {workers}, plus {s.DATABASE_RESERVED_CONNECTIONS} reserved = {needed}, "
                f"over DATABASE_MAX_CONNECTIONS={s.DATABASE_MAX_CONNECTIONS}.",
                hint=(
                    "Lower DATABASE_POOL_MAX_SIZE, WEB_CONCURRENCY, DRAMATIQ_NPROCS or the instance counts, "
                    "put PgBouncer in front (DATABASE_PGBOUNCER=true), or raise the server's max_connections. "
                    "Each process holds at most min(threads, DATABASE_POOL_MAX_SIZE) connections."
                ),
                id="core.E001",
            )
        )
    if s.DATABASE_POOL:
        for name, threads in (("WEB_THREADS", s.WEB_THREADS), ("DRAMATIQ_NTHREADS", s.WORKER_THREADS)):
            if threads > s.DATABASE_POOL_MAX_SIZE:
                messages.append(
                    checks.Warning(
                        f"{name}={threads} is over DATABASE_POOL_MAX_SIZE={s.DATABASE_POOL_MAX_SIZE}: "
                        "threads will wait up to DATABASE_POOL_TIMEOUT seconds for a connection.",
                        hint="Make the pool at least as large as the number of threads of a process.",
                        id="core.W001",
                    )
                )
    return messages


def server_limit(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """With ``check --database default``: does the server accept DATABASE_MAX_CONNECTIONS?"""
    if not databases or DEFAULT_DB_ALIAS not in databases or not _full_mode() or settings.DATABASE_PGBOUNCER:
        return []  # behind PgBouncer the limit is its max_client_conn, which Postgres cannot tell
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
        )
        (accepted,) = cursor.fetchone()
    if accepted < settings.DATABASE_MAX_CONNECTIONS:
        return [
            checks.Error(
                f"DATABASE_MAX_CONNECTIONS={settings.DATABASE_MAX_CONNECTIONS} but the server accepts {accepted} "
                "(max_connections minus superuser_reserved_connections).",
                hint="Set DATABASE_MAX_CONNECTIONS to what the server accepts, or raise its max_connections.",
                id="core.E002",
            )
        ]
    return []


def register() -> None:
    checks.register(connection_budget)
    checks.register(server_limit, checks.Tags.database)
