"""Jobs of the core app."""

import logging
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from .email import payload_to_message
from .jobs import InvalidPayload, actor, cron

logger = logging.getLogger(__name__)


@actor(
    max_retries=8,  # backoff doubles from 10 s: the last try is about 40 minutes after the first
    min_backoff=10_000,
    max_backoff=30 * 60_000,
    time_limit=60_000,
)
def send_email(payload: dict[str, Any]) -> None:
    """Deliver one queued email with the "delivery" mailer (EMAIL_URL)."""
    try:
        message = payload_to_message(payload)
    except InvalidPayload as error:
        logger.error("send_email rejected a malformed payload: %s", error)
        raise
    message.send(using="delivery")
    logger.info("sent email %r to %d recipient(s)", message.subject, len(message.recipients()))


@cron("17 3 * * *")
@actor(max_retries=0)
def purge_expired_sessions() -> None:
    """Delete expired sessions from the database (Django leaves them)."""
    call_command("clearsessions")


@cron("23 3 * * *")
@actor(max_retries=0)
def purge_completed_job_records() -> None:
    """Forget idempotency records older than JOBS_IDEMPOTENCY_RETENTION_DAYS."""
    from django.conf import settings

    from .models import CompletedJob

    cutoff = timezone.now() - timedelta(days=settings.JOBS_IDEMPOTENCY_RETENTION_DAYS)
    deleted, _ = CompletedJob.objects.filter(completed_at__lt=cutoff).delete()
    logger.info("purged %d completed-job records", deleted)
