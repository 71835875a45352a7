from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.api import contracts


class Command(BaseCommand):
    help = "Check the committed API contracts (docs/api/) against the code; --write updates the unreleased ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="write the unreleased version and the changelog")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write"]:
            for path in contracts.write():
                self.stdout.write(f"wrote {path}")
        problems = contracts.differences()
        if problems:
            raise CommandError("\n".join(str(problem) for problem in problems))
        self.stdout.write("every committed API contract matches the code")
