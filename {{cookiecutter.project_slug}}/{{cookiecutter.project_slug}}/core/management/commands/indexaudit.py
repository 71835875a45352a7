"""manage.py indexaudit: heavy sequential scans, unused indexes, the slowest queries, and EXPLAIN ANALYZE."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from ...dbtools import audit


class Command(BaseCommand):
    help = (
        "List tables read by heavy sequential scans, indexes never used and (with pg_stat_statements) the "
        "queries that cost most; --explain 'SELECT ...' prints EXPLAIN (ANALYZE, BUFFERS) for one query."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the alias to audit (a replica too)")
        parser.add_argument("--limit", type=int, default=10, help="rows per section (default 10)")
        parser.add_argument("--min-rows", type=int, default=1000, help="ignore smaller tables (default 1000)")
        parser.add_argument("--explain", metavar="QUERY", help="explain this read-only query instead")
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds --explain may run (default 30)")

    def handle(
        self,
        *args: object,
        database: str,
        limit: int,
        min_rows: int,
        explain: str | None,
        timeout: float,
        **options: object,
    ) -> None:
        if database not in connections:
            raise CommandError(f"no database alias {database!r}; choose one of {', '.join(connections)}")
        for name, value in (("limit", limit), ("min-rows", min_rows), ("timeout", timeout)):
            if value <= 0 and not (name == "min-rows" and value == 0):
                raise CommandError(f"--{name} must be positive")
        try:
            with audit.connect(database) as connection:
                if explain is not None:
                    plan = audit.explain(connection, explain, timeout_ms=int(timeout * 1000))
                    self.stdout.write("\n".join(plan))
                    return
                self._report(connection, limit, min_rows)
        except audit.AuditError as error:
            raise CommandError(str(error)) from error

    def _report(self, connection: audit.Connection, limit: int, min_rows: int) -> None:
        scans = audit.sequential_scans(connection, min_rows=min_rows, limit=limit)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Sequential scans on tables of {min_rows}+ rows"))
        if scans:
            self.stdout.write(f"{'table':<40} {'seq scans':>10} {'rows read':>14} {'rows/scan':>10} {'idx scans':>10}")
            for t in scans:
                self.stdout.write(
                    f"{t.table:<40} {t.seq_scans:>10,} {t.rows_read:>14,} {t.rows_per_scan:>10,} {t.index_scans:>10,}"
                )
            self.stdout.write("A table read whole, often, with many rows per scan needs an index on what filters it.")
        else:
            self.stdout.write("none")

        unused = audit.unused_indexes(connection, min_rows=min_rows, limit=limit)
        self.stdout.write(self.style.MIGRATE_HEADING("\nIndexes never used (they still slow every write)"))
        for index in unused:
            self.stdout.write(f"{index.index:<50} on {index.table:<30} {index.size_bytes / 1024:>10,.0f} KiB")
        if not unused:
            self.stdout.write("none")

        statements = audit.slowest_statements(connection, limit=limit)
        self.stdout.write(self.style.MIGRATE_HEADING("\nQueries by total time (pg_stat_statements)"))
        if isinstance(statements, str):
            self.stdout.write(statements)
        else:
            self.stdout.write(f"{'calls':>10} {'mean ms':>10} {'total ms':>12}  query")
            for s in statements:
                self.stdout.write(f"{s.calls:>10,} {s.mean_ms:>10.2f} {s.total_ms:>12.1f}  {s.query[:160]}")
        self.stdout.write('\nNext: manage.py indexaudit --explain "SELECT ..." shows how one query runs.')
