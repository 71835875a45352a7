from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as BaseAddEmailForm
from allauth.account.forms import ResetPasswordForm
from allauth.account.forms import SignupForm as BaseSignupForm
from django import forms
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit

from . import signup
from .models import User


class UserCreationForm(auth_forms.AdminUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


class QueuedResetPasswordForm(ResetPasswordForm):  # type: ignore[misc]
    """Ask for a password reset without revealing whether the account exists.

    The request only checks the address's format and enqueues a job; the job
    looks the account up and sends either the reset link or an "unknown account"
    mail. So the request does the same work, in the same time, either way.
    """

    def clean_email(self) -> str:
        get_adapter().clean_email(self.cleaned_data["email"].lower())
        self.users: list[User] = []  # looked up by the job, never in the request
        return str(self.cleaned_data["email"])

    def save(self, request: HttpRequest, **kwargs: object) -> str:
        from .tasks import send_password_reset

        email = str(self.cleaned_data["email"])
        send_on_commit(send_password_reset, email=email, origin=request.build_absolute_uri("/"))
        return email


MAX_EMAIL_LENGTH = 254  # RFC 5321, and the column's length


def _check_length(email: str) -> str:
    if len(email) > MAX_EMAIL_LENGTH or len(email.rpartition("@")[0]) > 64:
        raise forms.ValidationError(f"An email address can be at most {MAX_EMAIL_LENGTH} characters long.")
    return email


class DeferredSignupMixin:
    """Sign up without looking the address up in the request (accounts.signup); pages and headless share it."""

    cleaned_data: dict[str, Any]

    def validate_unique_email(self, value: str) -> str:
        return _check_length(str(get_adapter().validate_unique_email(value)))

    def try_save(self, request: HttpRequest) -> tuple[None, HttpResponse]:
        password = self.cleaned_data.get("password1") or self.cleaned_data.get("password") or None
        return None, signup.start(request, email=self.cleaned_data["email"], password=password)

    def save(self, request: HttpRequest) -> None:
        raise NotImplementedError("accounts.signup creates the account once the address is confirmed")


class SignupForm(DeferredSignupMixin, BaseSignupForm):  # type: ignore[misc]
    pass


class AddEmailForm(BaseAddEmailForm):  # type: ignore[misc]
    def clean_email(self) -> str:
        return _check_length(super().clean_email())
