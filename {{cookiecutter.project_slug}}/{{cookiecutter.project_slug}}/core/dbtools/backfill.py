"""Backfill a column in batches, as a job that re-enqueues itself until the table is done.

The middle step of expand/contract (docs/database.md): the new column exists and
is nullable, the running code already writes it for new rows, and this fills the
old rows a batch at a time, each batch a short transaction over a primary-key
range, so no lock is held for long and replicas keep up.

    @backfill("accounts.user.display_name", model=User, batch_size=1000)
    def fill_display_name(batch: QuerySet[User]) -> int:
        return batch.filter(display_name__isnull=True).update(display_name=F("name"))

    start_backfill("accounts.user.display_name")  # from a data migration, a shell, or an admin action
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
from django.db import DEFAULT_DB_ALIAS, models, transaction

from ..jobs.sending import send_on_commit

logger = logging.getLogger(__name__)


class BackfillError(Exception):
    """A backfill message that can never succeed (unknown name, bad position): not retried."""


@dataclass(frozen=True)
class Backfill:
    name: str
    model: type[models.Model]
    batch_size: int
    pause_ms: int
    function: BatchFunction


# One batch of any model's rows -> the rows it changed, or None.
type BatchFunction = Callable[[models.QuerySet[Any]], int | None]
REGISTRY: dict[str, Backfill] = {}


def backfill(
    name: str, *, model: type[models.Model], batch_size: int = 1000, pause_ms: int = 0
) -> Callable[[BatchFunction], BatchFunction]:
    """Register ``function(batch_queryset)`` as the backfill ``name``; it returns the rows it changed (or None)."""
    if batch_size < 1 or pause_ms < 0:
        raise ValueError("batch_size must be at least 1 and pause_ms at least 0")

    def register(function: BatchFunction) -> BatchFunction:
        if name in REGISTRY and REGISTRY[name].function is not function:
            raise ValueError(f"a backfill named {name!r} is already registered")
        REGISTRY[name] = Backfill(name, model, batch_size, pause_ms, function)
        return function

    return register


def start_backfill(name: str) -> None:
    """Enqueue the first batch of ``name`` (after the current transaction commits)."""
    if name not in REGISTRY:
        raise BackfillError(f"no backfill named {name!r}; registered: {', '.join(sorted(REGISTRY)) or 'none'}")
    send_on_commit(run_backfill, name, 0)


@dramatiq.actor(max_retries=10, min_backoff=5_000, time_limit=10 * 60_000, throws=(BackfillError,))
def run_backfill(name: str, after_pk: int) -> None:
    """Backfill the rows with a primary key after ``after_pk``, one batch; enqueue the next batch."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise BackfillError(f"no backfill named {name!r}")
    if not isinstance(after_pk, int) or isinstance(after_pk, bool) or after_pk < 0:
        raise BackfillError(f"after_pk must be a whole number of at least 0, got {after_pk!r}")
    job = REGISTRY[name]
    rows = job.model._default_manager.using(DEFAULT_DB_ALIAS)
    with transaction.atomic():
        keys = list(rows.filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True)[: job.batch_size])
        if not keys:
            logger.info("backfill %s is done", name)
            return
        changed = job.function(rows.filter(pk__gt=after_pk, pk__lte=keys[-1]))
        logger.info("backfill %s: %s row(s) up to pk %s", name, changed if changed is not None else "?", keys[-1])
        send_on_commit(run_backfill, name, keys[-1])
    if job.pause_ms:
        # After the commit, with the row locks released: replicas replay the batch, other work gets through.
        time.sleep(job.pause_ms / 1000)
