"""Pages to manage an organization's webhook endpoints and read their delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations import selectors as organization_selectors
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission
from {{ cookiecutter.project_slug }}.organizations.views import page_context

from . import selectors, services
from .events import EVENT_TYPES
from .forms import EndpointForm


def _organization(request: HttpRequest, public_id: str):  # type: ignore[no-untyped-def]
    organization = organization_selectors.organization_for_member(user=request.user, public_id=public_id)
    if not has_permission(
        user=request.user, organization_public_id=organization.public_id, permission=Perm.WEBHOOKS_MANAGE
    ):
        raise PermissionDenied("Only owners and admins manage webhooks.")
    return organization


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_list(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = _organization(request, public_id)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                organization=organization,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Endpoint added. Copy its signing secret below.")
            return redirect("webhook_endpoint", public_id=organization.public_id, endpoint_id=endpoint.public_id)
    context = page_context(
        request, organization, endpoints=selectors.endpoints_of(organization=organization), form=form
    )
    return render(request, "webhooks/list.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, public_id: str, endpoint_id: str) -> HttpResponse:
    organization = _organization(request, public_id)
    endpoint = selectors.endpoint_in(organization=organization, public_id=endpoint_id)
    initial = {"url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("webhook_endpoint", public_id=organization.public_id, endpoint_id=endpoint.public_id)
    context = page_context(
        request,
        organization,
        endpoint=endpoint,
        deliveries=selectors.recent_deliveries(endpoint=endpoint),
        form=form,
        event_types=EVENT_TYPES,
    )
    return render(request, "webhooks/detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def endpoint_action(request: HttpRequest, public_id: str, endpoint_id: str) -> HttpResponse:
    organization = _organization(request, public_id)
    endpoint = selectors.endpoint_in(organization=organization, public_id=endpoint_id)
    action = request.POST.get("action")
    back = redirect("webhook_endpoint", public_id=organization.public_id, endpoint_id=endpoint.public_id)
    try:
        if action == "ping":
            services.endpoint_ping(endpoint=endpoint, actor=request.user)
            messages.success(request, "Test event queued.")
        elif action == "rotate":
            services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
            messages.success(request, "New signing secret issued; the old one no longer signs deliveries.")
        elif action in ("enable", "disable"):
            services.endpoint_set_active(endpoint=endpoint, active=action == "enable", actor=request.user)
            messages.success(request, "Endpoint enabled." if action == "enable" else "Endpoint disabled.")
        elif action == "redeliver":
            delivery = selectors.delivery_in(endpoint=endpoint, public_id=request.POST.get("delivery", ""))
            services.delivery_redeliver(delivery=delivery, actor=request.user)
            messages.success(request, "Delivery queued again.")
        elif action == "delete":
            services.endpoint_delete(endpoint=endpoint, actor=request.user)
            messages.success(request, "Endpoint deleted.")
            return redirect("webhook_endpoints", public_id=organization.public_id)
        else:
            messages.error(request, "Unknown action.")
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    return back
