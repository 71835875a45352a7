"""The actor base with safe defaults and exactly-once effects for actors that declare an idempotency key.

Declare actors with ``core.jobs.actors.actor`` rather than ``dramatiq.actor``::

    @actor(idempotency_key=lambda invoice_id: f"invoice-paid:{invoice_id}")
    def mark_invoice_paid(invoice_id: int) -> None: ...

Defaults a team can rely on: 5 retries with exponential backoff and jitter (15 s
up to 1 hour, not Dramatiq's 20 over a week), a 5-minute time limit, malformed
payloads (``InvalidPayload``) dead-lettered at once instead of retried, and, for
actors that declare an idempotency key, exactly-once database effects (a redelivery
is skipped early by ``core.jobs.middleware.Idempotency``). Enqueue with
``core.jobs.sending``.
"""

import functools
import logging
from collections.abc import Callable
from typing import TypedDict, Unpack, cast, overload

import dramatiq
from django.db import IntegrityError, transaction
from dramatiq.middleware import CurrentMessage

from ..exceptions import InvalidInput

logger = logging.getLogger(__name__)


class ActorOptions(TypedDict, total=False):
    """The actor options of Dramatiq's middleware and of ``Idempotency`` (an unknown one is refused)."""

    priority: int
    max_retries: int
    min_backoff: int  # ms
    max_backoff: int  # ms
    time_limit: int  # ms
    max_age: int  # ms
    retry_when: Callable[[int, BaseException], bool]
    on_success: str
    on_failure: str
    on_retry_exhausted: str
    notify_shutdown: bool


class _IdempotencyOption(TypedDict, total=False):
    idempotency_key: Callable[..., str]  # read by ``Idempotency``


DEFAULTS: ActorOptions = {
    "max_retries": 5,
    "min_backoff": 15_000,  # ms; doubles each retry, with jitter
    "max_backoff": 3_600_000,
    "time_limit": 5 * 60_000,
}


class InvalidPayload(InvalidInput):
    """A job payload that can never succeed: rejected before any work, dead-lettered, never retried."""


@overload
def actor[**P, R](fn: Callable[P, R], /) -> dramatiq.Actor[P, R]: ...


@overload
def actor[**P, R](
    *,
    queue_name: str = "default",
    actor_name: str | None = None,
    throws: tuple[type[BaseException], ...] = (),
    idempotency_key: Callable[..., str] | None = None,
    **options: Unpack[ActorOptions],
) -> Callable[[Callable[P, R]], dramatiq.Actor[P, R]]: ...


def actor[**P, R](
    fn: Callable[P, R] | None = None,
    /,
    *,
    queue_name: str = "default",
    actor_name: str | None = None,
    throws: tuple[type[BaseException], ...] = (),
    idempotency_key: Callable[..., str] | None = None,
    **options: Unpack[ActorOptions],
) -> dramatiq.Actor[P, R] | Callable[[Callable[P, R]], dramatiq.Actor[P, R]]:
    """Declare a Dramatiq actor with this project's defaults (see the module docstring).

    ``idempotency_key`` maps the actor's arguments to a key; a message whose key
    has completed is skipped, and the actor body runs in a transaction that also
    records the key, so its database effects happen exactly once.
    """
    settings: ActorOptions = {**DEFAULTS, **options}
    idempotency: _IdempotencyOption = {}

    def decorate(function: Callable[P, R]) -> dramatiq.Actor[P, R]:
        body: Callable[P, R | None] = function
        if idempotency_key is not None:
            body = _exactly_once(function, idempotency_key)
            idempotency["idempotency_key"] = idempotency_key
        declared = dramatiq.actor(
            actor_name=actor_name or function.__name__,
            queue_name=queue_name,
            throws=(InvalidPayload, *throws),
            **settings,
            **idempotency,
        )(body)
        return cast("dramatiq.Actor[P, R]", declared)

    return decorate(fn) if fn is not None else decorate


def cron[A](schedule: str) -> Callable[[A], A]:
    """Run an actor on a schedule (crontab syntax) from the single scheduler, ``manage.py crontab``.

    A typed wrapper of dramatiq-crontab's decorator; days of the week are names (Mon, Sun).
    """
    from dramatiq_crontab import cron as schedule_with

    return cast(Callable[[A], A], schedule_with(schedule))


def _exactly_once[**P, R](function: Callable[P, R], key_of: Callable[..., str]) -> Callable[P, R | None]:
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        from ..models import CompletedJob

        key = key_of(*args, **kwargs)
        try:
            with transaction.atomic():
                # Claim the key first: a concurrent duplicate blocks here until this
                # transaction ends, then fails on the unique key and does nothing.
                CompletedJob.objects.create(key=key, actor=function.__name__)
                return function(*args, **kwargs)
        except IntegrityError:
            if not completed(key):
                raise
            logger.info("job %s already completed; skipping the duplicate", key)
            return None

    return run


def completed(key: str) -> bool:
    """Whether a job with this idempotency key has already committed its effects."""
    from ..models import CompletedJob

    return CompletedJob.objects.filter(key=key).exists()


def current_attempt() -> int:
    """1 for the first try of the message being processed, 2 for its first retry, and so on."""
    message = CurrentMessage.get_current_message()
    return 1 + int(message.options.get("retries", 0)) if message is not None else 1


def is_final_attempt() -> bool:
    """Whether a failure now would exhaust the message's retries (outside a worker: True)."""
    message = CurrentMessage.get_current_message()
    if message is None:
        return True
    actor_options = dramatiq.get_broker().get_actor(message.actor_name).options
    max_retries = message.options.get("max_retries", actor_options.get("max_retries", DEFAULTS["max_retries"]))
    return int(message.options.get("retries", 0)) >= int(max_retries)
