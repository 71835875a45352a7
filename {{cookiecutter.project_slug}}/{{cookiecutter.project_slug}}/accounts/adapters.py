"""allauth adapters: where this project's auth decisions meet allauth (docs/auth.md)."""

import dataclasses

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from allauth.headless.adapter import DefaultHeadlessAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.models import Site
from django.contrib.sites.requests import RequestSite
from django.http import HttpRequest

from . import signup

ACCOUNT_PAUSED = "account_password_login_paused"


def mail_site(request: HttpRequest | None) -> RequestSite | Site:
    """The site mails name: the product, at the host the user is on (where the mail's links point).

    Not the Sites row, whose domain is the production one (SITE_DOMAIN) even on a
    developer's machine; the row is the fallback outside a request.
    """
    if request is None:
        return Site.objects.get_current()
    site = RequestSite(request)
    site.name = settings.PROJECT_NAME
    return site


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """How this project answers allauth's questions.

    Failed passwords are limited per client address and per (account, address), so a
    stranger's wrong guesses lock out only the stranger; and per account across all
    addresses ("login_failed_account"), set higher than one address can reach, so only
    a distributed attack pauses password sign-in, and then only that: sign-in by an
    emailed code, by passkey, and password reset keep working (docs/auth.md).
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        ACCOUNT_PAUSED: (
            "Too many failed sign-ins on this account from many places. Sign in with a code sent by email "
            "or a passkey, or reset your password; password sign-in reopens within the hour."
        ),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict[str, object]) -> None:
        site = mail_site(allauth_context.request)
        # Each mail has a text and an HTML part: <prefix>_message.txt and .html (templates/account/email/).
        super().send_mail(template_prefix, email, {"current_site": site, "project_name": site.name, **context})

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: object) -> str:
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self.get_client_ip(request)}"

    def _account_key(self, request: HttpRequest, credentials: dict[str, object]) -> str:
        return str(super()._get_login_attempts_cache_key(request, **credentials))

    def pre_authenticate(self, request: HttpRequest, **credentials: object) -> None:
        account = ratelimit.consume(
            request, app="allauth.account", action="login_failed_account", key=self._account_key(request, credentials)
        )
        if not account:
            raise self.validation_error(ACCOUNT_PAUSED)
        try:
            super().pre_authenticate(request, **credentials)
        except Exception:
            account.rollback()
            raise
        # Rolled back with allauth's own usage when the password is right.
        self._login_failed_rl_usage.usage.extend(account.usage)

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: object) -> None:
        super()._delete_login_attempts_cached_email(request, **credentials)
        key = self._account_key(request, credentials)
        ratelimit.clear(request, app="allauth.account", action="login_failed_account", key=key)

    def send_account_already_exists_mail(self, email: str) -> None:
        # During a sign-up the request does not know whether the address has an
        # account; the job it queues decides which mail to send (accounts.signup).
        if signup.defers_mail(allauth_context.request):
            return
        super().send_account_already_exists_mail(email)


class HeadlessAdapter(DefaultHeadlessAdapter):  # type: ignore[misc]
    """The headless API shows a user's public id, as every other API does, never the row id."""

    def get_user_dataclass(self) -> type:
        others = [
            (field.name, field.type, dataclasses.field(metadata=field.metadata))
            for field in dataclasses.fields(super().get_user_dataclass())
            if field.name != "id"
        ]
        public_id = dataclasses.field(
            metadata={"description": "The user's public id.", "example": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}
        )
        return dataclasses.make_dataclass("User", [("id", str | None, public_id), *others])

    def user_as_dataclass(self, user: AbstractBaseUser) -> object:
        public_id = str(user.public_id) if user.pk else None  # type: ignore[attr-defined]
        return dataclasses.replace(super().user_as_dataclass(user), id=public_id)
