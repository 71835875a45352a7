"""Dramatiq middleware of every process: redeliveries of completed jobs skipped, request ids and write
positions carried into messages, and an in-process worker for zero-service mode."""

import atexit
import logging
import threading
import time
from collections.abc import Callable

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, SkipMessage

from ..db import router
from ..observability.logging import request_id
from .actors import InvalidPayload, completed

logger = logging.getLogger(__name__)


class Idempotency(Middleware):
    """Skip a redelivered message whose idempotency key has already completed.

    The record itself is written by the actor body's transaction (``core.jobs.actors.actor``);
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
        if completed(key):
            logger.info("message %s for %s already completed; skipping it", message.message_id, key)
            raise SkipMessage


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
