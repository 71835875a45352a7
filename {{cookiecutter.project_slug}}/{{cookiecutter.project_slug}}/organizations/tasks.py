"""Jobs of the organizations app: API-key bookkeeping and scheduled upkeep."""

import logging
from datetime import datetime

from {{ cookiecutter.project_slug }}.core.jobs.actors import InvalidPayload, actor, cron

from . import permissions, services
from .models import ApiKey

logger = logging.getLogger(__name__)


@actor(max_retries=3, time_limit=30_000)
def record_api_key_use(key_id: int, used_at: str) -> None:
    """Write when an API key was last used, never moving it backwards (organizations.keys)."""
    try:
        moment = datetime.fromisoformat(used_at)
    except (TypeError, ValueError):
        raise InvalidPayload(f"used_at must be an ISO 8601 time, got {used_at!r}") from None
    ApiKey.objects.filter(pk=key_id).exclude(last_used_at__gte=moment).update(last_used_at=moment)


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
