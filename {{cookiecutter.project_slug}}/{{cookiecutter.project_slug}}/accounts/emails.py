"""Samples of the sign-in mails (allauth's, in this project's templates) for /dev/emails/ (DEBUG only)."""

from collections.abc import Callable

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage

from {{ cookiecutter.project_slug }}.core.email import email_preview

from .models import User

EMAIL = "ada@example.com"
LINK = "https://example.com/accounts/"

# allauth's template prefix and the context it passes, for each mail this project's settings make it send.
SAMPLES: dict[str, tuple[str, dict[str, str]]] = {
    "verification code at sign-up": ("account/email/email_confirmation_signup", {"code": "K7Q2MX"}),
    "verification code for another address": ("account/email/email_confirmation", {"code": "K7Q2MX"}),
    "password reset": ("account/email/password_reset_key", {"password_reset_url": f"{LINK}password/reset/key/x/"}),
    "sign-in code": ("account/email/login_code", {"code": "K7Q2MX"}),
    "unknown account": ("account/email/unknown_account", {"email": EMAIL, "signup_url": f"{LINK}signup/"}),
    "account already exists": (
        "account/email/account_already_exists",
        {"email": EMAIL, "password_reset_url": f"{LINK}password/reset/"},
    ),
}


def _sample(prefix: str, extra: dict[str, str]) -> Callable[[], EmailMessage]:
    def build() -> EmailMessage:
        site = Site.objects.get_current()
        context = {"current_site": site, "project_name": settings.PROJECT_NAME, "user": User(email=EMAIL), **extra}
        message: EmailMessage = get_adapter().render_mail(prefix, EMAIL, context)
        return message

    return build


for _name, (_prefix, _extra) in SAMPLES.items():
    email_preview(f"accounts: {_name}")(_sample(_prefix, _extra))
