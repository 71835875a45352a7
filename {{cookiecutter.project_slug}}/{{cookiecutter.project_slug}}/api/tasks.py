"""Scheduled upkeep of the API."""

import logging

from {{ cookiecutter.project_slug }}.core.jobs.actors import actor, cron

from .idempotency import purge_idempotency_records

logger = logging.getLogger(__name__)


@cron("53 * * * *")
@actor(max_retries=0)
def purge_expired_idempotency_keys() -> None:
    """Forget Idempotency-Key records older than IDEMPOTENCY_KEY_RETENTION_HOURS."""
    logger.info("purged %d idempotency records", purge_idempotency_records())
