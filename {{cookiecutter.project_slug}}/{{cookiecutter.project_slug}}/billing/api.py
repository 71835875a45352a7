"""Plans in the API: features behind a plan, per-plan rate limits, and read-only organizations.

One DRF throttle class (in DEFAULT_THROTTLE_CLASSES), so every organization endpoint
obeys the plan without each view asking: it runs after the permission check, whose
cached value already holds the entitlements (no query, no second cache read). The plan's
rate limit is an ``api.throttling.RateLimit``: it is counted with the per-user and per-key
limit in the same round trip to Redis, whichever throttle class comes first (for an API
key, in the permission read's round trip: ``ahead``). A request the plan refuses is not
counted against the organization. Refusals use the API's one error
shape: ``plan_required`` and ``payment_required`` (402), ``throttled`` (429).
"""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework import exceptions
from rest_framework.request import Request

from {{ cookiecutter.project_slug }}.api.throttling import Limits, RateLimit

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


class PlanEnforcement(RateLimit):
    """On organization endpoints: the features the plan grants, read-only when unpaid, the plan's rate limit."""

    def allow_request(self, request: Request, view: "APIView") -> bool:
        refusal, _ = _verdict(request, view)
        if refusal is not None:
            raise PlanRefusal(refusal)
        return super().allow_request(request, view)

    def ahead(self, request: Request, view: "APIView", principal: object) -> list[str]:
        organization = _url_organization(view)  # request.user is not set yet: the key is being authenticated
        return [f"throttle:org:{organization}"] if settings.BILLING_ENABLED and organization is not None else []

    def limits(self, request: Request, view: "APIView") -> Limits:
        organization = _organization(request, view)
        refusal, limit = _verdict(request, view)
        if organization is None or refusal is not None or limit is None:
            return []  # a request the plan refuses is not counted against the organization; no limit, no counter
        return [(f"throttle:org:{organization}", limit)]


type Verdict = tuple[entitlements.PlanRequired | entitlements.PaymentRequired | None, int | None]
_VERDICT = "_plan_verdict"  # set on a request once its plan has been asked


def _organization(request: Request, view: "APIView") -> uuid.UUID | None:
    """The organization of an organization endpoint called by a signed-in user or a key; else None."""
    if request.user is None or not request.user.is_authenticated:
        return None
    return _url_organization(view)


def _url_organization(view: "APIView") -> uuid.UUID | None:
    """The organization in the URL of an organization endpoint; else None."""
    organization: uuid.UUID | None = getattr(view, "kwargs", {}).get("organization_id")
    return organization


def _verdict(request: Request, view: "APIView") -> Verdict:
    """Why the plan refuses this request (or None) and the plan's rate limit a minute: asked once per request.

    Both throttle hooks need it (``allow_request``, and ``limits``, which the first RateLimit of the
    view may call before this throttle's turn), so it is kept on the request.
    """
    found: Verdict | None = getattr(request, _VERDICT, None)
    if found is None:
        found = _ask_plan(request, view)
        setattr(request, _VERDICT, found)
    return found


def _ask_plan(request: Request, view: "APIView") -> Verdict:
    organization = _organization(request, view)
    if organization is None:
        return None, None
    found = entitlements.entitlements_of(organization, principal=request.user)
    method = "GET" if request.method == "HEAD" else str(request.method)
    feature = FEATURE_FOR_PERMISSION.get(getattr(view, "required_permissions", {}).get(method, ""))
    try:
        if feature is not None:
            entitlements.require_feature(organization, feature, principal=request.user)
        if method not in SAFE_METHODS:
            entitlements.require_writable(organization, principal=request.user)
    except (entitlements.PlanRequired, entitlements.PaymentRequired) as error:
        return error, None
    return None, found.limits.get(Limit.API_RATE_PER_MINUTE)
