"""The actor base: safe defaults, malformed payloads dead-lettered at once, exactly-once effects."""

import pytest
from django.core.management import call_command
from dramatiq.brokers.redis import RedisBroker

from {{ cookiecutter.project_slug }}.core.jobs import deadletters
from {{ cookiecutter.project_slug }}.core.jobs.actors import DEFAULTS, InvalidPayload, actor
from {{ cookiecutter.project_slug }}.core.models import CompletedJob
from {{ cookiecutter.project_slug }}.organizations.models import Organization

calls: list[str] = []


@actor
def plain() -> None:
    calls.append("plain")


@actor(max_retries=0)
def reject(value: object) -> None:
    if not isinstance(value, int):
        raise InvalidPayload(f"value must be an integer, got {value!r}")
    calls.append(f"reject:{value}")


@actor(max_retries=0)
def always_fails() -> None:
    calls.append("fail")
    raise RuntimeError("the mail server is down")


@actor(idempotency_key=lambda name, fail=False: f"test-org:{name}")
def create_organization(name: str, fail: bool = False) -> None:
    Organization.objects.create(name=name)
    if fail:
        raise RuntimeError("crashed after the insert")


@pytest.fixture(autouse=True)
def _forget():
    calls.clear()


def test_actors_get_bounded_retries_a_time_limit_and_never_retry_bad_payloads():
    options = plain.options

    assert options["max_retries"] == DEFAULTS["max_retries"] == 5
    assert options["min_backoff"] == 15_000
    assert options["max_backoff"] == 3_600_000
    assert options["time_limit"] == 300_000
    assert InvalidPayload in options["throws"]


def test_a_malformed_payload_goes_straight_to_the_dead_letter_queue(jobs, caplog):
    reject.send("not a number")

    jobs.run(fail_fast=False)

    assert calls == []
    [letter] = deadletters.list_dead("default")
    assert letter.actor == "reject"
    assert letter.args == ("not a number",)


def test_dead_letters_are_listed_replayed_and_purged_by_the_command(jobs, capsys):
    always_fails.send()
    jobs.run(fail_fast=False)
    assert calls == ["fail"]

    call_command("deadletters", "list")
    assert "always_fails" in capsys.readouterr().out

    call_command("deadletters", "replay")
    jobs.run(fail_fast=False)
    assert calls == ["fail", "fail"], "the replayed message ran again (and failed again)"

    call_command("deadletters", "purge", "--yes")
    assert deadletters.list_dead("default") == []


def test_purge_asks_for_confirmation():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="add --yes"):
        call_command("deadletters", "purge")


@pytest.mark.django_db(transaction=True)
def test_an_idempotent_job_delivered_twice_has_its_effect_once(jobs):
    create_organization.send("Once Inc")
    create_organization.send("Once Inc")  # a redelivery, as after a crash before the ack

    jobs.run()

    assert Organization.objects.filter(name="Once Inc").count() == 1
    assert CompletedJob.objects.filter(key="test-org:Once Inc").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_idempotent_job_leaves_nothing_so_its_retry_runs():
    with pytest.raises(RuntimeError, match="crashed"):
        create_organization.fn("Retry Ltd", fail=True)

    assert not Organization.objects.filter(name="Retry Ltd").exists(), "the insert was rolled back"
    assert not CompletedJob.objects.exists(), "and so was the record"

    create_organization.fn("Retry Ltd")

    assert Organization.objects.filter(name="Retry Ltd").count() == 1


@pytest.mark.services
def test_redis_keeps_dead_letters_where_the_tools_look(jobs):
    assert isinstance(jobs.broker, RedisBroker)
    reject.send("bad")
    jobs.run()

    assert jobs.broker.client.zcard(f"{jobs.broker.namespace}:default.XQ") == 1
