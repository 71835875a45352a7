"""Plans on the pages: an organization's pages that need a feature send to the upgrade path; read-only refuses writes.

The API has the same rules in billing.api. Only pages under /orgs/<id>/ are looked at;
the answer comes from the cached value the page's own permission check reads (one cache
GET at most, no query when warm). The billing page itself, leaving and deleting the
organization stay open, so an owner can always pay or go.
"""

import re
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission

from . import entitlements
from .plans import Feature

ORGANIZATION_PAGE = re.compile(r"^/orgs/(?P<id>[0-9a-fA-F-]{36})/(?P<section>[\w-]*)")
FEATURE_FOR_SECTION = {"webhooks": Feature.WEBHOOKS}  # the pages of a feature: /orgs/<id>/<section>/...
ALWAYS_OPEN = frozenset({"billing", "delete"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class PlanMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = ORGANIZATION_PAGE.match(request.path_info)
        if match is None or match["section"] in ALWAYS_OPEN or not request.user.is_authenticated:
            return self.get_response(request)
        try:
            organization = uuid.UUID(match["id"])
        except ValueError:
            return self.get_response(request)
        if not has_permission(
            user=request.user, organization_public_id=organization, permission=Perm.ORGANIZATION_VIEW
        ):
            return self.get_response(request)  # not a member: the page answers 404 as for any stranger
        try:
            feature = FEATURE_FOR_SECTION.get(match["section"])
            if feature is not None:
                entitlements.require_feature(organization, feature, principal=request.user)
            if request.method not in SAFE_METHODS:
                entitlements.require_writable(organization, principal=request.user)
        except (entitlements.PlanRequired, entitlements.PaymentRequired) as refusal:
            return self._upgrade_path(request, organization, refusal.message)
        return self.get_response(request)

    def _upgrade_path(self, request: HttpRequest, organization: uuid.UUID, message: str) -> HttpResponse:
        messages.error(request, message)
        if has_permission(user=request.user, organization_public_id=organization, permission=Perm.BILLING_MANAGE):
            return redirect("billing", public_id=organization)
        return redirect("organization_detail", public_id=organization)
