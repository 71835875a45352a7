"""Request ids on every request, and health endpoints that bypass host checks."""

import re
import uuid
from collections.abc import Callable
from typing import Any

import sentry_sdk
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from . import requestcache, views
from .exceptions import DomainError
from .logging import request_id

# A caller's id is kept if it looks like an id, not arbitrary text for the logs.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
HEADER = "X-Request-ID"


def _request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _start(request: HttpRequest) -> str:
    rid = _request_id_for(request)
    # Cleared by the request_finished signal (core.apps), not here: Django logs
    # 4xx and 5xx responses after the middleware returns, and those lines need it too.
    request_id.set(rid)
    requestcache.start()
    sentry_sdk.get_isolation_scope().set_tag("request_id", rid)
    return rid


def clear_request_id(**kwargs: object) -> None:
    request_id.set("-")


class RequestIdMiddleware:
    """Accept a sane X-Request-ID or make one, echo it, and expose it to logs."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        rid = _start(request)
        response: HttpResponseBase = self.get_response(request)
        response[HEADER] = rid
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        rid = _start(request)
        response: HttpResponseBase = await self.get_response(request)
        response[HEADER] = rid
        return response


class HealthCheckMiddleware:
    """Answer /healthz and /readyz before host validation and HTTPS redirects.

    Load balancers and Kubernetes probe pods by IP address, which is not in
    ALLOWED_HOSTS, and over plain HTTP; the probes must still get an answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path == "/healthz":
            return views.healthz(request)
        if request.path == "/readyz":
            return views.readyz(request)
        return self.get_response(request)


class DomainErrorMiddleware:
    """Render a DomainError that escaped a page view as a page with its status (404, 403, 409, 410)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, DomainError):
            return None
        return render(request, "error.html", {"message": exception.message}, status=exception.status)
