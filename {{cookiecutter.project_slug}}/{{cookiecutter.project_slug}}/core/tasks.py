"""Jobs of the core app (send_email lives beside the mail payload it reads, in core.email)."""

import logging
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from .email import send_email
from .jobs.actors import actor, cron
from .jobs.sending import enqueue_unsent

__all__ = ["enqueue_unsent_jobs", "purge_completed_job_records", "purge_expired_sessions", "send_email"]

logger = logging.getLogger(__name__)


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


@cron("* * * * *")
@actor(max_retries=0, time_limit=60_000)
def enqueue_unsent_jobs() -> None:
    """Enqueue the jobs kept in the database while the broker could not be reached."""
    sent = enqueue_unsent()
    if sent:
        logger.info("enqueued %d job(s) kept while the broker was unreachable", sent)
