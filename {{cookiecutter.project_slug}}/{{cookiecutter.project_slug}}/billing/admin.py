"""Billing in the admin: each organization's state (read from Stripe, so read-only here), overrides, events.

Saving or deleting an override invalidates the cached entitlements (billing.receivers).
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import BillingAccount, EntitlementOverride, StripeEvent
from .services import SYNCED_FIELDS, account_sync


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["organization", "plan", "status", "current_period_end", "cancel_at_period_end", "seats"]
    list_filter = ["plan", "status", "cancel_at_period_end"]
    search_fields = ["organization__name", "stripe_customer_id", "stripe_subscription_id"]
    readonly_fields = ["organization", *SYNCED_FIELDS, "read_only_notified_at"]
    actions = ["sync_from_stripe"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made when an owner first subscribes; the state comes from Stripe

    @admin.action(description="Sync from Stripe")
    def sync_from_stripe(self, request: HttpRequest, queryset: QuerySet[BillingAccount]) -> None:
        for account in queryset:
            account_sync(account=account)
        self.message_user(request, f"Synced {len(queryset)} accounts from Stripe.")


@admin.register(EntitlementOverride)
class EntitlementOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["organization", "key", "enabled", "limit", "note"]
    search_fields = ["organization__name", "key"]
    raw_id_fields = ["organization"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["stripe_id", "type", "received_at", "processed_at"]
    list_filter = ["type"]
    search_fields = ["stripe_id"]
    readonly_fields = ["stripe_id", "type", "payload", "received_at", "processed_at"]
