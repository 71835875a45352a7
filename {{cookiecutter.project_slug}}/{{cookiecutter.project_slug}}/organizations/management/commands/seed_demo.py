"""Make a demo account, its organization and sample data, so a local run opens on a populated app.

    python manage.py seed_demo [--email demo@example.com] [--password ...] [--force]

Idempotent: running it again keeps what exists (the organization, even renamed, its
members, the sample data, anything you added) and sets the demo account's password again. Each
installed app may add sample data through a ``demo`` module with a
``seed(*, organization, owner) -> str`` function (the example app has one); an app that
is not installed adds nothing. Refuses to run with DEBUG off (the account has a known
password) unless ``--force`` is given.
"""

import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.accounts.services import user_ensure_verified
from {{ cookiecutter.project_slug }}.core.exceptions import DomainError
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role
from {{ cookiecutter.project_slug }}.organizations.services import organization_create

EMAIL = "demo@example.com"
PASSWORD = "demo-password-to-try-it"  # noqa: S105 (a demo account on a developer's machine; DEBUG only)
TEAMMATE = "teammate@example.com"
ORGANIZATION = "Demo organization"
PACKAGE = __name__.split(".")[0]


def seed_apps(*, organization: Organization, owner: User) -> list[str]:
    """Call ``seed`` in the ``demo`` module of every installed app of this project that has one."""
    summaries = []
    for config in apps.get_app_configs():
        if not config.name.startswith(f"{PACKAGE}.") or importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        module = importlib.import_module(f"{config.name}.demo")
        summaries.append(f"{config.verbose_name}: {module.seed(organization=organization, owner=owner)}")
    return summaries


class Command(BaseCommand):
    help = (
        "Create or refresh a demo account, an organization with a teammate, and each installed app's sample data "
        "(idempotent), and print how to sign in. DEBUG only, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default=EMAIL, help=f"the demo account's address (default {EMAIL})")
        parser.add_argument("--password", default=PASSWORD, help="its password (default: the demo password)")
        parser.add_argument(
            "--force", action="store_true", help="run with DEBUG off (never against a production database)"
        )

    def handle(self, *args: str, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this may be a production database, and the demo account has a known password. "
                "Run it on a development machine, or add --force if you are sure."
            )
        email, password = options["email"].strip(), options["password"]
        try:
            validate_email(email)
            validate_password(password)
        except ValidationError as error:
            raise CommandError(f"demo account: {' '.join(error.messages)}") from None
        try:
            with transaction.atomic():
                owner, _ = user_ensure_verified(email=email, password=password, name="Demo Founder")
                organization = self.organization(owner)
                summaries = seed_apps(organization=organization, owner=owner)
        except DomainError as error:
            raise CommandError(error.message) from None
        members = organization.memberships.count()
        lines = [f"Demo data ready in the organization {organization.name!r} ({members} members)."]
        lines += [f"  {summary}" for summary in summaries]
        lines.append(f"Sign in as {email} with the password {password}")
        self.stdout.write("\n".join(lines))

    def organization(self, owner: User) -> Organization:
        # The first organization the account owns, renamed or not: a second run adds no other.
        owned = Organization.objects.filter(memberships__user=owner, memberships__role=Role.OWNER).order_by("pk")
        organization = owned.first() or organization_create(name=ORGANIZATION, owner=owner)
        if owner.email != TEAMMATE:
            teammate = User.objects.filter(email__iexact=TEAMMATE).first()
            if teammate is None:  # an account nobody signs in to: it has no usable password
                teammate = User.objects.create_user(TEAMMATE, None, name="Tess Teammate")
            Membership.objects.get_or_create(organization=organization, user=teammate, defaults={"role": Role.MEMBER})
        return organization
