"""Sentry with its servers replaced by a transport that keeps the events, for tests that look at what is reported."""

from collections.abc import Iterator
from contextlib import contextmanager

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
from sentry_sdk.types import Event

from {{ cookiecutter.project_slug }}.core.observability.sentry import init_sentry


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[Event] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@contextmanager
def captured_events() -> Iterator[list[Event]]:
    """Report to Sentry as production does (init_sentry); yield the list of events it would have sent."""
    init_sentry(dsn="https://public@sentry.example.com/1", environment="test", release="abc123", traces_sample_rate=0)
    transport = CapturingTransport()
    sentry_sdk.get_client().transport = transport
    try:
        yield transport.events
    finally:
        sentry_sdk.flush()
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
