"""Inspect, replay or purge dead-lettered jobs.

python manage.py deadletters list [--queue default]
python manage.py deadletters replay [--queue default] [--id MESSAGE_ID ...]
python manage.py deadletters purge [--queue default] --yes
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.core.jobs import deadletters


class Command(BaseCommand):
    help = "Inspect, replay or purge dead-lettered jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "replay", "purge"])
        parser.add_argument("--queue", default="default")
        parser.add_argument("--id", dest="ids", action="append", help="replay only this message (repeatable)")
        parser.add_argument("--yes", action="store_true", help="confirm purge")

    def handle(
        self, *args: object, action: str, queue: str, ids: list[str] | None, yes: bool, **options: object
    ) -> None:
        try:
            if action == "list":
                letters = deadletters.list_dead(queue)
                for letter in letters:
                    when = letter.failed_at.isoformat(timespec="seconds") if letter.failed_at else "-"
                    self.stdout.write(f"{letter.message_id}  {when}  {letter.actor}{letter.args}  {letter.error}")
                self.stdout.write(f"{len(letters)} dead letter(s) in {queue}.")
            elif action == "replay":
                count = deadletters.replay(queue, set(ids) if ids else None)
                self.stdout.write(self.style.SUCCESS(f"Replayed {count} message(s) to {queue}."))
            else:
                if not yes:
                    raise CommandError("purge deletes the dead letters for good: add --yes to confirm")
                self.stdout.write(f"Purged {deadletters.purge(queue)} dead letter(s) from {queue}.")
        except deadletters.UnsupportedBroker as error:
            raise CommandError(str(error)) from None
