"""The three ways to call the API, tried in this order.

- ``Authorization: Bearer <API key>``: an organization's key, for integrations
  (organizations.keys). No query once warm, and one round trip to Redis for the
  permission set and the rate limits together (api.throttling.count_ahead); failed
  attempts are limited per client address before any query (api.throttling.KeyFailures).
- ``X-Session-Token: <token>``: allauth's headless app sessions, for mobile apps.
- The session cookie, for this project's own pages; CSRF is enforced on writes.

Once the user of a session is known, its rate limits are counted ahead too, in the round trip
of its permission set's GET.

The session-based two record activity for the sessions page at most every
ACTIVITY_INTERVAL seconds per session, instead of on every request (a write each).
"""

import time

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.usersessions.internal import usersessionkit
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations.keys import InvalidToken, authenticate_token
from {{ cookiecutter.project_slug }}.organizations.principals import ApiKeyUser

from .throttling import KeyFailures, count_ahead

ACTIVITY_INTERVAL = 300
_seen: dict[str, float] = {}


def track_activity(request: Request, user: AbstractBaseUser, session: SessionBase) -> None:
    """allauth's "last seen" of a session, written at most every ACTIVITY_INTERVAL seconds by this process."""
    key = getattr(session, "session_key", None)
    if not key:
        return
    now = time.monotonic()
    if now - _seen.get(key, -ACTIVITY_INTERVAL) < ACTIVITY_INTERVAL:
        return
    if len(_seen) > 100_000:
        _seen.clear()
    _seen[key] = now
    usersessionkit.track_activity(request._request, user=user, session=session)


def _count_ahead(request: Request, principal: object) -> None:
    """Queue the count of the principal's rate limits to ride along with the request's permission read."""
    view = request.parser_context.get("view")
    if view is not None:
        count_ahead(request, view, principal)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKeyUser] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        failures = KeyFailures(request)
        token = token.strip()
        if not token or " " in token:
            failures.failed()
            raise exceptions.AuthenticationFailed("Send the key as: Authorization: Bearer <key>.")

        def identified(key: ApiKeyUser) -> None:  # its counters ride along with its permission read
            _count_ahead(request, key)

        try:
            user = authenticate_token(token, before_query=failures.check, identified=identified)
        except InvalidToken as error:
            failures.failed()
            raise exceptions.AuthenticationFailed(str(error)) from None
        return user, user

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class AppSessionAuthentication(XSessionTokenAuthentication):  # type: ignore[misc]
    """allauth's headless app token; a bad token is refused rather than treated as anonymous."""

    allow_invalid_session_tokens = False

    def authenticate(self, request: Request) -> tuple[User, SessionBase] | None:
        token = self.get_session_token(request)
        if not token:
            return None
        from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

        result = authenticate_by_x_session_token(token)
        if result is None or result.user is None or not result.user.is_active:
            raise exceptions.AuthenticationFailed("The session token is not valid; sign in again.")
        track_activity(request, result.user, result.session)
        _count_ahead(request, result.user)
        return result.user, result.session


class SessionAuthentication(authentication.SessionAuthentication):
    """The session cookie of our own pages, with CSRF enforced (DRF's behaviour)."""

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, None] | None:
        result = super().authenticate(request)
        if result is not None:
            track_activity(request, result[0], request._request.session)
            _count_ahead(request, result[0])
        return result
