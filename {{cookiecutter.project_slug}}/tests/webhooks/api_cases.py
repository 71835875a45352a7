"""Webhooks' API endpoints for the platform's API-wide tests (tests/api/cases.py)."""

from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.webhooks.models import WebhookEndpoint
from {{ cookiecutter.project_slug }}.webhooks.selectors import DELIVERY_ORDERINGS, ENDPOINT_ORDERINGS

from tests.api.cases import SECRET, Operation

ENDPOINTS = "organizations/{organization_id}/webhooks/"
DELIVERIES = "organizations/{organization_id}/webhooks/{endpoint_id}/deliveries/"
OPERATIONS: list[Operation] = [("GET", ENDPOINTS, None), ("GET", DELIVERIES, None)]
URL = "https://hooks.example.com/their-secret"


def make(organization: Organization) -> dict[str, str]:
    endpoint = WebhookEndpoint.objects.create(
        organization=organization, url=URL, event_types=["member.added"], secret="whsec_x", description=SECRET
    )
    return {"endpoint_id": str(endpoint.public_id)}


def unchanged(ids: dict[str, str]) -> bool:
    return WebhookEndpoint.objects.filter(public_id=ids["endpoint_id"], url=URL).exists()


def lists(version: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(ENDPOINTS, o, o, f) for o, f in ENDPOINT_ORDERINGS.items()] + [
        (DELIVERIES, o, o, f) for o, f in DELIVERY_ORDERINGS.items()
    ]
