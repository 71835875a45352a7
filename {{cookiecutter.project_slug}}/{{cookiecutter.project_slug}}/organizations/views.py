"""Pages for organizations: list and switch, members and roles, invitations."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from {{ cookiecutter.project_slug }}.accounts.services import as_user
from {{ cookiecutter.project_slug }}.core.exceptions import DomainError, PermissionDenied
from {{ cookiecutter.project_slug }}.core.pages.decorators import reauthentication_required
from {{ cookiecutter.project_slug }}.core.pages.htmx import is_htmx

from . import keys, selectors, services
from .forms import InvitationForm, OrganizationForm, RoleForm
from .models import Organization
from .permissions import Perm, permissions_for

SESSION_KEY = "organization"


def _permissions(request: HttpRequest, organization: Organization) -> frozenset[str]:
    return permissions_for(organization_public_id=organization.public_id, user_id=int(request.user.pk or 0))


def page_context(request: HttpRequest, organization: Organization, **extra: object) -> dict[str, Any]:
    """What every organization page needs: the organization and what the viewer may do in it."""
    permissions = _permissions(request, organization)
    return {"organization": organization, "can": {p.name.lower(): p in permissions for p in Perm}, **extra}


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
@require_http_methods(["GET", "POST"])
def organization_list(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(name=form.cleaned_data["name"], owner=as_user(request.user))
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"Created {organization.name}.")
            return redirect("organization_detail", public_id=organization.public_id)
    memberships = selectors.memberships_of_user(user=as_user(request.user))
    return render(request, "organizations/list.html", {"memberships": memberships, "form": form})


@login_required
def organization_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=public_id)
    request.session[SESSION_KEY] = str(organization.public_id)
    context = page_context(request, organization, members=selectors.members_of(organization=organization))
    if context["can"]["invitations_manage"]:
        context["open_invitations"] = selectors.open_invitations_of(organization=organization).count()
    if context["can"]["api_keys_manage"]:
        context["active_keys"] = (
            keys.api_keys_of(organization=organization)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), revoked_at__isnull=True)
            .count()
        )
    return render(request, "organizations/detail.html", context)


@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=request.POST.get("organization", ""))
    request.session[SESSION_KEY] = str(organization.public_id)
    return redirect("organization_detail", public_id=organization.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def organization_settings(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=public_id)
    form = OrganizationForm(request.POST or None, initial={"name": organization.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_rename(organization=organization, name=form.cleaned_data["name"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Saved.")
        return redirect("organization_settings", public_id=organization.public_id)
    return render(request, "organizations/settings.html", page_context(request, organization, form=form))


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def organization_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=public_id)
    if request.method == "GET":  # where re-authentication returns to
        return redirect(reverse("organization_settings", kwargs={"public_id": organization.public_id}) + "#delete")
    if request.POST.get("confirm") != organization.name:
        messages.error(request, "Type the organization's name exactly to confirm.")
        return redirect("organization_settings", public_id=organization.public_id)
    try:
        services.organization_delete(organization=organization, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("organization_settings", public_id=organization.public_id)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"Deleted {organization.name}.")
    return redirect("organization_list")


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=public_id)
    if request.method == "POST":
        membership = selectors.membership_in(organization=organization, membership_id=request.POST.get("member", ""))
        try:
            if request.POST.get("action") == "remove":
                services.membership_remove(membership=membership, actor=request.user)
                messages.success(request, f"Removed {membership.user.email}.")
                if membership.user_id == request.user.pk:
                    return redirect("organization_list")
            else:
                form = RoleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Choose one of the listed roles.")
                else:
                    services.membership_change_role(
                        membership=membership, role=form.cleaned_data["role"], actor=request.user
                    )
                    messages.success(request, f"{membership.user.email} is now {membership.get_role_display()}.")
        except DomainError as error:
            messages.error(request, error.message)
        if is_htmx(request) and request.POST.get("action") != "remove":
            return _member_row(request, organization, membership.pk)
        return redirect("organization_members", public_id=organization.public_id)
    context = page_context(request, organization, members=selectors.members_of(organization=organization))
    context["roles"] = RoleForm.base_fields["role"].choices  # type: ignore[attr-defined]
    return render(request, "organizations/members.html", context)


def _member_row(request: HttpRequest, organization: Organization, membership_id: int) -> HttpResponse:
    """The member's row alone, and the toasts out of band: the answer to a role change made with htmx."""
    membership = selectors.membership_in(organization=organization, membership_id=membership_id)
    context = page_context(request, organization, membership=membership, htmx_fragment=True)
    context["roles"] = RoleForm.base_fields["role"].choices  # type: ignore[attr-defined]
    return render(request, "organizations/_member_row.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = selectors.organization_for_member(user=request.user, public_id=public_id)
    if Perm.INVITATIONS_MANAGE not in _permissions(request, organization):
        raise PermissionDenied("Only owners and admins manage invitations.")
    form = InvitationForm()
    if request.method == "POST":
        action = request.POST.get("action", "send")
        if action != "send":  # an unknown id is a 404, like every tenant miss
            public_invitation_id = request.POST.get("invitation", "")
            invitation = selectors.invitation_in(organization=organization, public_id=public_invitation_id)
        try:
            if action == "send":
                form = InvitationForm(request.POST)
                if form.is_valid():
                    services.invitation_create(
                        organization=organization,
                        email=form.cleaned_data["email"],
                        role=form.cleaned_data["role"],
                        invited_by=as_user(request.user),
                        link_base=_link_base(request),
                    )
                    messages.success(request, f"Invited {form.cleaned_data['email']}.")
                    return redirect("organization_invitations", public_id=organization.public_id)
            else:
                if action == "revoke":
                    services.invitation_revoke(invitation=invitation, actor=request.user)
                    messages.success(request, f"Withdrew the invitation of {invitation.email}.")
                elif action == "resend":
                    services.invitation_resend(invitation=invitation, actor=request.user, link_base=_link_base(request))
                    messages.success(request, f"Sent a new link to {invitation.email}.")
                return redirect("organization_invitations", public_id=organization.public_id)
        except DomainError as error:
            if action == "send":
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                return redirect("organization_invitations", public_id=organization.public_id)
    pending = list(selectors.open_invitations_of(organization=organization))
    context = page_context(request, organization, form=form, invitations=pending)
    return render(request, "organizations/invitations.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponseBase:
    invitation = services.invitation_for_token(token)
    problem = services.invitation_problem(invitation)
    if problem:
        context = {"invitation": invitation, "problem": problem}
        return render(request, "organizations/invitation.html", context, status=410)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return render(request, "organizations/invitation.html", {"invitation": invitation, "next": request.path})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except DomainError as error:
            return render(
                request,
                "organizations/invitation.html",
                {"invitation": invitation, "problem": error.message},
                status=error.status,
            )
        request.session[SESSION_KEY] = str(membership.organization.public_id)
        messages.success(request, f"Welcome to {membership.organization.name}.")
        return redirect("organization_detail", public_id=membership.organization.public_id)
    return render(request, "organizations/invitation.html", {"invitation": invitation})
