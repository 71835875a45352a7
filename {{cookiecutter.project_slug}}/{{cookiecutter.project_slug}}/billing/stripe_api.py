"""Stripe's official SDK, configured from settings; what we read of its objects, as plain dicts."""

from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings

from .plans import PLANS

type StripeObject = dict[str, Any]  # a Stripe object as plain data (its to_dict()), read field by field


def client() -> stripe.StripeClient:
    """A Stripe client with this project's key (STRIPE_API_BASE points it at a fake in tests)."""
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base.rstrip("/")} if base else {},
        max_network_retries=2,
    )


def price_of(plan_code: str) -> str:
    """The Stripe price id that sells a plan ("" if it is not sold)."""
    setting = PLANS[plan_code].price_setting
    return str(getattr(settings, setting, "")) if setting else ""


def plan_of_price(price_id: str) -> str | None:
    """The plan a Stripe price sells, or None for a price this project does not know."""
    for code in PLANS:
        if price_id and price_of(code) == price_id:
            return code
    return None


def moment(timestamp: int | str | None) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), tz=UTC) if timestamp else None


def first_item(subscription: StripeObject) -> StripeObject:
    items = (subscription.get("items") or {}).get("data") or [{}]
    return dict(items[0])


def price_id_of(item: StripeObject) -> str:
    """An item's price id (its legacy ``plan`` where there is no ``price``, as in older API versions)."""
    price = item.get("price") or item.get("plan") or {}
    return str(price.get("id", "")) if isinstance(price, dict) else str(price)


def period_end_of(subscription: StripeObject) -> datetime | None:
    """The end of the current period: on the item in current API versions, on the subscription before."""
    return moment(first_item(subscription).get("current_period_end") or subscription.get("current_period_end"))
