from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.api import contracts
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS


class Command(BaseCommand):
    help = "Check the committed API contracts (docs/api/) against the code; --write updates the unreleased ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="write the unreleased version and the changelog")
        parser.add_argument(
            "--correct",
            action="append",
            default=[],
            choices=VERSIONS.names,
            metavar="VERSION",
            help="with --write, also rewrite this released version's contract (it must list a Correction)",
        )

    def handle(self, *args: str, **options: Any) -> None:
        if options["correct"] and not options["write"]:
            raise CommandError("--correct needs --write")
        if options["write"]:
            try:
                written = contracts.write(correct=tuple(options["correct"]))
            except contracts.NoCorrection as error:
                raise CommandError(str(error)) from None
            for path in written:
                self.stdout.write(f"wrote {path}")
        problems = contracts.differences()
        if problems:
            raise CommandError("\n".join(str(problem) for problem in problems))
        self.stdout.write("every committed API contract matches the code")
