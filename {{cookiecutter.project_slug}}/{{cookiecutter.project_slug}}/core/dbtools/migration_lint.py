"""Lint migrations for operations that lock big tables or break the running version.

Each migration is turned into the SQL Django would run on PostgreSQL (as
``sqlmigrate`` does, without applying anything) and checked with squawk, which
knows PostgreSQL's lock levels. A migration marks a deliberate exception with a
reason, which the lint then reports as accepted::

    class Migration(migrations.Migration):
        lint_exceptions = {"ban-drop-column": "contract step: no release reads the column since 0.4"}
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

# Rules that do not fit Django's migrations, and why (docs/database.md says more).
EXCLUDED_RULES = {
    "require-lock-timeout": "set lock_timeout once for the release step instead (docs/database.md)",
    "require-statement-timeout": "same: one setting for the release step",
    "prefer-text-field": "CharField is varchar(n); adding one locks nothing",
    "ban-drop-default": "Django adds a column with a default, then drops the default in the same transaction",
    "prefer-bigint-over-int": "a data-model choice, not a lock",
    "prefer-robust-stmts": "Django records applied migrations itself",
}


class LintError(Exception):
    """The lint could not run (no Postgres, no squawk): nothing was checked."""


class SquawkFinding(TypedDict):
    """One finding in squawk's JSON report (the fields read here)."""

    rule_name: str
    message: str
    line: NotRequired[int]  # in the statements given, from 0


@dataclass(frozen=True)
class Finding:
    migration: str  # app_label.name
    rule: str
    message: str
    statement: str
    accepted_because: str = ""


def squawk_program() -> str:
    beside_python = Path(sys.executable).with_name("squawk")
    program = str(beside_python) if beside_python.exists() else shutil.which("squawk")
    if not program:
        raise LintError("squawk is not installed (it is in the dev dependencies: uv sync)")
    return program


def sql_connection() -> BaseDatabaseWrapper:
    """A connection to the primary's server, used only to quote values the way PostgreSQL will."""
    settings_dict = connections.settings[DEFAULT_DB_ALIAS]
    if not settings_dict["ENGINE"].endswith("postgresql"):
        raise LintError("the migration lint checks PostgreSQL's SQL: set DATABASE_URL to a Postgres server")
    options = {key: value for key, value in settings_dict["OPTIONS"].items() if key != "pool"}
    # The maintenance database: the app's own need not exist, nothing is applied.
    wrapper_class = type(connections[DEFAULT_DB_ALIAS])
    return wrapper_class({**settings_dict, "NAME": "postgres", "OPTIONS": options}, alias=DEFAULT_DB_ALIAS)


def migration_sql(migration: Migration, state: ProjectState, connection: BaseDatabaseWrapper) -> list[str]:
    """The statements ``migration`` runs, starting from ``state`` (the project before it)."""
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        migration.apply(state, editor, collect_sql=True)
    return [statement for statement in editor.collected_sql if not statement.lstrip().startswith("--")]


def lint_sql(statements: list[str], *, in_transaction: bool = True) -> list[SquawkFinding]:
    """Squawk's findings for these statements (dicts with rule_name, message, line)."""
    if not statements:
        return []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "migration.sql"
        path.write_text("\n".join(statements) + "\n", encoding="utf-8")
        command = [squawk_program(), "--reporter", "json", "--exclude", ",".join(EXCLUDED_RULES), str(path)]
        if in_transaction:
            command.insert(1, "--assume-in-transaction")
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    try:
        findings: list[SquawkFinding] = json.loads(result.stdout or "[]")
    except json.JSONDecodeError as error:
        raise LintError(f"squawk failed: {result.stderr.strip() or result.stdout.strip()}") from error
    return findings


def lint_migration(migration: Migration, state: ProjectState, connection: BaseDatabaseWrapper) -> list[Finding]:
    statements = migration_sql(migration, state, connection)
    lines = "\n".join(statements).splitlines()
    exceptions: dict[str, str] = getattr(migration, "lint_exceptions", {}) or {}
    name = f"{migration.app_label}.{migration.name}"
    return [
        Finding(
            migration=name,
            rule=found["rule_name"],
            message=found["message"],
            statement=lines[found["line"]].strip() if 0 <= found.get("line", -1) < len(lines) else "",
            accepted_because=exceptions.get(found["rule_name"], ""),
        )
        for found in lint_sql(statements, in_transaction=migration.atomic)
    ]


def project_migrations(loader: MigrationLoader, app_labels: list[str] | None = None) -> list[tuple[str, str]]:
    """The migrations of this project's own apps (not Django's nor third parties'), in order."""
    base = Path(settings.BASE_DIR).resolve()
    ours = []
    for key in loader.graph.leaf_nodes():
        for app_label, name in loader.graph.forwards_plan(key):
            migration = loader.graph.nodes[(app_label, name)]
            module = sys.modules.get(type(migration).__module__)
            path = Path(getattr(module, "__file__", "") or "").resolve()
            wanted = app_labels is None or app_label in app_labels
            if wanted and base in path.parents and ".venv" not in path.parts and (app_label, name) not in ours:
                ours.append((app_label, name))
    return ours


def lint_project(app_labels: list[str] | None = None) -> list[Finding]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = set(app_labels or []) - {app for app, _ in loader.disk_migrations}
    if unknown:
        raise LintError(f"no migrations for app(s): {', '.join(sorted(unknown))}")
    connection = sql_connection()
    findings: list[Finding] = []
    try:
        for key in project_migrations(loader, app_labels):
            state = loader.project_state(key, at_end=False)
            findings.extend(lint_migration(loader.graph.nodes[key], state, connection))
    finally:
        connection.close()
    return findings
