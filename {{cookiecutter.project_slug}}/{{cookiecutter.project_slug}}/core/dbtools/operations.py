"""A migration operation for PostgreSQL-only SQL in a project that also migrates SQLite.

The lock-free steps of expand/contract (docs/database.md) are PostgreSQL's own:
``CREATE INDEX CONCURRENTLY``, ``ADD CONSTRAINT ... NOT VALID``, ``VALIDATE
CONSTRAINT``. Zero-service mode migrates SQLite, which has none of them (and a
table there is small and local)::

    OnPostgreSQL(
        AddIndexConcurrently("invoice", index),
        otherwise=migrations.AddIndex("invoice", index),
    )
"""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState


class OnPostgreSQL(Operation):
    """Change the database with ``operation`` on PostgreSQL, with ``otherwise`` elsewhere (nothing if None).

    Django's state follows ``operation``; ``otherwise`` must change the state alike.
    The migration lint reads PostgreSQL's SQL, so it checks ``operation``.
    """

    def __init__(self, operation: Operation, *, otherwise: Operation | None = None) -> None:
        self.operation = operation
        self.otherwise = otherwise

    def _chosen(self, schema_editor: BaseDatabaseSchemaEditor) -> Operation | None:
        return self.operation if schema_editor.connection.vendor == "postgresql" else self.otherwise

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        self.operation.state_forwards(app_label, state)

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if chosen := self._chosen(schema_editor):
            chosen.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if chosen := self._chosen(schema_editor):
            chosen.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        elsewhere = self.otherwise.describe() if self.otherwise else "nothing"
        return f"On PostgreSQL: {self.operation.describe()}; elsewhere: {elsewhere}"
