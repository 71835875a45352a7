"""Samples of this app's mails for the previews at /dev/emails/ (DEBUG only)."""

from datetime import timedelta

from django.core.mail import EmailMessage
from django.utils import timezone

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.email import email_preview

from .models import Invitation, Organization, Role
from .services import invitation_mail


@email_preview("organizations: invitation")
def invitation() -> EmailMessage:
    organization = Organization(name="Rocket Shop")
    sample = Invitation(
        organization=organization,
        email="grace@example.com",
        role=Role.ADMIN,
        invited_by=User(email="ada@example.com"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return invitation_mail(sample, link="https://example.com/invitations/sample-token/")
