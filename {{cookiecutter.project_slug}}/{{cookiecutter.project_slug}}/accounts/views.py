"""Account pages that allauth does not provide (profile, deleting the account), and its code page for sign-ups."""

from allauth.account import views as allauth_views
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError
from {{ cookiecutter.project_slug }}.core.pages.decorators import reauthentication_required

from . import services, signup


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=services.MAX_NAME_LENGTH, required=False, strip=True)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = services.as_user(request.user)
    form = ProfileForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("account_profile")
    return render(request, "account/profile.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def delete(request: HttpRequest) -> HttpResponse:
    user = services.as_user(request.user)
    if request.method == "POST":
        if request.POST.get("confirm") != user.email:
            messages.error(request, "Type your email address exactly to confirm.")
            return redirect("account_delete")
        try:
            services.user_delete(user=user, request=request)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("account_delete")
        messages.success(request, "Your account has been deleted.")
        return redirect("home")
    return render(request, "account/delete.html")


def confirm_email(request: HttpRequest) -> HttpResponse:
    """allauth's "enter the code" page, which also creates a pending sign-up's account (accounts.signup)."""
    action = request.POST.get("action", "verify") if request.method == "POST" else None
    if action == "verify":
        created = signup.confirm(request, code=request.POST.get("code"))
        if created is not None:
            return created
    response: HttpResponse = allauth_views.email_verification_sent(request)
    if action == "resend":
        signup.resent(request)
    return response
