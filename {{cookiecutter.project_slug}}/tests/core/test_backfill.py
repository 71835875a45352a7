"""The batch backfill job: primary-key ranges, one short transaction each, re-enqueued until done."""

import pytest
from django.db.models import QuerySet

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.dbtools.backfill import REGISTRY, BackfillError, backfill, run_backfill, start_backfill

from ..factories import UserFactory

batches: list[list[int]] = []


@pytest.fixture
def name_backfill():
    @backfill("tests.user.name", model=User, batch_size=2)
    def fill_name(batch: QuerySet[User]) -> int:
        batches.append(sorted(batch.values_list("pk", flat=True)))
        return batch.filter(name="").update(name="filled")

    batches.clear()
    yield "tests.user.name"
    REGISTRY.pop("tests.user.name", None)


@pytest.mark.django_db(transaction=True)
def test_a_backfill_runs_batch_by_batch_until_every_row_is_done(name_backfill, jobs):
    users = UserFactory.create_batch(5, name="")

    start_backfill(name_backfill)
    jobs.run()

    assert set(User.objects.values_list("name", flat=True)) == {"filled"}
    pks = sorted(user.pk for user in users)
    assert batches == [pks[0:2], pks[2:4], pks[4:5]]


@pytest.mark.django_db(transaction=True)
def test_rows_already_filled_are_left_alone(name_backfill, jobs):
    kept = UserFactory(name="Kept")
    UserFactory(name="")

    start_backfill(name_backfill)
    jobs.run()

    kept.refresh_from_db()
    assert kept.name == "Kept"


def test_an_unknown_backfill_is_refused_at_once():
    with pytest.raises(BackfillError, match="no backfill named 'nope'"):
        start_backfill("nope")


@pytest.mark.parametrize(("name", "after_pk"), [("nope", 0), ("tests.user.name", -1), ("tests.user.name", "3")])
def test_a_malformed_message_is_rejected_before_any_work(name_backfill, name, after_pk):
    with pytest.raises(BackfillError):
        run_backfill.fn(name, after_pk)
    assert batches == []


def test_a_name_cannot_be_registered_twice(name_backfill):
    with pytest.raises(ValueError, match="already registered"):
        backfill(name_backfill, model=User)(lambda batch: 0)
