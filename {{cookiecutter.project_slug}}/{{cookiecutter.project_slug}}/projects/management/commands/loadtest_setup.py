"""Create or refresh the data the load profile (loadtests/) works with; or remove it.

    python manage.py loadtest_setup --webhook-url https://receiver.example.com/hook > loadtests/staging.env
    python manage.py loadtest_setup --remove

Makes accounts ``loadtest-1@<domain>`` to ``loadtest-N@<domain>`` (verified, one
new random password), an organization "Load test" they all administer, some
projects, an API key for the projects API (expires in 7 days; the previous one
is revoked) and a webhook endpoint. Prints what Locust needs as LOADTEST_*
lines, secrets included, ready for ``set -a; . loadtests/staging.env``.
Running it again refreshes the same data. Refuses production settings unless
``--allow-production-settings`` is given: staging runs them too, but the data
(accounts with a known password, an API key) must never reach production.
"""

import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.accounts.services import user_delete, user_ensure_verified
from {{ cookiecutter.project_slug }}.core.exceptions import DomainError
from {{ cookiecutter.project_slug }}.organizations import keys
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role
from {{ cookiecutter.project_slug }}.organizations.services import organization_create, organization_delete
from {{ cookiecutter.project_slug }}.projects.models import Project, name_search_key
from {{ cookiecutter.project_slug }}.webhooks import services as webhooks
from {{ cookiecutter.project_slug }}.webhooks.models import WebhookEndpoint

NAME = "Load test"  # the organization, its API key and its webhook endpoint
PRODUCTION_SETTINGS = "config.settings.production"
MAX_USERS = 500
MAX_PROJECTS = 10_000
KEY_DAYS = 7


class Command(BaseCommand):
    help = (
        "Create or refresh the load profile's accounts, organization, projects, API key and webhook endpoint, "
        "and print them as LOADTEST_* lines for Locust (loadtests/README.md). --remove deletes them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--webhook-url", default="", help="where the endpoint sends test events (a receiver)")
        parser.add_argument("--users", type=int, default=10, help=f"accounts to make, 1 to {MAX_USERS} (default 10)")
        parser.add_argument("--projects", type=int, default=40, help="projects the organization has at least")
        parser.add_argument("--email-domain", default="example.com", help="domain of the accounts' addresses")
        parser.add_argument("--remove", action="store_true", help="delete the accounts and the organization")
        parser.add_argument(
            "--allow-production-settings",
            action="store_true",
            help="run with config.settings.production (staging runs them; never do this in production)",
        )

    def handle(self, *args: str, **options: Any) -> None:
        if settings.SETTINGS_MODULE == PRODUCTION_SETTINGS and not options["allow_production_settings"]:
            raise CommandError(
                f"{PRODUCTION_SETTINGS} is in use: this may be the production database, and the load-test accounts "
                "have a known password. On staging, run again with --allow-production-settings."
            )
        domain = options["email_domain"].strip().lower()
        try:
            validate_email(f"loadtest-1@{domain}")
        except ValidationError:
            raise CommandError(f"--email-domain: {domain!r} is not an email domain") from None
        if options["remove"]:
            self.remove(domain)
            return
        if not 1 <= options["users"] <= MAX_USERS:
            raise CommandError(f"--users must be 1 to {MAX_USERS}, got {options['users']}")
        if not 0 <= options["projects"] <= MAX_PROJECTS:
            raise CommandError(f"--projects must be 0 to {MAX_PROJECTS}, got {options['projects']}")
        if not options["webhook_url"]:
            raise CommandError("--webhook-url is required: a URL that accepts POSTs (see loadtests/README.md)")
        emails = [f"loadtest-{number}@{domain}" for number in range(1, options["users"] + 1)]
        password = secrets.token_urlsafe(24)
        try:
            with transaction.atomic():
                users = [user_ensure_verified(email=email, password=password, name=NAME)[0] for email in emails]
                organization = self.organization(users)
                self.projects(organization, options["projects"])
                token = self.api_key(organization, users[0])
                endpoint = self.endpoint(organization, users[0], options["webhook_url"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"# Load-test data: {len(users)} accounts administering {NAME!r}, an API key valid {KEY_DAYS} days, a "
            f"webhook endpoint sending to {endpoint.url}.\n"
            "# Secrets below: keep this out of git. Use: set -a; . <this file>; set +a (loadtests/README.md)\n"
            f"LOADTEST_ORGANIZATION={organization.public_id}\n"
            f"LOADTEST_EMAILS={','.join(emails)}\n"
            f"LOADTEST_PASSWORD={password}\n"
            f"LOADTEST_API_KEY={token}\n"
            f"LOADTEST_WEBHOOK={endpoint.public_id}"
        )

    def organization(self, users: list[User]) -> Organization:
        owner, *others = users
        organization = Organization.objects.filter(
            name=NAME, memberships__user=owner, memberships__role=Role.OWNER
        ).first() or organization_create(name=NAME, owner=owner)
        for user in others:
            membership, created = Membership.objects.get_or_create(
                organization=organization, user=user, defaults={"role": Role.ADMIN}
            )
            # Added directly, not invited: no "member.added" event (the endpoint only takes test events).
            if not created and membership.role != Role.ADMIN:
                membership.role = Role.ADMIN
                membership.save(update_fields=["role"])
        return organization

    def projects(self, organization: Organization, count: int) -> None:
        missing = count - organization.projects.count()
        names = (f"Seeded {number}" for number in range(max(missing, 0)))
        Project.objects.bulk_create(
            Project(
                organization=organization,
                name=name,
                name_search=name_search_key(name),  # bulk_create skips the service that fills it
                description="Made by loadtest_setup.",
            )
            for name in names
        )

    def api_key(self, organization: Organization, owner: User) -> str:
        for key in organization.api_keys.filter(name=NAME, revoked_at__isnull=True):
            keys.api_key_revoke(key=key, actor=owner)
        _, token = keys.api_key_create(
            organization=organization,
            actor=owner,
            name=NAME,
            scopes=["projects.view", "projects.edit"],
            expires_in_days=KEY_DAYS,
        )
        return token

    def endpoint(self, organization: Organization, owner: User, url: str) -> WebhookEndpoint:
        endpoint = organization.webhook_endpoints.filter(description=NAME).first()
        if endpoint is None:
            return webhooks.endpoint_create(
                organization=organization, url=url, event_types=["webhook.ping"], description=NAME, actor=owner
            )
        webhooks.endpoint_update(
            endpoint=endpoint, url=url, event_types=["webhook.ping"], description=NAME, actor=owner
        )
        if not endpoint.is_active:
            webhooks.endpoint_set_active(endpoint=endpoint, active=True, actor=owner)
        return endpoint

    def remove(self, domain: str) -> None:
        account = re.compile(rf"^loadtest-[0-9]+@{re.escape(domain)}$", re.IGNORECASE)
        candidates = User.objects.filter(email__istartswith="loadtest-", email__iendswith=f"@{domain}")
        users = [user for user in candidates if account.match(user.email)]
        owners = Membership.objects.filter(organization__name=NAME, user__in=users, role=Role.OWNER)
        try:
            with transaction.atomic():
                organizations = {
                    owner.organization_id: owner for owner in owners.select_related("organization", "user")
                }
                for owner in organizations.values():
                    organization_delete(organization=owner.organization, actor=owner.user)
                for user in users:
                    user_delete(user=user)
        except DomainError as error:
            raise CommandError(f"nothing removed: {error.message}") from None
        self.stdout.write(f"Removed {len(users)} load-test accounts and {len(organizations)} organization(s).")
