"""Per-request replica routing: read-your-writes across requests by WAL position."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase

from . import positions, router


class ReplicaRoutingMiddleware:
    """Let a request read from replicas that have replayed its client's last write; remember new writes.

    Placed before the session middleware so that a session saved on the way out
    counts as a write. Not installed at all when no replica is configured.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        if not router.enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        token = router.begin(resolve_position=partial(positions.position_for, request))
        try:
            response: HttpResponseBase = self.get_response(request)
            if router.current().wrote:
                positions.remember(request, response, router.primary_position())
        finally:
            router.end(token)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        token = router.begin(resolve_position=partial(positions.position_for, request))
        try:
            response: HttpResponseBase = await self.get_response(request)
            if router.current().wrote:
                position = await sync_to_async(router.primary_position)()
                positions.remember(request, response, position)
        finally:
            router.end(token)
        return response
