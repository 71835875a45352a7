"""Per-request replica routing: read-your-writes across requests by WAL position."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase

from . import positions, router

logger = logging.getLogger(__name__)


def _remember(request: HttpRequest, response: HttpResponseBase, position: Callable[[], int]) -> None:
    """Record the write position; the write itself succeeded, so a failure here must not fail the response."""
    try:
        positions.remember(request, response, position())
    except Exception:
        logger.warning("could not record the write position; this client may read stale data", exc_info=True)


class ReplicaRoutingMiddleware:
    """Let a request read from replicas that have replayed its client's last write; remember new writes.

    Placed before the session middleware so that a session saved on the way out
    counts as a write. Not installed at all when no replica is configured.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]) -> None:
        if not router.enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        token = router.begin(resolve_position=partial(positions.position_for, request))
        try:
            response = self.get_response(request)
            assert isinstance(response, HttpResponseBase)  # a sync stack answers at once
            if router.current().wrote:
                _remember(request, response, router.primary_position)
        finally:
            router.end(token)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        token = router.begin(resolve_position=partial(positions.position_for, request))
        try:
            response = self.get_response(request)
            if not isinstance(response, HttpResponseBase):
                response = await response
            if router.current().wrote:
                await sync_to_async(_remember)(request, response, router.primary_position)
        finally:
            router.end(token)
        return response
