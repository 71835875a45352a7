"""Samples of billing's mails for the previews at /dev/emails/ (DEBUG only)."""

import uuid

from django.core.mail import EmailMessage
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.email import email_preview
from {{ cookiecutter.project_slug }}.organizations.models import Organization

from .models import BillingAccount
from .services import billing_mail


def _account() -> BillingAccount:
    organization = Organization(name="Rocket Shop", public_id=uuid.uuid4())
    return BillingAccount(organization=organization, plan="pro", status="past_due", past_due_since=timezone.now())


@email_preview("billing: payment failed")
def payment_failed() -> EmailMessage:
    return billing_mail(account=_account(), template="payment_failed", to=["ada@example.com"])


@email_preview("billing: organization read-only")
def read_only() -> EmailMessage:
    return billing_mail(account=_account(), template="read_only", to=["ada@example.com"])
