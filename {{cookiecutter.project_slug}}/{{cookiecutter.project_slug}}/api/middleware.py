from collections.abc import Callable

from allauth.usersessions.middleware import UserSessionsMiddleware as AllauthUserSessionsMiddleware
from django.http import HttpRequest, HttpResponseBase

from .errors import PREFIX


class UserSessionsMiddleware(AllauthUserSessionsMiddleware):  # type: ignore[misc]
    """allauth's session activity tracking, for pages only.

    It writes on every request it sees; API calls authenticated by a session
    record their activity themselves, at most every few minutes (api.authentication).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        super().__init__(get_response)
        self._get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(PREFIX):
            return self._get_response(request)
        return super().__call__(request)  # type: ignore[no-any-return]
