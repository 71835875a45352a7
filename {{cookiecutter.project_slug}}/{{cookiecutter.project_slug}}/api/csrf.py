"""CSRF refusals (settings.CSRF_FAILURE_VIEW) in the shape each client reads.

A single-page app calling allauth's headless API gets allauth's error shape,
an API client the API's one error shape; a person in a browser gets Django's page.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as page

from .errors import PREFIX, body

HEADLESS_PREFIX = "/_allauth/"
MESSAGE = "The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header, from a trusted origin."


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith(HEADLESS_PREFIX):
        return JsonResponse({"status": 403, "errors": [{"code": "csrf_failed", "message": MESSAGE}]}, status=403)
    if request.path.startswith(PREFIX):
        refusal = body(status=403, code="permission_denied", message=MESSAGE)  # a code the contracts list
        return JsonResponse(refusal, status=403)
    return page(request, reason=reason)
