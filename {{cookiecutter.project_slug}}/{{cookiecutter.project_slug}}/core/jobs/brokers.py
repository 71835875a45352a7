"""Dramatiq's Redis broker, which also takes back the messages a Redis restart left with a live worker.

Fetching runs a script in Redis that moves messages into this worker's
acknowledgement set and returns them. When Redis stops right after running it,
the reply never arrives: the messages stay in the set of a worker that is alive
and never runs them, since Dramatiq hands a set over to other workers only once
its worker's heartbeat stops. The fault run (the template's scripts/fault_run.py)
lost one job in 80 this way when Redis restarted with jobs queued.

Here each new consumer (at start, and after every connection error) puts back
the messages of its queue that are in this worker's set but not in its hands:
fetched and never delivered, or fetched into a consumer that a connection error
replaced. Messages being processed stay in hand until acknowledged.

It also calls, for each signal (enqueue, process_message, ack...), only the
middleware that implement it: Dramatiq calls every middleware's method, most of
them the base class's no-ops, several times per job.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import redis
from dramatiq.broker import Consumer, MessageProxy
from dramatiq.brokers.redis import RedisBroker as DramatiqRedisBroker
from dramatiq.brokers.redis import _RedisConsumer
from dramatiq.errors import ConnectionClosed
from dramatiq.middleware import Middleware, MiddlewareError


class RedisBroker(DramatiqRedisBroker):
    """``dramatiq.brokers.redis.RedisBroker`` that takes back orphaned messages (see the module docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._hooks: dict[str, tuple[list[Middleware], tuple[Middleware, ...]]] = {}  # before super(): it emits
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self.in_hand: dict[str, set[str]] = defaultdict(set)  # queue -> Redis message ids delivered, not done
        self.in_hand_lock = threading.Lock()

    def emit_before(self, signal: str, *args: Any, **kwargs: Any) -> None:
        self._emit("before_" + signal, args, kwargs, raising=(MiddlewareError,))  # a before_ hook may stop the step

    def emit_after(self, signal: str, *args: Any, **kwargs: Any) -> None:
        self._emit("after_" + signal, args, kwargs, raising=())

    def _emit(
        self, signal: str, args: tuple[Any, ...], kwargs: dict[str, Any], *, raising: tuple[type[Exception], ...]
    ) -> None:
        """Dramatiq's emit_before/emit_after, to the implementing middleware only: other failures are logged."""
        for middleware in self.implementing(signal):
            try:
                getattr(middleware, signal)(self, *args, **kwargs)
            except raising:
                raise
            except Exception:
                self.logger.critical("Unexpected failure in %s of %r.", signal, middleware, exc_info=True)

    def implementing(self, signal: str) -> tuple[Middleware, ...]:
        """The middleware that implement ``signal``, in Dramatiq's order (reversed for ``after_`` signals).

        Remembered per signal while ``self.middleware`` holds the same objects (a test may edit the list).
        """
        cached = self._hooks.get(signal)
        if cached is not None and cached[0] == self.middleware:
            return cached[1]
        current = list(self.middleware)
        ordered = reversed(current) if signal.startswith("after_") else current
        implementing = tuple(middleware for middleware in ordered if _implements(middleware, signal))
        self._hooks[signal] = (current, implementing)
        return implementing

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _Consumer

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        if queue_name.endswith(".DQ"):
            # After a connection error Dramatiq drops the delayed messages it held in memory: all are orphans.
            with self.in_hand_lock:
                self.in_hand[queue_name].clear()
        try:
            self.take_back(queue_name)
        except redis.ConnectionError as error:
            raise ConnectionClosed(error) from None  # type: ignore[no-untyped-call]  # the consumer thread retries
        return super().consume(queue_name, prefetch, timeout)

    def take_back(self, queue_name: str) -> int:
        """Put back the messages of this worker's set for ``queue_name`` that are not in hand; how many."""
        members = self.client.smembers(f"{self.namespace}:__acks__.{self.broker_id}.{queue_name}")
        held = {member.decode() if isinstance(member, bytes) else str(member) for member in members}
        with self.in_hand_lock:
            orphans = sorted(held - self.in_hand[queue_name])
        if orphans:
            self.do_requeue(queue_name, *orphans)
        return len(orphans)

    def hold(self, queue_name: str, message_id: str, *, held: bool) -> None:
        with self.in_hand_lock:
            if held:
                self.in_hand[queue_name].add(message_id)
            else:
                self.in_hand[queue_name].discard(message_id)


def _implements(middleware: Middleware, signal: str) -> bool:
    """Whether ``middleware`` does something on ``signal``: not the base class's no-op (an unknown signal: yes)."""
    base = getattr(Middleware, signal, None)
    if base is None or signal in getattr(middleware, "__dict__", {}):
        return True
    return getattr(type(middleware), signal, None) is not base


class _Consumer(_RedisConsumer):
    """Keeps the broker's record of the messages in this worker's hands."""

    broker: RedisBroker
    queue_name: str

    def __next__(self) -> MessageProxy | None:
        message: MessageProxy | None = super().__next__()  # type: ignore[no-untyped-call]
        if message is not None:
            self.broker.hold(self.queue_name, message.options["redis_message_id"], held=True)
        return message

    def ack(self, message: MessageProxy) -> None:
        super().ack(message)  # type: ignore[no-untyped-call]
        self.broker.hold(self.queue_name, message.options["redis_message_id"], held=False)

    def nack(self, message: MessageProxy) -> None:
        super().nack(message)  # type: ignore[no-untyped-call]
        self.broker.hold(self.queue_name, message.options["redis_message_id"], held=False)

    def requeue(self, messages: Iterable[MessageProxy]) -> None:
        batch = list(messages)
        super().requeue(batch)  # type: ignore[no-untyped-call]
        for message in batch:
            self.broker.hold(self.queue_name, message.options["redis_message_id"], held=False)
