"""The worked expand/backfill/contract example (docs/database.md), deploy by deploy, on the real database.

Each test moves the test database back to deploy 1's state with the migration
executor, writes rows as the release before it did (without name_search), then
moves forward as the next deploys would; the database is moved back to the
latest state afterwards, whatever happens.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps.registry import Apps
from django.core.management import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from {{ cookiecutter.project_slug }}.projects.models import Project, name_search_key

from ..factories import OrganizationFactory

BEFORE = ("projects", "0001_initial")  # the release before deploy 1
EXPAND = ("projects", "0003_name_search_expand_index")  # deploy 1
BACKFILL = ("projects", "0004_name_search_backfill")  # deploy 2
CHECK = ("projects", "0005_name_search_contract_check")  # deploy 3, step 1
CONSTRAINT = "projects_name_search_not_null"
NAMES = ["Café Website", "STRASSE 5", "  Spaced   Out ", "ﬁle store"]

pytestmark = pytest.mark.django_db(transaction=True)  # migrations commit, and 0003 runs outside a transaction


def migrate(target: tuple[str, str]) -> None:
    MigrationExecutor(connection).migrate([target])


def models_at(target: tuple[str, str]) -> Apps:
    """The models as the code of that migration's release knew them."""
    return MigrationExecutor(connection).loader.project_state(target).apps


def latest() -> tuple[str, str]:
    leaves: list[tuple[str, str]] = MigrationExecutor(connection).loader.graph.leaf_nodes("projects")
    return leaves[0]


@pytest.fixture
def at_expand() -> Iterator[None]:
    """The database as deploy 1 left it; afterwards, at the latest migration again."""
    migrate(EXPAND)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM projects_project")  # rows a failed test left unfilled
        migrate(latest())


def write_the_old_way(count: int) -> list[Any]:
    """Projects written by the release before deploy 1, which knows no name_search."""
    OldProject = models_at(BEFORE).get_model("projects", "Project")
    organization = OrganizationFactory.create()
    OldProject.objects.bulk_create(
        OldProject(organization_id=organization.pk, name=f"{NAMES[i % len(NAMES)]} {i}") for i in range(count)
    )
    return list(OldProject.objects.order_by("pk"))


def name_search_column() -> tuple[str, list[str]]:
    """Whether name_search may be NULL ("YES"/"NO"), and the constraints named like the contract's check."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_nullable FROM information_schema.columns"
            " WHERE table_name = 'projects_project' AND column_name = 'name_search'"
        )
        [(nullable,)] = cursor.fetchall()
        cursor.execute("SELECT conname FROM pg_constraint WHERE conname = %s", [CONSTRAINT])
        return nullable, [name for (name,) in cursor.fetchall()]


def notices_during(target: tuple[str, str]) -> list[str]:
    """Migrate to ``target`` and return PostgreSQL's DEBUG1 messages meanwhile."""
    connection.ensure_connection()
    messages: list[str] = []

    def handler(diagnostic: Any) -> None:
        messages.append(diagnostic.message_primary or "")

    connection.connection.add_notice_handler(handler)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET client_min_messages TO debug1")
        migrate(target)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET client_min_messages")
        connection.connection.remove_notice_handler(handler)
    return messages


@pytest.mark.postgres
def test_old_rows_are_backfilled_by_the_job_then_name_search_is_constrained_without_a_scan(at_expand, jobs):
    old = write_the_old_way(2_500)  # three batches of the backfill's 1,000
    Expanded = models_at(EXPAND).get_model("projects", "Project")
    assert Expanded.objects.filter(name_search__isnull=True).count() == 2_500

    migrate(BACKFILL)  # deploy 2 starts the backfill on the job workers
    assert jobs.pending() == 1
    jobs.run()

    assert {row.pk: row.name_search for row in Expanded.objects.all()} == {
        row.pk: name_search_key(row.name) for row in old
    }

    migrate(CHECK)  # deploy 3 adds the check NOT VALID: it refuses the old release's writes at once
    with pytest.raises(IntegrityError), transaction.atomic():
        write_the_old_way(1)
    assert name_search_column() == ("YES", [CONSTRAINT])

    notices = notices_during(latest())  # VALIDATE CONSTRAINT, then SET NOT NULL

    assert name_search_column() == ("NO", [])
    assert any("sufficient to prove that it does not contain nulls" in notice for notice in notices), notices
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(organization_id=old[0].organization_id, name="Written without its key")


@pytest.mark.postgres
def test_the_contract_refuses_to_start_while_rows_are_unfilled(at_expand, jobs):
    write_the_old_way(3)
    migrate(BACKFILL)  # the backfill job is queued, but no worker has run it

    with pytest.raises(CommandError, match=r"3 project\(s\) have no name_search yet.*Nothing was changed"):
        migrate(CHECK)

    assert not MigrationRecorder(connection).migration_qs.filter(app="projects", name=CHECK[1]).exists()
    assert name_search_column() == ("YES", [])
