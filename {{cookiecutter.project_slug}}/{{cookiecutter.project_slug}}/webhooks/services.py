"""Writes to webhook endpoints, and emitting events to them."""

import json
from collections.abc import Mapping
from typing import TypedDict

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.exceptions import Conflict, InvalidInput, PermissionDenied
from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit
from {{ cookiecutter.project_slug }}.organizations.events import OrganizationEvent
from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission
from {{ cookiecutter.project_slug }}.organizations.principals import Principal

from . import http, signing
from .events import EVENT_TYPES
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .tasks import deliver_webhook, retry_policy

MAX_ENDPOINTS = 20


def _require(actor: Principal, organization: Organization) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=Perm.WEBHOOKS_MANAGE):
        raise PermissionDenied("Only owners and admins manage webhooks.")


def _clean(url: str, event_types: list[str]) -> tuple[str, list[str]]:
    url = url.strip()
    try:
        http.check_destination(
            url,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
            require_https=settings.WEBHOOKS_REQUIRE_HTTPS,
        )
    except http.UnsafeDestination as error:
        raise InvalidInput(f"This URL cannot receive webhooks: {error}.") from None
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(f"Unknown event types: {', '.join(unknown)}.")
    if not event_types:
        raise InvalidInput("Choose at least one event type.")
    return url, sorted(set(event_types))


@transaction.atomic
def endpoint_create(
    *, organization: Organization, url: str, event_types: list[str], description: str = "", actor: Principal
) -> WebhookEndpoint:
    _require(actor, organization)
    if organization.webhook_endpoints.count() >= MAX_ENDPOINTS:
        raise Conflict(f"An organization can have at most {MAX_ENDPOINTS} webhook endpoints.")
    url, event_types = _clean(url, event_types)
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        event_types=event_types,
        description=description.strip()[:200],
        secret=signing.new_secret(),
    )


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, event_types: list[str], description: str, actor: Principal
) -> WebhookEndpoint:
    _require(actor, endpoint.organization)
    endpoint.url, endpoint.event_types = _clean(url, event_types)
    endpoint.description = description.strip()[:200]
    endpoint.save(update_fields=["url", "event_types", "description"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: Principal) -> WebhookEndpoint:
    _require(actor, endpoint.organization)
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


@transaction.atomic
def endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool, actor: Principal) -> WebhookEndpoint:
    _require(actor, endpoint.organization)
    endpoint.is_active = active
    endpoint.consecutive_failures = 0
    endpoint.disabled_at = None if active else timezone.now()
    endpoint.disabled_reason = "" if active else "Disabled by a member."
    endpoint.save(update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: Principal) -> None:
    _require(actor, endpoint.organization)
    endpoint.delete()


class Payload(TypedDict):
    """The body every delivery sends (docs/jobs.md, outgoing webhooks)."""

    id: str
    type: str
    created_at: str
    organization: str
    data: object  # the event's data, as JSON


def _payload(delivery_id: str, organization: Organization, event_type: str, data: Mapping[str, object]) -> Payload:
    return {
        "id": delivery_id,
        "type": event_type,
        "created_at": timezone.now().isoformat(),
        "organization": str(organization.public_id),
        "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    }


def deliver_organization_event(event: OrganizationEvent) -> None:
    """Subscriber of ``OrganizationEvent`` (webhooks.apps): a delivery to each endpoint subscribed to it."""
    event_emit(organization=event.organization, event_type=event.name, data=event.data())


def event_emit(*, organization: Organization, event_type: str, data: Mapping[str, object]) -> list[WebhookDelivery]:
    """Record a delivery to every active endpoint subscribed to the event; each is sent after commit."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    deliveries = []
    for endpoint in organization.webhook_endpoints.filter(is_active=True):
        if event_type not in endpoint.event_types:
            continue
        delivery = WebhookDelivery(endpoint=endpoint, event_type=event_type, payload={})
        delivery.payload = _payload(str(delivery.public_id), organization, event_type, data)
        delivery.save()
        send_on_commit(deliver_webhook, delivery.pk, options=retry_policy())
        deliveries.append(delivery)
    return deliveries


@transaction.atomic
def endpoint_ping(*, endpoint: WebhookEndpoint, actor: Principal) -> WebhookDelivery:
    """Send a test event to one endpoint, whatever it subscribes to."""
    _require(actor, endpoint.organization)
    delivery = WebhookDelivery(endpoint=endpoint, event_type="webhook.ping", payload={})
    delivery.payload = _payload(str(delivery.public_id), endpoint.organization, "webhook.ping", {"ping": True})
    delivery.save()
    send_on_commit(deliver_webhook, delivery.pk, options=retry_policy())
    return delivery


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: Principal) -> WebhookDelivery:
    """Send a failed delivery again (same webhook-id, so receivers can dedupe)."""
    _require(actor, delivery.endpoint.organization)
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict("Only a failed delivery can be sent again.")
    if not delivery.endpoint.is_active:
        raise Conflict("Enable the endpoint first.")
    delivery.status = DeliveryStatus.PENDING
    delivery.save(update_fields=["status"])
    send_on_commit(deliver_webhook, delivery.pk, options=retry_policy())
    return delivery
