"""Scheduled upkeep of organizations."""

import logging

from {{ cookiecutter.project_slug }}.core.jobs import actor, cron

from . import permissions, services

logger = logging.getLogger(__name__)


@cron("* * * * *")
@actor(max_retries=0, time_limit=50_000)
def replay_permission_invalidations() -> None:
    """Bump the cached permissions of changes whose bump failed (the cache was unreachable)."""
    replayed = permissions.replay_pending_invalidations()
    if replayed:
        logger.warning("replayed %d permission invalidations", replayed)


@cron("41 4 * * *")
@actor(max_retries=0)
def purge_expired_invitations() -> None:
    """Delete invitations that closed more than 30 days ago."""
    logger.info("purged %d expired invitations", services.purge_expired_invitations())
