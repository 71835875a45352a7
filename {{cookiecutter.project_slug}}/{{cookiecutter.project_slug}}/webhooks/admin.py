from django.contrib import admin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("url", "organization", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("public_id", "secret", "created_at", "disabled_at")
    raw_id_fields = ("organization",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("event_type", "endpoint", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event_type")
    readonly_fields = ("public_id", "payload", "created_at", "delivered_at")
    raw_id_fields = ("endpoint",)
