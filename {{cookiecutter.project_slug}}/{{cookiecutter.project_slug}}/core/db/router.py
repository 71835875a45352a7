"""Send reads to a replica that has caught up with the client's last write.

Writes, reads inside a transaction, ``select_for_update`` and migrations use the
primary. A request (``core.db.middleware``) or a job (``core.jobs.middleware``) reads from a
usable replica, but only from one that has replayed the write-ahead log past the
client's last write position; once the request itself has written, the rest of
it reads from the primary. Code outside a request or job (shells, management
commands) reads from the primary. ``replica_reads()`` sends reads to a replica on
purpose, for reports that can be a little stale.

The state lives in a context variable, so it is right under ASGI as well as threads.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from .replicas import get_replicas

logger = logging.getLogger(__name__)

# A position no replica reaches: "read from the primary" when the real one is unknown.
UNKNOWN_POSITION = 2**64


@dataclass(eq=False)
class Routing:
    """What the router knows about the current request, job or other unit of work."""

    replica_reads: bool  # False outside requests and jobs: read from the primary
    position: int | None = None  # the client's last write position, once resolved
    resolve_position: Callable[[], int | None] | None = None
    wrote: bool = False  # this unit of work wrote to the primary
    replica: str | None = None  # the replica chosen for this unit of work
    resolving: bool = False

    def required_position(self) -> int | None:
        if self.resolve_position is not None:
            resolve, self.resolve_position = self.resolve_position, None
            self.resolving = True
            try:
                self.position = resolve()
            except Exception:
                logger.warning("could not read the client's write position; reading from the primary", exc_info=True)
                self.position = UNKNOWN_POSITION
            finally:
                self.resolving = False
        return self.position


_routing: ContextVar[Routing | None] = ContextVar("db_routing", default=None)
_forced_replica: ContextVar[str | None] = ContextVar("db_forced_replica", default=None)


def enabled() -> bool:
    return bool(settings.DATABASE_REPLICAS)


def current() -> Routing:
    """The routing state of this context; outside a request or job, one that reads from the primary."""
    routing = _routing.get()
    if routing is None:
        routing = Routing(replica_reads=False)
        _routing.set(routing)
    return routing


def begin(
    *, position: int | None = None, resolve_position: Callable[[], int | None] | None = None
) -> Token[Routing | None]:
    """Start a unit of work that may read from replicas (a request, a job); ``end()`` it with the token."""
    return _routing.set(Routing(replica_reads=True, position=position, resolve_position=resolve_position))


def end(token: Token[Routing | None]) -> None:
    _routing.reset(token)


def reset() -> None:
    """Forget the state of this context (tests)."""
    _routing.set(None)
    _forced_replica.set(None)


def note_write() -> None:
    current().wrote = True


def primary_position() -> int:
    """The primary's current WAL insert position: every write committed so far is before it."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn() - '0/0'")
        row = cursor.fetchone()
    return int(row[0])


def position_to_carry() -> int | None:
    """The position a job enqueued now must see: this unit's own writes, or the client's last one."""
    routing = current()
    if routing.wrote:
        try:
            return primary_position()
        except Exception:
            logger.warning("could not read the primary's position; the job will read from the primary", exc_info=True)
            return UNKNOWN_POSITION
    return routing.required_position() if routing.replica_reads else None


def choose_replica(routing: Routing) -> str:
    replicas = get_replicas()
    replicas.refresh_soon()
    candidates = replicas.usable()
    if not candidates:
        return DEFAULT_DB_ALIAS
    required = routing.required_position()
    random.shuffle(candidates)
    for alias in candidates:
        if required is None or (required < UNKNOWN_POSITION and replicas.has_replayed(alias, required)):
            return alias
    return DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[str]:
    """Send the reads of this block to a usable replica, even after a write or inside a transaction.

    For reports and analytics that may be slightly stale. Yields the alias used
    (``"default"`` when no replica is usable), e.g. for ``queryset.using(alias)``.
    """
    alias = DEFAULT_DB_ALIAS
    if enabled():
        replicas = get_replicas()
        replicas.refresh_soon()
        candidates = replicas.usable()
        if candidates:
            alias = random.choice(candidates)  # noqa: S311
    token = _forced_replica.set(alias)
    try:
        yield alias
    finally:
        _forced_replica.reset(token)


class ReplicaRouter:
    """Reads to a replica that has caught up, everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        forced = _forced_replica.get()
        if forced is not None:
            return forced if forced == DEFAULT_DB_ALIAS or get_replicas().is_usable(forced) else DEFAULT_DB_ALIAS
        routing = _routing.get()
        if routing is None or not routing.replica_reads or routing.wrote or routing.resolving:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a read inside a transaction belongs with its writes
        alias = routing.replica
        if alias is None or (alias != DEFAULT_DB_ALIAS and not get_replicas().is_usable(alias)):
            alias = routing.replica = choose_replica(routing)
        return alias

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == DEFAULT_DB_ALIAS


def detect_writes(
    execute: Callable[[str, object, bool, dict[str, object]], object],
    sql: str,
    params: object,
    many: bool,
    context: dict[str, object],
) -> object:
    """An execute wrapper on the primary: anything but a SELECT counts as a write."""
    if many or not sql.lstrip()[:6].upper().startswith("SELECT"):
        note_write()
    return execute(sql, params, many, context)


def install_write_detection(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """``connection_created`` receiver: watch the primary's statements for writes."""
    if connection.alias == DEFAULT_DB_ALIAS and detect_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(detect_writes)
