"""Webhook endpoints and their delivery log in the API (WEBHOOKS_SINCE on): read-only, for integrations to audit."""

from typing import ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from {{ cookiecutter.project_slug }}.api.pagination import PageBody
from {{ cookiecutter.project_slug }}.api.versioning import resource
from {{ cookiecutter.project_slug }}.api.versions import WEBHOOKS_SINCE
from {{ cookiecutter.project_slug }}.api.views import ApiView, ListQuerySerializer, paginated, since
from {{ cookiecutter.project_slug }}.organizations.permissions import Perm

from . import selectors
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

TAGS = ["webhooks"]
NEXT_CURSOR = "Pass as `cursor` for the next page; null at the end."


@resource("WebhookEndpoint")
class WebhookEndpointOutputSerializer(serializers.Serializer[WebhookEndpoint]):
    id = serializers.UUIDField(source="public_id")
    url = serializers.URLField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    disabled_reason = serializers.CharField(help_text="Why the endpoint was disabled; empty while it is active.")
    created_at = serializers.DateTimeField()


@resource("WebhookDelivery")
class WebhookDeliveryOutputSerializer(serializers.Serializer[WebhookDelivery]):
    id = serializers.UUIDField(source="public_id", help_text="The `webhook-id` header of every attempt.")
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=DeliveryStatus.values)
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


@resource("WebhookEndpointListQuery")
class WebhookEndpointListQuerySerializer(ListQuerySerializer):
    ordering = serializers.ChoiceField(choices=list(selectors.ENDPOINT_ORDERINGS), required=False, default="created_at")


@resource("WebhookDeliveryListQuery")
class WebhookDeliveryListQuerySerializer(ListQuerySerializer):
    ordering = serializers.ChoiceField(
        choices=list(selectors.DELIVERY_ORDERINGS), required=False, default="-created_at"
    )


@resource("WebhookEndpointPage")
class WebhookEndpointPageSerializer(serializers.Serializer[PageBody]):
    results = WebhookEndpointOutputSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null at the end."
    )


@resource("WebhookDeliveryPage")
class WebhookDeliveryPageSerializer(serializers.Serializer[PageBody]):
    results = WebhookDeliveryOutputSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null at the end."
    )


class WebhookEndpointListApi(ApiView):
    """The organization's webhook endpoints (the signing secret is only on the endpoint's page)."""

    versioning_class = since(WEBHOOKS_SINCE)
    required_permissions: ClassVar = {"GET": Perm.WEBHOOKS_MANAGE}

    @extend_schema(
        operation_id="webhook_endpoints_list",
        tags=TAGS,
        parameters=[WebhookEndpointListQuerySerializer],
        responses=WebhookEndpointPageSerializer,
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        query = self.query(WebhookEndpointListQuerySerializer)
        endpoints = selectors.endpoints_for_api(organization_public_id=self.organization_public_id)
        return self.page(WebhookEndpointOutputSerializer, paginated(endpoints, query, selectors.ENDPOINT_ORDERINGS))


class WebhookDeliveryListApi(ApiView):
    """The delivery log of one endpoint, newest first."""

    versioning_class = since(WEBHOOKS_SINCE)
    required_permissions: ClassVar = {"GET": Perm.WEBHOOKS_MANAGE}

    @extend_schema(
        operation_id="webhook_deliveries_list",
        tags=TAGS,
        parameters=[WebhookDeliveryListQuerySerializer],
        responses=WebhookDeliveryPageSerializer,
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        query = self.query(WebhookDeliveryListQuerySerializer)
        endpoint = selectors.endpoint_for_api(
            organization_public_id=self.organization_public_id, public_id=self.kwargs["endpoint_id"]
        )
        deliveries = selectors.deliveries_for_api(endpoint=endpoint)
        return self.page(WebhookDeliveryOutputSerializer, paginated(deliveries, query, selectors.DELIVERY_ORDERINGS))
