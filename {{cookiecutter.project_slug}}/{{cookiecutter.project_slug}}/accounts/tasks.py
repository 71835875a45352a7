"""Jobs of the accounts app."""

import logging
from urllib.parse import urlsplit

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.internal.userkit import filter_users_by_email
from allauth.core.context import request_context
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest

from {{ cookiecutter.project_slug }}.core.jobs.actors import InvalidPayload, actor

from .models import User

logger = logging.getLogger(__name__)


def send_code_mail(*, email: str, code: str) -> None:
    """The verification mail allauth sends at sign-up, for an account that exists only once it is confirmed."""
    get_adapter().send_mail("account/email/email_confirmation_signup", email, {"user": User(email=email), "code": code})


def request_for(origin: str) -> HttpRequest:
    """A request for the site the user asked from, so links in the mail point back to it."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidPayload(f"origin must be an http(s) URL, got {origin!r}")
    request = HttpRequest()
    request.META["HTTP_HOST"] = parts.netloc
    request.META["SERVER_NAME"] = parts.hostname
    request.META["SERVER_PORT"] = str(parts.port or (443 if parts.scheme == "https" else 80))
    if parts.scheme == "https":
        request.META["HTTP_X_FORWARDED_PROTO"] = "https"  # read through SECURE_PROXY_SSL_HEADER
    request.user = AnonymousUser()
    return request


def _checked(email: str, job: str) -> str:
    try:
        validate_email(email)
    except ValidationError:
        logger.error("%s rejected a malformed email address", job)
        raise InvalidPayload("email must be an email address") from None
    return email


@actor(max_retries=3, min_backoff=5_000, time_limit=30_000)
def send_password_reset(*, email: str, origin: str) -> None:
    """Look the account up and mail a reset link, or an "unknown account" notice."""
    _checked(email, "send_password_reset")
    request = request_for(origin)
    users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
    with request_context(request):
        request_password_reset(request, email, users, None)


@actor(max_retries=3, min_backoff=5_000, time_limit=30_000)
def send_signup_mail(*, email: str, code: str, origin: str, resend: bool = False) -> None:
    """Mail a pending sign-up its verification code, or tell the address it already has an account.

    A resent code for an address that has an account mails nothing, as allauth does.
    """
    _checked(email, "send_signup_mail")
    if not isinstance(code, str) or not code:
        raise InvalidPayload("code must be a non-empty string")
    request = request_for(origin)
    with request_context(request):
        if not filter_users_by_email(email):
            send_code_mail(email=email, code=code)
        elif not resend:
            get_adapter().send_account_already_exists_mail(email)
