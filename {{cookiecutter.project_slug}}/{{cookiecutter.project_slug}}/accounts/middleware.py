import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers

from .headless import PREFIX, code_for, error_body

MESSAGES = {
    400: "The request could not be understood.",
    403: "You may not do that.",
    404: "There is no such endpoint.",
    405: "This method is not allowed here.",
    500: "Something went wrong on our side.",
}


class HeadlessErrorMiddleware:
    """Every error under /_allauth/ in allauth's JSON shape, also those answered with a bare page or nothing.

    A wrong method (allauth's views answer an empty 405), malformed JSON (an empty 400), an unknown path (the
    404 page), a CSRF failure (the 403 page) or a crash (the 500 page) would otherwise reach a JSON client as
    HTML. The response keeps its status, headers and cookies; only its body becomes JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and isinstance(response, HttpResponse)
            and request.path.startswith(PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            message = MESSAGES.get(status, "The request failed.")
            response.content = json.dumps(error_body(status, code_for(status), message)).encode()
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            add_never_cache_headers(response)
        return response
