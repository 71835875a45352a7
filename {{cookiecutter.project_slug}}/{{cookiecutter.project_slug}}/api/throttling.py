"""Rate limits per user and per API key, counted in the cache (Redis in full mode).

A fixed window of one minute per principal: one INCR on a warm window, so a
limit costs one round trip to Redis and no query. Every web process shares the
count. The limits are API_RATE_LIMIT_USER and API_RATE_LIMIT_KEY (requests per
minute). Anonymous requests never get this far: they are refused with 401 first.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)
WINDOW = 60
clock = time.time  # tests pin the window with it


class PrincipalRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        key_id = getattr(user, "api_key_id", None)
        if key_id is not None:
            principal, limit = f"key:{key_id}", settings.API_RATE_LIMIT_KEY
        elif user is not None and user.is_authenticated:
            principal, limit = f"user:{user.pk}", settings.API_RATE_LIMIT_USER
        else:
            return True
        now = clock()
        window = int(now // WINDOW)
        counter = f"throttle:{principal}:{window}"
        try:
            try:
                count = cache.incr(counter)
            except ValueError:  # the first request of this window
                count = 1 if cache.add(counter, 1, timeout=WINDOW + 5) else cache.incr(counter)
        except Exception:
            logger.warning("rate limit cache unreachable; letting the request through", exc_info=True)
            return True
        if count > limit:
            self.wait_seconds = (window + 1) * WINDOW - now
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
