from django.urls import path

from . import apis

# Mounted under /api/<version>/ by api.urls.
urlpatterns = [
    path("organizations/<uuid:organization_id>/webhooks/", apis.WebhookEndpointListApi.as_view(), name="webhooks"),
    path(
        "organizations/<uuid:organization_id>/webhooks/<uuid:endpoint_id>/deliveries/",
        apis.WebhookDeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
]
