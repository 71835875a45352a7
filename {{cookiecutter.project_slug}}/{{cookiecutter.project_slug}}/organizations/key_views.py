"""The API keys page of an organization: make a key (shown once), see them all, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError, PermissionDenied

from . import keys, selectors
from .permissions import API_KEY_SCOPES, Perm, has_permission
from .views import page_context

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=keys.MAX_NAME_LENGTH, strip=True)
    scopes = forms.MultipleChoiceField(
        choices=lambda: [(scope, scope) for scope in sorted(API_KEY_SCOPES)], widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="90", required=False)


@never_cache  # the page that shows a new key must not be stored anywhere
@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=public_id)
    if not has_permission(
        user=request.user, organization_public_id=organization.public_id, permission=Perm.API_KEYS_MANAGE
    ):
        raise PermissionDenied("Only owners and admins manage API keys.")
    form = ApiKeyForm()
    new_token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            key = keys.api_key_in(organization=organization, public_id=request.POST.get("key", ""))
            keys.api_key_revoke(key=key, actor=request.user)
            messages.success(request, f"Revoked {key.name}. Requests with it are refused from now on.")
            return redirect("organization_api_keys", public_id=organization.public_id)
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["expires_in_days"]
            try:
                _, new_token = keys.api_key_create(
                    organization=organization,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_in_days=int(days) if days else None,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                form = ApiKeyForm()
    context = page_context(
        request, organization, form=form, new_token=new_token, api_keys=keys.api_keys_of(organization=organization)
    )
    return render(request, "organizations/api_keys.html", context, status=400 if form.errors else 200)
