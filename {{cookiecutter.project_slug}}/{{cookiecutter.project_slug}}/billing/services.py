"""Every write to billing state goes through here; Stripe's own state decides, never the order events arrive in."""

import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from stripe.params import CustomerCreateParams

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.exceptions import Conflict, InvalidInput, PermissionDenied
from {{ cookiecutter.project_slug }}.core.jobs.actors import InvalidPayload, actor
from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission
from {{ cookiecutter.project_slug }}.organizations.principals import Principal

from . import stripe_api
from .entitlements import billing_changed
from .models import BillingAccount, StripeEvent
from .plans import DUNNING_STATUSES, FREE, PLANS

logger = logging.getLogger(__name__)

# Statuses that hold a subscription open; among several subscriptions the open one counts.
OPEN_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid", "paused"})
SYNCED_FIELDS = [
    "stripe_subscription_id",
    "plan",
    "status",
    "current_period_end",
    "cancel_at_period_end",
    "past_due_since",
    "seats",
    "synced_at",
]


class BillingOff(Conflict):
    """Billing is not configured (no STRIPE_SECRET_KEY)."""


def _require_on() -> None:
    if not settings.BILLING_ENABLED:
        raise BillingOff("Billing is off: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (docs/billing.md).")


def _require_manager(actor: Principal, organization: Organization) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=Perm.BILLING_MANAGE):
        raise PermissionDenied("Only the organization's owners can manage its billing.")


def account_for(organization: Organization) -> BillingAccount:
    account, _ = BillingAccount.objects.get_or_create(organization=organization)
    return account


def _customer(account: BillingAccount, actor: Principal) -> str:
    """The organization's Stripe customer, created on first use (the organization is the customer)."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    organization = account.organization
    params: CustomerCreateParams = {
        "name": organization.name,
        "metadata": {"organization": str(organization.public_id)},
    }
    if isinstance(actor, User) and actor.email:
        params["email"] = actor.email
    customer = stripe_api.client().v1.customers.create(params=params)
    account.stripe_customer_id = customer.id
    account.save(update_fields=["stripe_customer_id"])
    return customer.id


def seats_needed(organization: Organization) -> int:
    return max(1, Membership.objects.filter(organization=organization).count())


def checkout_start(*, organization: Organization, plan: str, actor: Principal, return_url: str) -> str:
    """Open a Stripe Checkout session to subscribe to ``plan``; its URL, where the browser goes next."""
    _require_on()
    _require_manager(actor, organization)
    price = stripe_api.price_of(plan) if plan in PLANS else ""
    if not price:
        raise InvalidInput(f"There is no plan {plan!r} to subscribe to; choose one of the plans shown.")
    account = account_for(organization)
    if account.status in OPEN_STATUSES:
        raise Conflict("This organization already has a subscription; change it in the customer portal.")
    quantity = seats_needed(organization) if PLANS[plan].per_seat else 1
    session = stripe_api.client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": _customer(account, actor),
            "client_reference_id": str(organization.public_id),
            "line_items": [{"price": price, "quantity": quantity}],
            "subscription_data": {"metadata": {"organization": str(organization.public_id)}},
            "success_url": return_url + "?checkout=done",
            "cancel_url": return_url,
        }
    )
    return str(session.url)


def portal_start(*, organization: Organization, actor: Principal, return_url: str) -> str:
    """Open the Stripe Customer Portal (plan, payment method, cancel, invoices); its URL."""
    _require_on()
    _require_manager(actor, organization)
    account = account_for(organization)
    if not account.stripe_customer_id:
        raise Conflict("Subscribe to a plan first; the portal manages an existing subscription.")
    session = stripe_api.client().v1.billing_portal.sessions.create(
        params={"customer": account.stripe_customer_id, "return_url": return_url}
    )
    return str(session.url)


# --- State from Stripe ---------------------------------------------------------------


def _current_subscription(customer_id: str) -> stripe_api.StripeObject | None:
    """The customer's subscription that counts: an open one first, else the latest."""
    found = stripe_api.client().v1.subscriptions.list(params={"customer": customer_id, "status": "all", "limit": 20})
    subscriptions = [subscription.to_dict() for subscription in found.data]
    subscriptions.sort(key=lambda s: (s.get("status") in OPEN_STATUSES, s.get("created") or 0), reverse=True)
    return subscriptions[0] if subscriptions else None


def _apply(account: BillingAccount, subscription: stripe_api.StripeObject | None) -> None:
    if subscription is None:
        account.stripe_subscription_id, account.plan, account.status = "", FREE, ""
        account.current_period_end, account.cancel_at_period_end, account.seats = None, False, 0
    else:
        item = stripe_api.first_item(subscription)
        account.stripe_subscription_id = str(subscription["id"])
        account.plan = stripe_api.plan_of_price(stripe_api.price_id_of(item)) or FREE
        account.status = str(subscription.get("status") or "")
        account.current_period_end = stripe_api.period_end_of(subscription)
        account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        account.seats = int(item.get("quantity") or 0)
    if account.status in DUNNING_STATUSES:
        account.past_due_since = account.past_due_since or timezone.now()
    else:
        account.past_due_since = account.read_only_notified_at = None


def account_sync(*, account: BillingAccount) -> BillingAccount:
    """Read the organization's subscription from Stripe and store its state; idempotent, whatever came before."""
    if not account.stripe_customer_id:
        return account
    subscription = _current_subscription(account.stripe_customer_id)  # outside the transaction: a network call
    with transaction.atomic():
        return _store_state(account.pk, subscription)


def _store_state(account_pk: int, subscription: stripe_api.StripeObject | None) -> BillingAccount:
    account = BillingAccount.objects.select_for_update().select_related("organization").get(pk=account_pk)
    before = [getattr(account, name) for name in SYNCED_FIELDS if name != "synced_at"]
    was_dunning = account.past_due_since is not None
    _apply(account, subscription)
    account.synced_at = timezone.now()
    account.save(update_fields=[*SYNCED_FIELDS, "read_only_notified_at"])
    if before != [getattr(account, name) for name in SYNCED_FIELDS if name != "synced_at"]:
        billing_changed(organization_public_id=account.organization.public_id)
        if account.past_due_since is not None and not was_dunning:
            notify_owners(account=account, template="payment_failed")
    if subscription is not None and PLANS[account.plan].per_seat:
        send_on_commit(sync_seats, account.organization_id)
    return account


# --- Webhook events ------------------------------------------------------------------


def event_receive(*, payload: bytes, signature: str) -> StripeEvent | None:
    """Verify a webhook delivery with Stripe's SDK and store it once; None if it was already stored.

    Raises ValueError or stripe.SignatureVerificationError for a delivery not from Stripe.
    """
    event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    with transaction.atomic():
        stored, created = StripeEvent.objects.get_or_create(
            stripe_id=event.id, defaults={"type": event.type, "payload": event.to_dict()}
        )
        if created:
            send_on_commit(process_event, stored.pk)
    return stored if created else None


def _account_of_event(payload: stripe_api.StripeObject) -> BillingAccount | None:
    obj = payload.get("data", {}).get("object", {})
    customer = obj.get("customer")
    customer_id = customer.get("id") if isinstance(customer, dict) else customer
    if not customer_id:
        return None
    account = BillingAccount.objects.filter(stripe_customer_id=customer_id).first()
    reference = obj.get("client_reference_id") if payload.get("type") == "checkout.session.completed" else None
    if account is None and reference:  # a customer Checkout created: link it to the organization
        organization = Organization.objects.filter(public_id=reference).first()
        if organization is not None:
            account = account_for(organization)
            account.stripe_customer_id = customer_id
            account.save(update_fields=["stripe_customer_id"])
    return account


HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


@transaction.atomic
def event_process(*, event_id: int) -> None:
    """Apply a stored event: every handled type re-reads the customer's subscription from Stripe."""
    event = StripeEvent.objects.select_for_update().get(pk=event_id)
    if event.processed_at is not None:
        return
    if event.type in HANDLED_EVENTS:
        account = _account_of_event(event.payload)
        if account is None:
            logger.warning("Stripe event %s names no customer of ours", event.stripe_id)
        else:
            account_sync(account=account)
    event.processed_at = timezone.now()
    event.save(update_fields=["processed_at"])


# --- Seats and dunning ---------------------------------------------------------------


def seats_sync(*, organization_id: int) -> None:
    """Keep a per-seat subscription's quantity equal to the number of members."""
    account = BillingAccount.objects.select_related("organization").filter(organization_id=organization_id).first()
    if account is None or account.status not in OPEN_STATUSES or not PLANS[account.plan].per_seat:
        return
    seats = seats_needed(account.organization)
    if seats == account.seats:
        return
    api = stripe_api.client().v1.subscriptions
    subscription = api.retrieve(account.stripe_subscription_id).to_dict()
    item = stripe_api.first_item(subscription)
    api.update(account.stripe_subscription_id, params={"items": [{"id": item["id"], "quantity": seats}]})
    BillingAccount.objects.filter(pk=account.pk).update(seats=seats)


def billing_mail(*, account: BillingAccount, template: str, to: list[str]) -> EmailMultiAlternatives:
    """One of billing's mails (``payment_failed``, ``read_only``), not yet sent; its HTML part is made when queued."""
    context = {
        "organization": account.organization,
        "account": account,
        "plan": PLANS[account.plan],
        "grace_days": settings.BILLING_GRACE_DAYS,
        "project_name": settings.PROJECT_NAME,
    }
    subject, body = render_to_string(f"billing/email/{template}.txt", context).split("\n", 1)
    return EmailMultiAlternatives(subject=subject.strip(), body=body.lstrip(), to=to)


def notify_owners(*, account: BillingAccount, template: str) -> None:
    """Mail the organization's owners (queued; it leaves when the transaction commits)."""
    owners = Membership.objects.filter(organization=account.organization, role=Role.OWNER).select_related("user")
    for membership in owners:
        billing_mail(account=account, template=template, to=[membership.user.email]).send()


def read_only_notify() -> int:
    """Mail the owners of organizations whose grace period just ended; how many were told."""
    cutoff = timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS)
    told = 0
    for account in BillingAccount.objects.select_related("organization").filter(
        past_due_since__lte=cutoff, read_only_notified_at__isnull=True
    ):
        with transaction.atomic():
            notify_owners(account=account, template="read_only")
            BillingAccount.objects.filter(pk=account.pk).update(read_only_notified_at=timezone.now())
        told += 1
    return told


# --- Jobs (on the billing queue) -------------------------------------------------------


@actor(queue_name="billing", max_retries=8, time_limit=60_000)
def process_event(event_id: int) -> None:
    """Apply a stored Stripe event (event_process); a retry re-reads Stripe, so it is safe."""
    if not isinstance(event_id, int):
        raise InvalidPayload(f"event_id must be an integer, got {event_id!r}")
    event_process(event_id=event_id)


@actor(queue_name="billing", max_retries=8, time_limit=60_000)
def sync_seats(organization_id: int) -> None:
    """Set a per-seat subscription's quantity to the number of members."""
    if not isinstance(organization_id, int):
        raise InvalidPayload(f"organization_id must be an integer, got {organization_id!r}")
    seats_sync(organization_id=organization_id)
