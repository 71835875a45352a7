"""Sign-up that does the same work whether or not the address already has an account.

The request validates the form, hashes the password (for every address) and keeps
the pending sign-up in the session; it never looks the address up. A job looks it up
and mails either the verification code or a "you already have an account" notice.
The account is created, already verified, when the right code is entered in the
session that asked for it. allauth's own enumeration-safe path (a verification with
no user behind it) carries the pages and the headless responses in between, so the
answer is the same for both, byte for byte.

Only the address and the password's hash are kept: a sign-up form given more fields
(a name, say) must keep them in the pending sign-up too and set them in ``confirm``.
"""

from allauth.account.internal.flows.email_verification_by_code import (
    EMAIL_VERIFICATION_CODE_SESSION_KEY,
    EmailVerificationProcess,
)
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.account.internal.stagekit import clear_login
from allauth.account.models import EmailAddress, Login
from allauth.account.signals import user_signed_up
from allauth.account.utils import get_next_redirect_url
from allauth.core.internal.cryptokit import compare_user_code
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit

from .models import User
from .tasks import send_signup_mail

SESSION_KEY = "accounts_pending_signup"
_MAIL_WANTED = "_pending_signup_mail_wanted"


def start(request: HttpRequest, *, email: str, password: str | None) -> HttpResponse:
    """Keep the sign-up in the session, queue the mail, and answer as for any address."""
    request.session[SESSION_KEY] = {
        "email": email,
        "password": make_password(password),
        "next": get_next_redirect_url(request),
    }
    setattr(request, _MAIL_WANTED, False)
    response: HttpResponse = prevent_enumeration(request, email=email)
    if getattr(request, _MAIL_WANTED):
        _queue_mail(request, resend=False)
    return response


def defers_mail(request: HttpRequest | None) -> bool:
    """Whether allauth's "account exists" mail is this sign-up's, to be replaced by the job's choice."""
    if request is None or not hasattr(request, _MAIL_WANTED):
        return False
    setattr(request, _MAIL_WANTED, True)
    return True


def confirm(request: HttpRequest, *, code: object) -> HttpResponse | None:
    """Create the account and sign in if ``code`` is this pending sign-up's; else None (allauth answers)."""
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(code, str):
        return None
    process = EmailVerificationProcess.resume(request)
    if process is None or "user_id" in process.state or process.email != pending["email"]:
        return None
    if not compare_user_code(actual=code, expected=process.code):
        return None  # allauth counts the failed attempt
    try:
        with transaction.atomic():
            user = User.objects.create(email=pending["email"], password=pending["password"])
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    except IntegrityError:
        return None  # the address got an account meanwhile: allauth refuses the code
    del request.session[SESSION_KEY]
    request.session.pop(EMAIL_VERIFICATION_CODE_SESSION_KEY, None)
    clear_login(request)
    user_signed_up.send(sender=User, request=request, user=user)
    login = Login(user=user, email=user.email, signup=True, redirect_url=pending.get("next"))
    response: HttpResponse = perform_login(request, login)
    return response


def resent(request: HttpRequest) -> None:
    """After allauth made a new code for a pending sign-up (it mails none without a user), queue it."""
    pending = request.session.get(SESSION_KEY)
    process = EmailVerificationProcess.resume(request)
    if not isinstance(pending, dict) or process is None or process.code == pending.get("code"):
        return
    _queue_mail(request, resend=True)


def _queue_mail(request: HttpRequest, *, resend: bool) -> None:
    pending = request.session[SESSION_KEY]
    code = request.session[EMAIL_VERIFICATION_CODE_SESSION_KEY]["code"]
    pending["code"] = code
    request.session.modified = True
    send_on_commit(
        send_signup_mail,
        email=pending["email"],
        code=code,
        origin=request.build_absolute_uri("/"),
        resend=resend,
    )
