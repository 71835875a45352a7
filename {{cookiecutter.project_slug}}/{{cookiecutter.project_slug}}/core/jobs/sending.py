"""Enqueue jobs: after the transaction commits, and kept in the database while the broker is down."""

import logging
from collections.abc import Mapping

import dramatiq
import redis
from django.db import transaction

logger = logging.getLogger(__name__)


def send_on_commit[R](
    actor: dramatiq.Actor[..., R], *args: object, options: Mapping[str, object] | None = None, **kwargs: object
) -> None:
    """Enqueue ``actor`` once the current transaction commits (at once outside one).

    A job enqueued inside a transaction that later rolls back would act on data
    that never existed; one enqueued before the commit may run before the data
    is visible to the worker. If the broker cannot be reached, the message is kept
    in the database and enqueued later (``send_or_keep``). ``options`` are the
    message's options, as Dramatiq's ``send_with_options`` takes them (``max_retries``,
    ``min_backoff``, ``max_backoff``, ``time_limit``, ``delay``...).
    """
    if options is not None and not isinstance(options, Mapping):
        raise TypeError(f"options must be a mapping of message options, not {options!r}")
    message_options = dict(options or {})
    transaction.on_commit(lambda: send_with_options_or_keep(actor, args=args, kwargs=kwargs, options=message_options))


# What an unreachable broker raises: Redis's errors, and Dramatiq's for RabbitMQ.
BROKER_DOWN = (dramatiq.errors.BrokerConnectionError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def send_or_keep[**P, R](actor: dramatiq.Actor[P, R], *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue now; if the broker is unreachable, keep the message for ``enqueue_unsent`` instead of failing."""
    send_with_options_or_keep(actor, args=args, kwargs=kwargs)


def send_with_options_or_keep[R](
    actor: dramatiq.Actor[..., R],
    *,
    args: tuple[object, ...] = (),
    kwargs: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
) -> None:
    """``send_or_keep`` with message options, as Dramatiq's ``send_with_options`` (``delay`` is not kept)."""
    from ..models import UnsentJob

    message_options = dict(options or {})
    delay = message_options.pop("delay", None)
    if delay is not None and not isinstance(delay, int):
        raise TypeError(f"delay must be a number of milliseconds, not {delay!r}")
    message = actor.message_with_options(args=args, kwargs=dict(kwargs or {}), **message_options)
    try:
        actor.broker.enqueue(message, delay=delay)
    except BROKER_DOWN:
        logger.warning("job broker unreachable; keeping %s in the database until it answers", message, exc_info=True)
        UnsentJob.objects.create(queue_name=message.queue_name, message=message.encode().decode())


def enqueue_unsent() -> int:
    """Enqueue the messages kept while the broker was down, oldest first; how many were sent.

    Each is deleted right after it is enqueued (a crash in between sends it twice:
    jobs must be retry-safe anyway). Stops at the first failure; the rest wait.
    """
    from ..models import UnsentJob

    sent = 0
    while True:
        with transaction.atomic():
            row = UnsentJob.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if row is None:
                return sent
            dramatiq.get_broker().enqueue(dramatiq.Message.decode(row.message.encode()))
            row.delete()
        sent += 1
