"""Request ids on every request, health and metrics endpoints that bypass host checks, access log lines."""

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

import sentry_sdk
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from . import requestcache
from .exceptions import DomainError
from .observability import views
from .observability.logging import request_id
from .observability.metrics import UNMATCHED, observe_request

access_logger = logging.getLogger("access")

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


# The next layer of a middleware stack: answers at once in a sync stack, is awaited in an async one.
type GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


class AroundMiddleware[State]:
    """Run ``before`` ahead of the view and ``after`` on its response, in sync and async stacks alike.

    ``before`` returns a state of the subclass's choosing that ``after`` receives.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def before(self, request: HttpRequest) -> State:
        raise NotImplementedError

    def after(self, request: HttpRequest, response: HttpResponseBase, state: State) -> None:
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        state = self.before(request)
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)  # a sync stack answers at once
        self.after(request, response, state)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        state = self.before(request)
        response = self.get_response(request)
        if not isinstance(response, HttpResponseBase):
            response = await response
        self.after(request, response, state)
        return response


class RequestIdMiddleware(AroundMiddleware[str]):
    """Accept a sane X-Request-ID or make one, echo it, and expose it to logs."""

    def before(self, request: HttpRequest) -> str:
        return _start(request)

    def after(self, request: HttpRequest, response: HttpResponseBase, state: str) -> None:
        response[HEADER] = state


class HealthCheckMiddleware:
    """Answer /healthz, /readyz and /metrics before host validation and HTTPS redirects.

    Load balancers and Kubernetes probe pods by IP address, which is not in
    ALLOWED_HOSTS, and over plain HTTP; the probes must still get an answer.
    Prometheus scrapes pods the same way (``/metrics`` needs a bearer token).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path == "/healthz":
            return views.healthz(request)
        if request.path == "/readyz":
            return views.readyz(request)
        if request.path == "/metrics":
            return views.metrics(request)
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
        context = {"message": exception.message, "status": exception.status}
        return render(request, "error.html", context, status=exception.status)


def _observe(request: HttpRequest, response: HttpResponseBase, started: float) -> None:
    """Count and time the request, and write its one access log line."""
    seconds = time.perf_counter() - started
    match = request.resolver_match
    route = f"/{match.route}" if match else UNMATCHED
    observe_request(request.method or "", route, response.status_code, seconds)
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)  # set by the organizations app, when a request has one
    access_logger.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        seconds * 1000,
        extra={
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "user_id": str(getattr(user, "public_id", user.pk)) if user and user.is_authenticated else None,
            "organization_id": str(getattr(organization, "public_id", organization.pk)) if organization else None,
        },
    )


class AccessLogMiddleware(AroundMiddleware[float]):
    """One log line and the Prometheus samples per request (health probes and scrapes excluded)."""

    def before(self, request: HttpRequest) -> float:
        return time.perf_counter()

    def after(self, request: HttpRequest, response: HttpResponseBase, state: float) -> None:
        _observe(request, response, state)
