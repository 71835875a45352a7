"""allauth's headless API (/_allauth/): guards for inputs allauth answers with a 500, and the enumeration-safe paths.

- Errors keep allauth's documented shape, ``{"status": 400, "errors": [{"message": ..., "code": ...}]}``,
  whatever raised them: ``error_response`` renders it, ``HeadlessErrorMiddleware`` (accounts.middleware)
  turns Django's own error pages under /_allauth/ into it (a wrong method, a bare 400, a 404, a 500).
- Phone numbers are not a login method here, yet allauth routes ``account/phone`` and ``auth/phone/verify``
  anyway, and its views fail there (``NotImplementedError`` from the adapter, ``AttributeError`` on PATCH):
  ``headless_urls`` answers those paths 404 first.
- A password reset key whose user part is empty (``-abc``) makes allauth's key parsing raise ``TypeError``:
  ``ResetPasswordView`` refuses a malformed key before allauth parses it.
- allauth's headless inputs are built on allauth's own forms, not on ACCOUNT_FORMS, so sign-up and
  password-reset requests would skip this project's constant-work versions (accounts.signup,
  forms.QueuedResetPasswordForm): the views below replace allauth's at the same paths.

``headless_urls`` routes all of them, for the browser and the app client; config.urls lists it before allauth's.
"""

import re
from http import HTTPStatus
from typing import NotRequired, TypedDict

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.headless.account import views
from allauth.headless.account.inputs import SignupInput as BaseSignupInput
from allauth.headless.base.response import AuthenticationResponse
from allauth.headless.internal.restkit.inputs import Input
from allauth.headless.internal.restkit.response import APIResponse
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from . import signup
from .forms import DeferredSignupMixin, QueuedResetPasswordForm

PREFIX = "/_allauth/"
# allauth's reset link key: "<user id in base 36>-<token>"; the user part is what allauth fails to check.
RESET_KEY = re.compile(r"^[0-9A-Za-z]{1,13}-[\x21-\x7e]+$")
RESET_KEY_HEADER = "X-Password-Reset-Key"


class HeadlessError(TypedDict):
    message: str
    code: str
    param: NotRequired[str]


class HeadlessErrorBody(TypedDict):
    """allauth's headless error shape: ``{"status": 400, "errors": [{"message", "code", "param"?}]}``."""

    status: int
    errors: list[HeadlessError]


def error_body(status: int, code: str, message: str, param: str | None = None) -> HeadlessErrorBody:
    error = HeadlessError(message=message, code=code)
    if param:
        error["param"] = param
    return {"status": status, "errors": [error]}


def error_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """An error in allauth's headless shape, usable before a view ran (allauth's own responses need its view)."""
    response = JsonResponse(error_body(status, code, message), status=status)
    add_never_cache_headers(response)
    return response


def code_for(status: int) -> str:
    """A machine-readable code for an HTTP status: ``method_not_allowed``, ``not_found``..."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


@csrf_exempt
def phone_not_used(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Every method on allauth's phone routes: phone numbers are not used by this site."""
    return error_response(request, 404, "not_found", "Phone numbers are not used on this site.")


def _well_formed(key: object) -> bool:
    if account_settings.PASSWORD_RESET_BY_CODE_ENABLED:
        return True  # the key is a code, which allauth compares as a string
    return isinstance(key, str) and RESET_KEY.match(key) is not None


def _invalid_key(request: HttpRequest) -> HttpResponse:
    error = get_account_adapter().validation_error("invalid_password_reset")
    [shaped] = error_body(400, error.code, error.message, param="key")["errors"]
    return APIResponse(request, errors=[shaped], status=400)  # type: ignore[no-any-return]


class ResetPasswordView(views.ResetPasswordView):  # type: ignore[misc]
    """allauth's reset by key, refusing a malformed key (header or body) as allauth refuses a wrong one."""

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _well_formed(request.headers.get(RESET_KEY_HEADER, "")):
            return _invalid_key(request)
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]

    def handle_input(self, data: object) -> HttpResponse | None:
        if isinstance(data, dict) and "key" in data and not _well_formed(data["key"]):
            return _invalid_key(self.request)
        return super().handle_input(data)  # type: ignore[no-any-return]


class SignupInput(DeferredSignupMixin, BaseSignupInput):  # type: ignore[misc]
    pass


class SignupView(views.SignupView):  # type: ignore[misc]
    input_class = {"POST": SignupInput}


class VerifyEmailView(views.VerifyEmailView):  # type: ignore[misc]
    def handle(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.method == "POST":
            data = self._parse_json(request) or {}
            created = signup.confirm(request, code=data.get("key"))
            if created is not None:
                response: HttpResponseBase = AuthenticationResponse.from_response(request, created)
                return response
        return super().handle(request, *args, **kwargs)  # type: ignore[no-any-return]


class ResendEmailVerificationCodeView(views.ResendEmailVerificationCodeView):  # type: ignore[misc]
    def handle(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response: HttpResponseBase = super().handle(request, *args, **kwargs)
        if request.method == "POST" and response.status_code == 200:
            signup.resent(request)
        return response


class RequestPasswordResetInput(QueuedResetPasswordForm, Input):  # type: ignore[misc]
    pass


class RequestPasswordResetView(views.RequestPasswordResetView):  # type: ignore[misc]
    input_class = RequestPasswordResetInput
