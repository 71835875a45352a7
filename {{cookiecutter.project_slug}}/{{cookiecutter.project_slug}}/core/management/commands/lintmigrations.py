"""manage.py lintmigrations: fail on migrations that would lock big tables or break the running version."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...dbtools.migration_lint import LintError, lint_project


class Command(BaseCommand):
    help = (
        "Check this project's migrations with squawk for operations that lock big tables or break the running "
        "version. Mark a deliberate one with lint_exceptions = {'rule': 'reason'} on the Migration class."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_labels", nargs="*", help="only these apps (default: every app of this project)")

    def handle(self, *args: object, app_labels: list[str], **options: object) -> None:
        try:
            findings = lint_project(app_labels or None)
        except LintError as error:
            raise CommandError(str(error)) from error
        problems = [finding for finding in findings if not finding.accepted_because]
        for finding in findings:
            verdict = f"accepted: {finding.accepted_because}" if finding.accepted_because else "UNSAFE"
            self.stdout.write(f"{finding.migration}: {finding.rule} ({verdict})\n    {finding.statement}")
            if not finding.accepted_because:
                self.stdout.write(f"    {finding.message}")
        if problems:
            raise CommandError(
                f"{len(problems)} unsafe operation(s) in migrations. Follow the expand/contract recipe in "
                "docs/database.md, or mark a deliberate one with lint_exceptions on the Migration class."
            )
        self.stdout.write(self.style.SUCCESS(f"Migrations are safe ({len(findings)} accepted exception(s))."))
