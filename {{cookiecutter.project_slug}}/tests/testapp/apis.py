"""Widget endpoints, built like a product's: every API convention, none of the sample's domain.

Left out of the OpenAPI documents (``exclude=True``), so the committed contracts never see them.
"""

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from {{ cookiecutter.project_slug }}.api.fields import StrictCharField
from {{ cookiecutter.project_slug }}.api.idempotency import idempotent
from {{ cookiecutter.project_slug }}.api.versioning import resource
from {{ cookiecutter.project_slug }}.api.views import ApiView, ListQuerySerializer, paginated
from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, NotFound
from {{ cookiecutter.project_slug }}.organizations.models import Organization

from .models import Widget
from .permissions import WidgetPerm

ORDERINGS = {
    "created_at": ("public_id",),
    "-created_at": ("-public_id",),
    "name": ("name", "public_id"),
    "-name": ("-name", "-public_id"),
}


def widgets_of(*, organization_public_id: Any) -> QuerySet[Widget]:
    return Widget.objects.filter(organization__public_id=organization_public_id)


@resource("Widget")
class WidgetOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)


@resource("WidgetInput")
class WidgetInputSerializer(serializers.Serializer[Any]):
    name = StrictCharField(max_length=100)
    size = serializers.IntegerField(required=False, allow_null=True, min_value=0, default=None)


@resource("WidgetListQuery")
class WidgetListQuerySerializer(ListQuerySerializer):
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default="-created_at")


@extend_schema_view(get=extend_schema(exclude=True), post=extend_schema(exclude=True))
class WidgetListApi(ApiView):
    required_permissions: ClassVar = {"GET": WidgetPerm.VIEW, "POST": WidgetPerm.EDIT}

    def get(self, request: Request, **kwargs: Any) -> Response:
        query = self.query(WidgetListQuerySerializer)
        widgets = widgets_of(organization_public_id=self.organization_public_id)
        return self.page(WidgetOutputSerializer, paginated(widgets, query, ORDERINGS))

    @idempotent
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.input(WidgetInputSerializer)
        if data["name"] == "forbidden":
            raise InvalidInput("A widget cannot be called that.")
        with transaction.atomic():
            organization = Organization.objects.get(public_id=self.organization_public_id)
            widget = Widget.objects.create(organization=organization, **data)
        return self.output(WidgetOutputSerializer, widget, status=201)


@extend_schema_view(get=extend_schema(exclude=True), delete=extend_schema(exclude=True))
class WidgetDetailApi(ApiView):
    required_permissions: ClassVar = {"GET": WidgetPerm.VIEW, "DELETE": WidgetPerm.EDIT}

    def widget(self) -> Widget:
        widgets = widgets_of(organization_public_id=self.organization_public_id)
        widget = widgets.filter(public_id=self.kwargs["widget_id"]).first()
        if widget is None:
            raise NotFound("No such widget.")
        return widget

    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.output(WidgetOutputSerializer, self.widget())

    def delete(self, request: Request, **kwargs: Any) -> Response:
        self.widget().delete()
        return Response(status=204)
