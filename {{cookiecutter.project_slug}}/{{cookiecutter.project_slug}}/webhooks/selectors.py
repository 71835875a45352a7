import uuid

from django.db.models import QuerySet

from {{ cookiecutter.project_slug }}.core.exceptions import NotFound
from {{ cookiecutter.project_slug }}.organizations.models import Organization

from .models import WebhookDelivery, WebhookEndpoint


def endpoints_of(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    return organization.webhook_endpoints.order_by("created_at")


def endpoint_in(*, organization: Organization, public_id: str) -> WebhookEndpoint:
    try:
        return organization.webhook_endpoints.select_related("organization").get(public_id=uuid.UUID(public_id))
    except (ValueError, WebhookEndpoint.DoesNotExist):
        raise NotFound("No such webhook endpoint in this organization.") from None


def recent_deliveries(*, endpoint: WebhookEndpoint, limit: int = 50) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.prefetch_related("attempt_log").order_by("-created_at")[:limit])


def delivery_in(*, endpoint: WebhookEndpoint, public_id: str) -> WebhookDelivery:
    try:
        return endpoint.deliveries.select_related("endpoint__organization").get(public_id=uuid.UUID(public_id))
    except (ValueError, WebhookDelivery.DoesNotExist):
        raise NotFound("No such delivery.") from None


# Keyset orderings of the API's lists (api.pagination): newest first, by indexed columns.
ENDPOINT_ORDERINGS: dict[str, tuple[str, ...]] = {"created_at": ("created_at", "public_id")}
DELIVERY_ORDERINGS: dict[str, tuple[str, ...]] = {"-created_at": ("-created_at", "-public_id")}


def endpoints_for_api(*, organization_public_id: uuid.UUID) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization__public_id=organization_public_id)


def endpoint_for_api(*, organization_public_id: uuid.UUID, public_id: uuid.UUID) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.get(organization__public_id=organization_public_id, public_id=public_id)
    except WebhookEndpoint.DoesNotExist:
        raise NotFound("No such webhook endpoint in this organization.") from None


def deliveries_for_api(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint)
