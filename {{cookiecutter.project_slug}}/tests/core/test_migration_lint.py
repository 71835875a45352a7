"""The migration lint: squawk on the SQL of each migration, with marked exceptions."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connections, migrations, models
from django.db.migrations.loader import MigrationLoader

from {{ cookiecutter.project_slug }}.core.dbtools.migration_lint import lint_migration, sql_connection

pytestmark = pytest.mark.django_db  # the lint connects to the server, only to quote values as it will


def lint(*operations, exceptions=None):
    migration = migrations.Migration("0099_check", "accounts")
    migration.dependencies = [("accounts", "0001_initial")]
    migration.operations = list(operations)
    if exceptions:
        migration.lint_exceptions = exceptions
    loader = MigrationLoader(None, ignore_no_migrations=True)
    connection = sql_connection()
    try:
        return lint_migration(migration, loader.project_state(("accounts", "0001_initial")), connection)
    finally:
        connection.close()


@pytest.mark.postgres
def test_the_migrations_of_our_own_apps_pass(capsys):
    call_command("lintmigrations")

    assert "Migrations are safe" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("operation", "rule"),
    [
        (migrations.AddField("user", "score", models.IntegerField()), "adding-required-field"),
        (
            migrations.AddIndex("user", models.Index(fields=["name"], name="user_name_idx")),
            "require-concurrent-index-creation",
        ),
        (migrations.RenameField("user", "name", "full_name"), "renaming-column"),
        (migrations.RemoveField("user", "name"), "ban-drop-column"),
        (migrations.AlterField("user", "name", models.TextField()), "changing-column-type"),
    ],
)
def test_each_unsafe_operation_is_named(operation, rule):
    findings = lint(operation)

    assert [finding.rule for finding in findings] == [rule]
    assert not findings[0].accepted_because
    assert findings[0].statement.startswith(("ALTER TABLE", "CREATE INDEX"))


@pytest.mark.postgres
def test_the_safe_way_passes():
    # Nullable column, then an index built without blocking writes.
    from django.contrib.postgres.operations import AddIndexConcurrently

    safe = lint(migrations.AddField("user", "score", models.IntegerField(null=True)))
    concurrently = migrations.Migration("0099_index", "accounts")
    concurrently.atomic = False
    concurrently.dependencies = [("accounts", "0001_initial")]
    concurrently.operations = [AddIndexConcurrently("user", models.Index(fields=["name"], name="user_name_idx"))]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    connection = sql_connection()
    try:
        indexed = lint_migration(concurrently, loader.project_state(("accounts", "0001_initial")), connection)
    finally:
        connection.close()

    assert safe == []
    assert indexed == []


@pytest.mark.postgres
def test_a_marked_exception_is_accepted_with_its_reason():
    [finding] = lint(migrations.RemoveField("user", "name"), exceptions={"ban-drop-column": "contract step of 0.4"})

    assert finding.accepted_because == "contract step of 0.4"


@pytest.mark.postgres
def test_the_command_fails_on_an_unsafe_migration_and_names_each_operation(settings, capsys):
    settings.MIGRATION_MODULES = {"accounts": "tests.core.unsafe_migrations"}

    with pytest.raises(CommandError, match="4 unsafe operation"):
        call_command("lintmigrations", "accounts")

    out = capsys.readouterr().out
    for rule in ("adding-required-field", "require-concurrent-index-creation", "renaming-column", "ban-drop-column"):
        assert f"accounts.0002_unsafe: {rule} (UNSAFE)" in out


@pytest.mark.postgres
def test_the_command_names_an_unknown_app():
    with pytest.raises(CommandError, match="no migrations for app"):
        call_command("lintmigrations", "nope")


def test_the_command_refuses_without_postgres(monkeypatch):
    sqlite = {**connections.settings["default"], "ENGINE": "django.db.backends.sqlite3"}
    monkeypatch.setitem(connections.settings, "default", sqlite)  # zero-service mode's database

    with pytest.raises(CommandError, match="set DATABASE_URL to a Postgres server"):
        call_command("lintmigrations")
