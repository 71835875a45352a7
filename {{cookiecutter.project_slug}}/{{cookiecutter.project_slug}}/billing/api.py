"""Plans in the API: features behind a plan, per-plan rate limits, and read-only organizations.

One DRF throttle class (in DEFAULT_THROTTLE_CLASSES, after the per-principal one), so
every organization endpoint obeys the plan without each view asking: it runs after
the permission check, whose cached value already holds the entitlements (no query,
no second cache read). Refusals use the API's one error shape: ``plan_required`` and
``payment_required`` (402), ``throttled`` (429).
"""

import uuid
from typing import TYPE_CHECKING

from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from {{ cookiecutter.project_slug }}.api.throttling import over_limit

from . import entitlements
from .plans import FEATURE_FOR_PERMISSION, Limit

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes, which import this module
    from rest_framework.views import APIView

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class PlanRefusal(exceptions.APIException):
    status_code = 402
    default_code = "plan_required"

    def __init__(self, error: entitlements.PlanRequired | entitlements.PaymentRequired) -> None:
        super().__init__(detail=error.message, code=error.code)


class PlanEnforcement(BaseThrottle):
    """On organization endpoints: the features the plan grants, read-only when unpaid, the plan's rate limit."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def allow_request(self, request: Request, view: "APIView") -> bool:
        organization: uuid.UUID | None = getattr(view, "kwargs", {}).get("organization_id")
        if organization is None or request.user is None or not request.user.is_authenticated:
            return True
        method = "GET" if request.method == "HEAD" else str(request.method)
        found = entitlements.entitlements_of(organization, principal=request.user)
        feature = FEATURE_FOR_PERMISSION.get(getattr(view, "required_permissions", {}).get(method, ""))
        try:
            if feature is not None:
                entitlements.require_feature(organization, feature, principal=request.user)
            if method not in SAFE_METHODS:
                entitlements.require_writable(organization, principal=request.user)
        except (entitlements.PlanRequired, entitlements.PaymentRequired) as error:
            raise PlanRefusal(error) from None
        return self._within_rate(organization, found.limits.get(Limit.API_RATE_PER_MINUTE))

    def _within_rate(self, organization: uuid.UUID, limit: int | None) -> bool:
        if limit is None:
            return True  # no limit: no counter either
        self.wait_seconds = over_limit(f"throttle:org:{organization}", limit)
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds
