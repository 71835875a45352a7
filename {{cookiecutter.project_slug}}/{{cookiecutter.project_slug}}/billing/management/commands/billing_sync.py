"""Read an organization's subscription from Stripe again (after a missed webhook): billing_sync <organization>."""

import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from {{ cookiecutter.project_slug }}.billing.models import BillingAccount
from {{ cookiecutter.project_slug }}.billing.services import account_sync


class Command(BaseCommand):
    help = "Sync an organization's billing state from Stripe, by the organization's public id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="The organization's public id (a UUID, shown in the admin).")

    def handle(self, *args: str, **options: Any) -> None:
        if not settings.BILLING_ENABLED:
            raise CommandError("Billing is off: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET first.")
        try:
            public_id = uuid.UUID(options["organization"])
        except ValueError:
            raise CommandError(f"{options['organization']!r} is not an organization id (a UUID).") from None
        account = BillingAccount.objects.filter(organization__public_id=public_id).first()
        if account is None or not account.stripe_customer_id:
            raise CommandError(f"Organization {public_id} has no Stripe customer yet; nothing to sync.")
        account = account_sync(account=account)
        self.stdout.write(f"{public_id}: plan {account.plan}, status {account.status or 'none'}, seats {account.seats}")
