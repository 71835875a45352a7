"""Announce what happened, so higher layers react without a lower one importing them.

A lower app (organizations, accounts) defines its events as frozen dataclasses and
``emit``\\ s them from its services; a higher app (webhooks, billing, a feature app)
``subscribe``\\ s in its ``AppConfig.ready``. Subscribers run at once, inside the
emitter's transaction: what they write commits or rolls back with the change that
caused it, and work that must wait for the commit (a job) is enqueued with
``core.jobs.sending.send_on_commit``. A subscriber that raises aborts the emitter's change,
so a subscriber may also refuse one (``DomainError``).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Event", "emit", "subscribe", "unsubscribe"]


@dataclass(frozen=True, kw_only=True)
class Event:
    """The base of every event; subclasses are frozen, keyword-only dataclasses."""


type Handler[E: Event] = Callable[[E], None]

_handlers: defaultdict[type[Event], list[Handler[Event]]] = defaultdict(list)


def subscribe[E: Event](event_type: type[E], handler: Handler[E]) -> None:
    """Call ``handler`` with every ``event_type`` event (subclasses included) from now on; once per handler."""
    if not (isinstance(event_type, type) and issubclass(event_type, Event)):
        raise TypeError(f"subscribe to an Event subclass, not {event_type!r}")
    if not callable(handler):
        raise TypeError(f"an event handler must be callable, not {handler!r}")
    handlers = _handlers[event_type]
    if handler not in handlers:
        handlers.append(handler)  # type: ignore[arg-type]  # called only with event_type's events


def unsubscribe[E: Event](event_type: type[E], handler: Handler[E]) -> None:
    """Stop calling ``handler`` for ``event_type`` (for tests that subscribe a probe)."""
    if handler in _handlers.get(event_type, []):
        _handlers[event_type].remove(handler)


def emit(event: Event) -> None:
    """Call every handler subscribed to the event's class or a base of it, in subscription order."""
    if not isinstance(event, Event):
        raise TypeError(f"emit an Event, not {event!r}")
    for event_type in type(event).__mro__:
        for handler in list(_handlers.get(event_type, ())):
            handler(event)
