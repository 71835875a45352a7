"""core.events: a lower app announces, a higher one reacts, inside the announcing transaction."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from {{ cookiecutter.project_slug }}.core import events
from {{ cookiecutter.project_slug }}.core.exceptions import Conflict
from {{ cookiecutter.project_slug }}.core.models import CompletedJob


@dataclass(frozen=True, kw_only=True)
class Happened(events.Event):
    what: str


@dataclass(frozen=True, kw_only=True)
class HappenedAgain(Happened):
    pass


@pytest.fixture
def received():
    seen: list[events.Event] = []
    events.subscribe(Happened, seen.append)
    yield seen
    events.unsubscribe(Happened, seen.append)


def test_a_subscriber_receives_the_event_and_its_subclasses_once(received):
    events.subscribe(Happened, received.append)  # subscribing twice changes nothing
    events.emit(Happened(what="a"))
    events.emit(HappenedAgain(what="b"))
    assert received == [Happened(what="a"), HappenedAgain(what="b")]


def test_an_event_nobody_subscribed_to_reaches_no_one(received):
    @dataclass(frozen=True, kw_only=True)
    class Other(events.Event):
        pass

    events.emit(Other())
    assert received == []


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_writes_in_the_emitters_transaction_and_can_refuse_the_change():
    def record(event: Happened) -> None:
        CompletedJob.objects.create(key=event.what, actor="test")
        if event.what == "refused":
            raise Conflict("refused by a subscriber")

    events.subscribe(Happened, record)
    try:
        with transaction.atomic():
            events.emit(Happened(what="kept"))
        with pytest.raises(Conflict), transaction.atomic():
            events.emit(Happened(what="refused"))
    finally:
        events.unsubscribe(Happened, record)
    assert list(CompletedJob.objects.values_list("key", flat=True)) == ["kept"]


def test_bad_subscriptions_and_emissions_are_refused():
    with pytest.raises(TypeError, match="Event subclass"):
        events.subscribe(dict, print)
    with pytest.raises(TypeError, match="callable"):
        events.subscribe(Happened, "not a function")
    with pytest.raises(TypeError, match="emit an Event"):
        events.emit("happened")
