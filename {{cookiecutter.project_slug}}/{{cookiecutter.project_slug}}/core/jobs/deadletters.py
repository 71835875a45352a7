"""Inspect, replay and purge dead-lettered jobs.

A message lands in its queue's dead-letter queue when it failed every retry or
was rejected as malformed (InvalidPayload). Redis keeps dead letters for
JOBS_DEAD_MESSAGE_TTL_MS (7 days by default). Replaying sends a message back to
its queue with its retry count reset, once the cause has been fixed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import xq_name


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    queue: str
    actor: str
    args: tuple[object, ...]
    kwargs: dict[str, object]
    failed_at: datetime | None
    error: str


class UnsupportedBroker(Exception):
    pass


def _message(raw: dramatiq.Message[object], failed_at: datetime | None) -> DeadLetter:
    return DeadLetter(
        message_id=raw.message_id,
        queue=raw.queue_name,
        actor=raw.actor_name,
        args=tuple(raw.args),
        kwargs=dict(raw.kwargs),
        failed_at=failed_at,
        error=str(raw.options.get("traceback", "")).strip().splitlines()[-1:][0]
        if raw.options.get("traceback")
        else "",
    )


def _redis_keys(broker: RedisBroker, queue: str) -> tuple[str, str]:
    dead = f"{broker.namespace}:{xq_name(queue)}"
    return dead, f"{dead}.msgs"


def list_dead(queue: str = "default", broker: dramatiq.Broker | None = None) -> list[DeadLetter]:
    broker = broker or dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        ids_key, messages_key = _redis_keys(broker, queue)
        client: Any = broker.client
        letters = []
        for message_id, score in client.zrange(ids_key, 0, -1, withscores=True):
            raw = client.hget(messages_key, message_id)
            if raw is not None:
                when = datetime.fromtimestamp(float(score) / 1000, tz=UTC)
                letters.append(_message(dramatiq.Message.decode(raw), when))
        return letters
    if isinstance(broker, StubBroker):
        return [_message(proxy._message, None) for proxy in broker.dead_letters_by_queue[queue]]
    raise UnsupportedBroker(
        f"{type(broker).__name__}: inspect its dead-letter queue {xq_name(queue)} with the broker's own tools"
    )


def replay(queue: str = "default", message_ids: set[str] | None = None, broker: dramatiq.Broker | None = None) -> int:
    """Send dead letters (all, or those with the given ids) back to their queue; return how many."""
    broker = broker or dramatiq.get_broker()
    replayed = 0
    if isinstance(broker, RedisBroker):
        ids_key, messages_key = _redis_keys(broker, queue)
        client: Any = broker.client
        for message_id in client.zrange(ids_key, 0, -1):
            key = message_id.decode() if isinstance(message_id, bytes) else message_id
            if message_ids is not None and key not in message_ids:
                continue
            raw = client.hget(messages_key, message_id)
            if raw is None:
                continue
            message = dramatiq.Message.decode(raw)
            broker.enqueue(message.copy(options={**message.options, "retries": 0, "traceback": None}))
            client.zrem(ids_key, message_id)
            client.hdel(messages_key, message_id)
            replayed += 1
        return replayed
    if isinstance(broker, StubBroker):
        letters = broker.dead_letters_by_queue[queue]
        for proxy in list(letters):
            if message_ids is not None and proxy.message_id not in message_ids:
                continue
            message = proxy._message
            broker.enqueue(message.copy(options={**message.options, "retries": 0, "traceback": None}))
            letters.remove(proxy)
            replayed += 1
        return replayed
    raise UnsupportedBroker(f"{type(broker).__name__}: move messages back with the broker's own tools")


def purge(queue: str = "default", broker: dramatiq.Broker | None = None) -> int:
    """Drop every dead letter of the queue; return how many."""
    broker = broker or dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        ids_key, messages_key = _redis_keys(broker, queue)
        count = int(broker.client.zcard(ids_key))
        broker.client.delete(ids_key, messages_key)
        return count
    if isinstance(broker, StubBroker):
        count = len(broker.dead_letters_by_queue[queue])
        broker.dead_letters_by_queue[queue].clear()
        return count
    raise UnsupportedBroker(f"{type(broker).__name__}: purge {xq_name(queue)} with the broker's own tools")
