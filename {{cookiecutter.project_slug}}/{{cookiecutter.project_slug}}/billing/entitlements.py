"""The one question plans answer: may this organization use a feature, and within which limits?

Pages, API permission classes and services ask ``entitled``/``limit_of`` (or the
``require_*`` forms, which raise PlanRequired). The answer is cached with the
permission set of the asking principal (organizations.permissions'
``register_cached_extra``), so after a permission check in the same request it
costs nothing, and a warm check costs one cache GET and no query. Asked about an
organization alone, it is cached under the organization's own principal id.
Whoever changes a subscription, a plan or an override calls ``billing_changed``
inside the same transaction: every cached value of the organization is then dead,
with the durable replay of permission changes.
"""

import functools
import json
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError
from {{ cookiecutter.project_slug }}.organizations import permissions
from {{ cookiecutter.project_slug }}.organizations.principals import Principal

from .plans import PLANS, Entitlements, compute_entitlements, lowest_plan_with

EXTRA = "billing"
clock = time.time  # tests move time with it


class PlanRequired(DomainError):
    """The organization's plan does not allow this; the message names the plan that does."""

    code = "plan_required"
    status = 402


class PlanLimitReached(PlanRequired):
    """Adding one more would go past a limit of the organization's plan; the message names the plan with room."""

    code = "plan_limit_reached"


class PaymentRequired(DomainError):
    """The organization is read-only: an invoice is unpaid and its grace period is over."""

    code = "payment_required"
    status = 402


def compute(organization_public_id: uuid.UUID) -> str:
    """The organization's entitlements, encoded for the cache (no query while billing is off)."""
    from .models import BillingAccount, EntitlementOverride  # models load after this module's app registry

    enabled = settings.BILLING_ENABLED
    account: BillingAccount | None = None
    overrides: list[EntitlementOverride] = []
    if enabled:  # from the primary, as permissions are: a replica may not have the change yet
        in_it = {"organization__public_id": organization_public_id}
        account = BillingAccount.objects.using(DEFAULT_DB_ALIAS).filter(**in_it).first()
        overrides = list(EntitlementOverride.objects.using(DEFAULT_DB_ALIAS).filter(**in_it))
    found = compute_entitlements(
        account,
        overrides,
        enabled=enabled,
        default_plan=settings.BILLING_DEFAULT_PLAN,
        grace=timedelta(days=settings.BILLING_GRACE_DAYS),
    )
    return json.dumps(
        [found.plan, found.status, sorted(found.features), found.limits, found.grace_ends], separators=(",", ":")
    )


@functools.lru_cache(maxsize=1024)
def _decode(value: str) -> Entitlements:
    plan, status, features, limits, grace_ends = json.loads(value)
    return Entitlements(plan, status, frozenset(features), limits, grace_ends)


def entitlements_of(organization_public_id: uuid.UUID, *, principal: Principal | None = None) -> Entitlements:
    """The organization's entitlements, from the cached value of ``principal`` (a user or API key) if given."""
    principal_id = permissions.principal_id(principal) if principal is not None else None
    value = permissions.cached_extra(
        organization_public_id=organization_public_id,
        user_id=permissions.ORGANIZATION if principal_id is None else principal_id,
        name=EXTRA,
    )
    return _decode(value if value is not None else compute(organization_public_id))


def entitled(organization_public_id: uuid.UUID, feature: str, *, principal: Principal | None = None) -> bool:
    """Does the organization's plan (or an override) grant ``feature``?"""
    return feature in entitlements_of(organization_public_id, principal=principal).features


def limit_of(organization_public_id: uuid.UUID, limit: str, *, principal: Principal | None = None) -> int | None:
    """The organization's ``limit`` (billing.plans.Limit); None: no limit."""
    return entitlements_of(organization_public_id, principal=principal).limits.get(limit)


def is_read_only(entitlements: Entitlements) -> bool:
    """Unpaid past the grace period: reads only until the invoice is paid."""
    return entitlements.grace_ends is not None and clock() >= entitlements.grace_ends


def require_feature(organization_public_id: uuid.UUID, feature: str, *, principal: Principal | None = None) -> None:
    """Raise PlanRequired, naming the plan that grants it, unless the organization has ``feature``."""
    found = entitlements_of(organization_public_id, principal=principal)
    if feature not in found.features:
        plan = lowest_plan_with(feature=feature)
        upgrade = f"it needs the {plan.name} plan or higher" if plan else "no plan includes it yet"
        raise PlanRequired(f"The {_name(found.plan)} plan does not include {feature.replace('_', ' ')}; {upgrade}.")


def limit_problem(
    organization_public_id: uuid.UUID,
    limit: str,
    *,
    used: int,
    adding: int = 1,
    noun: str | None = None,
    principal: Principal | None = None,
) -> str | None:
    """Why ``used + adding`` would go past the organization's ``limit`` (counted in ``noun``); None if it fits."""
    entitlements = entitlements_of(organization_public_id, principal=principal)
    allowed = entitlements.limits.get(limit)
    if allowed is None or used + adding <= allowed:
        return None
    plan = lowest_plan_with(limit=limit, at_least=used + adding)
    current = PLANS.get(entitlements.plan)
    if plan is not None and current is not None and plan.rank <= current.rank:
        plan = None  # the limit is an override below the plan's own: no upgrade raises it
    upgrade = f"upgrade to the {plan.name} plan for more" if plan else "no plan allows more"
    counted = noun or limit.replace("_", " ")
    return f"The {_name(entitlements.plan)} plan allows {allowed} {counted}; {upgrade}."


def require_within(
    organization_public_id: uuid.UUID,
    limit: str,
    *,
    used: int,
    adding: int = 1,
    noun: str | None = None,
    principal: Principal | None = None,
) -> None:
    """Raise PlanLimitReached (a PlanRequired) unless ``used + adding`` stays within the organization's ``limit``."""
    problem = limit_problem(organization_public_id, limit, used=used, adding=adding, noun=noun, principal=principal)
    if problem is not None:
        raise PlanLimitReached(problem)


def _name(plan: str) -> str:
    return PLANS[plan].name if plan in PLANS else plan


def require_writable(organization_public_id: uuid.UUID, *, principal: Principal | None = None) -> None:
    """Raise PaymentRequired if the organization is read-only (unpaid past its grace period)."""
    if is_read_only(entitlements_of(organization_public_id, principal=principal)):
        raise PaymentRequired(
            "This organization is read-only until its overdue invoice is paid; an owner can pay it on the billing page."
        )


def billing_changed(*, organization_public_id: uuid.UUID) -> None:
    """Call inside the transaction that changes an organization's subscription, plan or overrides."""
    permissions.organization_changed(organization_public_id=organization_public_id)
