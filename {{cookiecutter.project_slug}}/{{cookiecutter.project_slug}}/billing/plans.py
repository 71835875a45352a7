"""The plans: what each grants (features and limits) and which Stripe price sells it. The policy a founder edits.

Prices live in Stripe; their ids come from the environment (STRIPE_PRICE_<PLAN>), so
test mode and live mode differ by configuration only. ``compute_entitlements`` turns an
organization's billing state and its overrides into what it may do; the answer is cached
with the permission set (billing.entitlements).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from {{ cookiecutter.project_slug }}.organizations.permissions import Perm


class Feature(StrEnum):
    WEBHOOKS = "webhooks"
    PRIORITY_SUPPORT = "priority_support"


class Limit(StrEnum):
    SEATS = "seats"  # members of the organization, open invitations included
    RESOURCES = "resources"  # items a product may count against its plan (the product's services ask)
    API_RATE_PER_MINUTE = "api_rate_per_minute"  # API requests a minute for the whole organization


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    rank: int  # a higher rank grants at least what a lower one does
    features: frozenset[str]
    limits: Mapping[str, int | None]  # None: no limit
    per_seat: bool = False  # the subscription's quantity follows the number of members
    price_setting: str = ""  # the setting holding the Stripe price id; empty for the free plan


FREE = "free"
PLANS: dict[str, Plan] = {
    plan.code: plan
    for plan in (
        Plan(FREE, "Free", 0, frozenset(), {Limit.SEATS: 3, Limit.RESOURCES: 10, Limit.API_RATE_PER_MINUTE: 60}),
        Plan(
            "pro",
            "Pro",
            1,
            frozenset({Feature.WEBHOOKS}),
            {Limit.SEATS: 20, Limit.RESOURCES: 1000, Limit.API_RATE_PER_MINUTE: 600},
            per_seat=True,
            price_setting="STRIPE_PRICE_PRO",
        ),
        Plan(
            "business",
            "Business",
            2,
            frozenset(Feature),
            {Limit.SEATS: None, Limit.RESOURCES: None, Limit.API_RATE_PER_MINUTE: None},
            per_seat=True,
            price_setting="STRIPE_PRICE_BUSINESS",
        ),
    )
}

# API endpoints that need a feature besides the permission: the permission a view requires -> the feature.
FEATURE_FOR_PERMISSION: dict[str, str] = {Perm.WEBHOOKS_MANAGE: Feature.WEBHOOKS}

# Subscription statuses that grant the subscribed plan; past_due and unpaid grant it until the grace ends.
ACTIVE_STATUSES = frozenset({"active", "trialing"})
DUNNING_STATUSES = frozenset({"past_due", "unpaid"})


def lowest_plan_with(*, feature: str | None = None, limit: str | None = None, at_least: int = 0) -> Plan | None:
    """The cheapest plan that grants a feature, or a limit of at least ``at_least``; None if no plan does."""
    for plan in sorted(PLANS.values(), key=lambda plan: plan.rank):
        if feature is not None and feature not in plan.features:
            continue
        if limit is not None and (value := plan.limits.get(limit)) is not None and value < at_least:
            continue
        return plan
    return None


class AccountState(Protocol):
    """What compute_entitlements reads of a BillingAccount."""

    plan: str
    status: str
    past_due_since: datetime | None


class OverrideState(Protocol):
    """What compute_entitlements reads of an EntitlementOverride."""

    key: str
    enabled: bool
    limit: int | None


@dataclass(frozen=True)
class Entitlements:
    plan: str
    status: str
    features: frozenset[str]
    limits: dict[str, int | None] = field(default_factory=dict)
    grace_ends: float | None = None  # epoch seconds: while unpaid, read-only after it


def _plan_and_grace(account: AccountState | None, grace: timedelta) -> tuple[Plan, str, float | None]:
    if account is None or not account.status:
        return PLANS[FREE], "none", None
    plan = PLANS.get(account.plan, PLANS[FREE])
    if account.status in ACTIVE_STATUSES:
        return plan, account.status, None
    if account.status in DUNNING_STATUSES:
        since = account.past_due_since
        return plan, account.status, (since + grace).timestamp() if since else 0.0
    return PLANS[FREE], account.status, None  # canceled, incomplete, paused: back to the free plan


def compute_entitlements(
    account: AccountState | None,
    overrides: Iterable[OverrideState],
    *,
    enabled: bool,
    default_plan: str,
    grace: timedelta,
) -> Entitlements:
    """What an organization may do: its plan (the default one while billing is off), then its overrides."""
    if enabled:
        plan, status, grace_ends = _plan_and_grace(account, grace)
    else:
        plan, status, grace_ends = PLANS[default_plan], "off", None
    features, limits = set(plan.features), dict(plan.limits)
    for override in overrides:
        if override.key in Limit:
            limits[override.key] = override.limit
        elif override.enabled:
            features.add(override.key)
        else:
            features.discard(override.key)
    return Entitlements(plan.code, status, frozenset(features), limits, grace_ends)
