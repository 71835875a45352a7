"""Create or update the user the smoke test signs in as (run in the release step)."""

import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from {{ cookiecutter.project_slug }}.accounts.services import user_ensure_verified
from {{ cookiecutter.project_slug }}.organizations.models import Membership
from {{ cookiecutter.project_slug }}.organizations.services import organization_create


class Command(BaseCommand):
    help = (
        "Create or update the smoke-test user from SMOKE_EMAIL and SMOKE_PASSWORD (read from the environment, "
        "never from the command line), with a verified address so it can sign in. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-configured",
            action="store_true",
            help="do nothing (and succeed) when SMOKE_EMAIL is not set",
        )

    def handle(self, *args: str, **options: Any) -> None:
        email, password = os.environ.get("SMOKE_EMAIL", ""), os.environ.get("SMOKE_PASSWORD", "")
        if not email and options["if_configured"]:
            self.stdout.write("SMOKE_EMAIL is not set: no smoke-test user.")
            return
        if not email or not password:
            raise CommandError("set SMOKE_EMAIL and SMOKE_PASSWORD in the environment")
        try:
            validate_email(email)
            validate_password(password)
        except ValidationError as error:
            raise CommandError(f"smoke-test user: {' '.join(error.messages)}") from error
        with transaction.atomic():
            user, created = user_ensure_verified(email=email, password=password, name="Smoke test")
            if not Membership.objects.filter(user=user).exists():
                # The smoke test's API call lists this organization's webhook endpoints.
                organization_create(name="Smoke test", owner=user)
        self.stdout.write(f"{'Created' if created else 'Updated'} the smoke-test user {email}.")
