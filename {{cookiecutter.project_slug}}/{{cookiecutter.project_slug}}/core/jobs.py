"""Jobs: the actor base with safe defaults, enqueue after commit, idempotency, request ids
and write positions carried into messages, and an in-process worker for zero-service mode.

Declare actors with ``core.jobs.actor`` rather than ``dramatiq.actor``::

    @actor(idempotency_key=lambda invoice_id: f"invoice-paid:{invoice_id}")
    def mark_invoice_paid(invoice_id: int) -> None: ...

Defaults a team can rely on: 5 retries with exponential backoff and jitter (15 s
up to 1 hour, not Dramatiq's 20 over a week), a 5-minute time limit, malformed
payloads (``InvalidPayload``) dead-lettered at once instead of retried, and, for
actors that declare an idempotency key, exactly-once database effects.
"""

import atexit
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TypedDict, Unpack, cast, overload

import dramatiq
import redis
from django.db import IntegrityError, transaction
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage, Middleware, SkipMessage

from .db import router
from .exceptions import InvalidInput
from .logging import request_id

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
    from .models import UnsentJob

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
    from .models import UnsentJob

    sent = 0
    while True:
        with transaction.atomic():
            row = UnsentJob.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if row is None:
                return sent
            dramatiq.get_broker().enqueue(dramatiq.Message.decode(row.message.encode()))
            row.delete()
        sent += 1


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
        from .models import CompletedJob

        key = key_of(*args, **kwargs)
        try:
            with transaction.atomic():
                # Claim the key first: a concurrent duplicate blocks here until this
                # transaction ends, then fails on the unique key and does nothing.
                CompletedJob.objects.create(key=key, actor=function.__name__)
                return function(*args, **kwargs)
        except IntegrityError:
            if not _completed(key):
                raise
            logger.info("job %s already completed; skipping the duplicate", key)
            return None

    return run


def _completed(key: str) -> bool:
    from .models import CompletedJob

    return CompletedJob.objects.filter(key=key).exists()


class Idempotency(Middleware):
    """Skip a redelivered message whose idempotency key has already completed.

    The record itself is written by the actor body's transaction (``actor``);
    this check saves the redelivery from even starting that transaction.
    """

    @property
    def actor_options(self) -> set[str]:
        return {"idempotency_key"}

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.MessageProxy) -> None:
        key_of = broker.get_actor(message.actor_name).options.get("idempotency_key")
        if key_of is None:
            return
        try:
            key = key_of(*message.args, **message.kwargs)
        except Exception as error:
            raise InvalidPayload(f"cannot compute the idempotency key: {error}") from error
        if _completed(key):
            logger.info("message %s for %s already completed; skipping it", message.message_id, key)
            raise SkipMessage


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


class MessageContext(Middleware):
    """Set context variables while a message is processed, and undo it after.

    Subclasses return an undo function from ``enter``; worker threads run
    messages concurrently, so undo functions are kept per message.
    """

    def __init__(self) -> None:
        self._undo: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()

    def enter(self, message: dramatiq.MessageProxy) -> Callable[[], None] | None:
        raise NotImplementedError

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.MessageProxy) -> None:
        undo = self.enter(message)
        if undo is not None:
            with self._lock:
                self._undo[message.message_id] = undo

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        with self._lock:
            undo = self._undo.pop(message.message_id, None)
        if undo is not None:
            undo()

    after_skip_message = after_process_message


class RequestIdPropagation(MessageContext):
    """Copy the caller's request id into each message; log lines of the job carry it."""

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[object], delay: int) -> None:
        message.options.setdefault("request_id", request_id.get())

    def enter(self, message: dramatiq.MessageProxy) -> Callable[[], None]:
        token = request_id.set(str(message.options.get("request_id", "-")))
        return lambda: request_id.reset(token)


class WritePositionPropagation(MessageContext):
    """Copy the caller's write position into each message; the job reads only from replicas past it.

    A job enqueued right after a write (``send_on_commit``) never reads older data
    than its caller wrote or saw. Does nothing when no replica is configured.
    """

    OPTION = "db_position"

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[object], delay: int) -> None:
        if self.OPTION not in message.options and router.enabled():
            position = router.position_to_carry()
            if position is not None:
                message.options[self.OPTION] = position

    def enter(self, message: dramatiq.MessageProxy) -> Callable[[], None] | None:
        if not router.enabled():
            return None
        raw = message.options.get(self.OPTION)
        if raw is None:
            position = None
        elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            position = raw
        else:
            logger.warning("message %s carries an invalid %s %r; reading from the primary", message, self.OPTION, raw)
            position = router.UNKNOWN_POSITION
        token = router.begin(position=position)
        return lambda: router.end(token)


class InProcessWorker(Middleware):
    """Start a worker inside this process the first time a job is enqueued.

    Only for the in-memory broker of zero-service mode, where no separate worker
    process could see the queue. At exit it waits (up to 30 s) for queued jobs,
    so a management command that sends mail does not drop it.
    """

    def __init__(self, worker_threads: int = 2, drain_timeout: float = 30.0) -> None:
        self.worker_threads = worker_threads
        self.drain_timeout = drain_timeout
        self._worker: dramatiq.Worker | None = None
        self._broker: StubBroker | None = None
        self._lock = threading.Lock()

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[object], delay: int) -> None:
        if self._worker is not None:
            return
        with self._lock:
            if self._worker is None:
                if not isinstance(broker, StubBroker):
                    raise TypeError("InProcessWorker only serves the in-memory StubBroker")
                worker = dramatiq.Worker(broker, worker_threads=self.worker_threads, worker_timeout=100)
                worker.start()
                self._worker, self._broker = worker, broker
                atexit.register(self.shutdown)
                logger.info("started an in-process job worker (zero-service mode)")

    def shutdown(self) -> None:
        """Wait for queued jobs (bounded), then stop the worker. Safe to call twice."""
        with self._lock:
            worker, broker = self._worker, self._broker
            self._worker = self._broker = None
        if worker is None or broker is None:
            return
        atexit.unregister(self.shutdown)
        # Poll rather than broker.join(): join starts a thread, which Python
        # refuses to do while the interpreter is shutting down.
        deadline = time.monotonic() + self.drain_timeout
        while any(queue.unfinished_tasks for queue in broker.queues.values()):
            if time.monotonic() > deadline:
                pending = {name: q.unfinished_tasks for name, q in broker.queues.items() if q.unfinished_tasks}
                logger.error("exiting with jobs still queued: %s", pending)
                break
            time.sleep(0.05)
        worker.stop(timeout=10_000)
