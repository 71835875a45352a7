"""The probes: liveness, readiness and Prometheus metrics, answered by ``core.middleware.HealthCheckMiddleware``."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from .health import run_checks
from .metrics import authorized, exposition


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No I/O, so a slow database never restarts pods."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 when the database cannot be reached; a cache or broker outage is reported, not fatal.

    Pages, sign-in and the API keep working without Redis (sessions fall back to the
    database, rate limits to this process, jobs wait in the database), so an outage of
    it must not take every pod out of the load balancer.
    """
    checks = run_checks()
    ready = checks["database"]["ok"]
    status = "ok" if all(result["ok"] for result in checks.values()) else "degraded" if ready else "unavailable"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition for this server, for a scraper holding METRICS_TOKEN; 404 for anyone else."""
    if not authorized(request.headers.get("Authorization", ""), settings.METRICS_TOKEN):
        return HttpResponseNotFound()
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
