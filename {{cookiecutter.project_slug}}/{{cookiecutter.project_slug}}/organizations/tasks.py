"""Jobs of the organizations app."""

from datetime import datetime

import dramatiq

from .models import ApiKey


@dramatiq.actor(max_retries=3, time_limit=30_000)
def record_api_key_use(key_id: int, used_at: str) -> None:
    """Write when an API key was last used, never moving it backwards (organizations.keys)."""
    moment = datetime.fromisoformat(used_at)
    ApiKey.objects.filter(pk=key_id).exclude(last_used_at__gte=moment).update(last_used_at=moment)
