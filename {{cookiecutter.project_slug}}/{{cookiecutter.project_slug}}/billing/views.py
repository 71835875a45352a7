"""The billing page of an organization (owners only): plan, status, renewal, seats, invoices; Checkout and Portal."""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations import selectors as organization_selectors
from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission
from {{ cookiecutter.project_slug }}.organizations.views import page_context

from . import selectors, services
from .entitlements import entitlements_of, is_read_only
from .plans import PLANS

logger = logging.getLogger(__name__)


def _organization(request: HttpRequest, public_id: str) -> Organization:
    organization = organization_selectors.organization_for_member(user=request.user, public_id=public_id)
    if not has_permission(
        user=request.user, organization_public_id=organization.public_id, permission=Perm.BILLING_MANAGE
    ):
        raise PermissionDenied("Only the organization's owners can see and change its billing.")
    return organization


@login_required
def billing(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = _organization(request, public_id)
    account = selectors.account_of(organization.pk)
    entitled = entitlements_of(organization.public_id, principal=request.user)
    invoices: list[selectors.Invoice] = []
    invoices_failed = False
    if settings.BILLING_ENABLED:
        try:
            invoices = selectors.invoices_of(account)
        except stripe.StripeError:
            logger.warning("could not list invoices of %s", organization.public_id, exc_info=True)
            invoices_failed = True
    context = page_context(
        request,
        organization,
        enabled=settings.BILLING_ENABLED,
        account=account,
        entitlements=entitled,
        plan=PLANS[entitled.plan],
        plans=[plan for plan in PLANS.values() if plan.price_setting],
        read_only=is_read_only(entitled),
        invoices=invoices,
        invoices_failed=invoices_failed,
        grace_days=settings.BILLING_GRACE_DAYS,
    )
    return render(request, "billing/billing.html", context)


def _return_url(request: HttpRequest, organization: Organization) -> str:
    return request.build_absolute_uri(reverse("billing", kwargs={"public_id": organization.public_id}))


@login_required
@require_POST
def checkout(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = _organization(request, public_id)
    try:
        url = services.checkout_start(
            organization=organization,
            plan=request.POST.get("plan", ""),
            actor=request.user,
            return_url=_return_url(request, organization),
        )
    except (DomainError, stripe.StripeError) as error:
        messages.error(request, getattr(error, "message", None) or "Stripe could not be reached; try again.")
        return redirect("billing", public_id=organization.public_id)
    return redirect(url)


@login_required
@require_POST
def portal(request: HttpRequest, public_id: str) -> HttpResponse:
    organization = _organization(request, public_id)
    try:
        url = services.portal_start(
            organization=organization, actor=request.user, return_url=_return_url(request, organization)
        )
    except (DomainError, stripe.StripeError) as error:
        messages.error(request, getattr(error, "message", None) or "Stripe could not be reached; try again.")
        return redirect("billing", public_id=organization.public_id)
    return redirect(url)
