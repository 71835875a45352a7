"""Billing's scheduled job. Its jobs run on their own queue (``billing``) so a Stripe slowdown never holds up mail
or webhooks; the ones its services enqueue (``process_event``, ``sync_seats``) are declared beside them."""

import logging

from {{ cookiecutter.project_slug }}.core.jobs.actors import actor, cron

from . import services

logger = logging.getLogger(__name__)


@cron("17 * * * *")
@actor(queue_name="billing", max_retries=0)
def notify_read_only() -> None:
    """Tell the owners of organizations whose grace period ended that they are read-only until paid."""
    told = services.read_only_notify()
    if told:
        logger.info("told %d organizations they are read-only until paid", told)
