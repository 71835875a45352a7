"""Samples of this app's mails for the previews at /dev/emails/ (DEBUG only)."""

import uuid

from django.core.mail import EmailMessage

from {{ cookiecutter.project_slug }}.core.email import email_preview
from {{ cookiecutter.project_slug }}.organizations.models import Organization

from .models import WebhookEndpoint
from .tasks import endpoint_disabled_mail


@email_preview("webhooks: endpoint disabled")
def endpoint_disabled() -> EmailMessage:
    endpoint = WebhookEndpoint(
        organization=Organization(name="Rocket Shop", public_id=uuid.uuid4()),
        public_id=uuid.uuid4(),
        url="https://hooks.example.com/in",
        disabled_reason="Disabled automatically after 20 deliveries in a row failed.",
    )
    return endpoint_disabled_mail(endpoint, to=["ada@example.com"])
