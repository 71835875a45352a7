"""What we keep of Stripe: one account per organization, the events received, and per-organization overrides.

Stripe holds the truth (customers, subscriptions, invoices); these rows hold the few
fields the product decides on, refreshed from Stripe by the webhook job and
``manage.py billing_sync``.
"""

from typing import ClassVar

from django.db import models

from {{ cookiecutter.project_slug }}.organizations.models import Organization

from .plans import FREE, PLANS, Feature, Limit


class BillingAccount(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="billing_account")
    stripe_customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, default="")
    plan = models.CharField(max_length=32, default=FREE, choices=[(code, plan.name) for code, plan in PLANS.items()])
    status = models.CharField(max_length=32, blank=True, default="", help_text="Stripe's subscription status.")
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    read_only_notified_at = models.DateTimeField(null=True, blank=True)
    seats = models.PositiveIntegerField(default=0, help_text="The subscription's quantity.")
    synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"billing of {self.organization_id}: {self.plan} ({self.status or 'none'})"


class StripeEvent(models.Model):
    """A webhook event, stored once by its Stripe id; a job processes it."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


OVERRIDE_KEYS = [(str(key), str(key)) for key in (*Feature, *Limit)]


class EntitlementOverride(models.Model):
    """A feature switched on or off, or a limit set, for one organization whatever its plan."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="entitlement_overrides")
    key = models.CharField(max_length=64, choices=OVERRIDE_KEYS)
    enabled = models.BooleanField(default=True, help_text="For a feature: on or off.")
    limit = models.PositiveIntegerField(null=True, blank=True, help_text="For a limit: the value; empty for none.")
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key"], name="billing_override_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} for {self.organization_id}"
