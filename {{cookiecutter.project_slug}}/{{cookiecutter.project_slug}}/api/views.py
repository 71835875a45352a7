"""The base of every versioned endpoint, and the endpoints every version has (schema, docs, 404)."""

import uuid
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.versioning import URLPathVersioning
from rest_framework.views import APIView

from .errors import body
from .fields import StrictCharField
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, PageBody, paginate
from .permissions import OrganizationPermission
from .versioning import resource_of
from .versions import VERSIONS


class VersionNotServed(exceptions.NotFound, exceptions.NotAcceptable):
    """A 404 for clients; drf-spectacular reads it as "not in this version" and leaves the endpoint out."""

    default_detail = "This endpoint does not exist in this version of the API."


class PathVersioning(URLPathVersioning):
    """The version is the URL's first segment after /api/; api.urls only routes known versions."""

    default_version = VERSIONS.latest.name
    allowed_versions = VERSIONS.names

    def determine_version(self, request: Request, *args: object, **kwargs: object) -> str:
        version = kwargs.get(self.version_param, self.default_version)
        if not isinstance(version, str) or version not in self.allowed_versions:
            raise VersionNotServed()
        return version


def since(version: str) -> type[PathVersioning]:
    """Serve an endpoint from ``version`` on: ``versioning_class = since("v3")``. Older versions never see it."""
    names = VERSIONS.names[: VERSIONS.names.index(version) + 1]
    return type(f"Since{version.upper()}", (PathVersioning,), {"allowed_versions": names})


# Validating a list's query parameters is pure (no query), and costs a tenth of a millisecond
# with a DRF serializer: valid ones without a cursor are remembered by this process.
_valid_queries: dict[tuple[object, ...], dict[str, Any]] = {}
MAX_REMEMBERED_QUERIES = 1000


class ApiView(APIView):
    """An endpoint written once, for the newest version; older versions are translated (api.versioning).

    Subclasses set ``required_permissions`` ({"GET": Perm..., "POST": ...}) and
    use ``input``/``query`` to read and ``output``/``page`` to answer, so that
    every version's requests, responses and errors are translated for them.
    """

    versioning_class = PathVersioning
    permission_classes = [OrganizationPermission]
    http_method_names = ["get", "post", "patch", "delete", "head"]  # no OPTIONS metadata
    required_permissions: ClassVar[dict[str, str]] = {}

    @property
    def organization_public_id(self) -> uuid.UUID:
        organization_id: uuid.UUID = self.kwargs["organization_id"]  # the URL's <uuid:...> converter parsed it
        return organization_id

    @property
    def version(self) -> str:
        return str(self.request.version)

    def input[T](self, serializer_class: type[serializers.Serializer[T]], *, partial: bool = False) -> dict[str, Any]:
        """The request body, translated to the newest version and validated."""
        resource = resource_of(serializer_class)
        self.request.api_resource = resource  # type: ignore[attr-defined]  # names errors in the client's terms
        data = self.request.data
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        serializer = serializer_class(data=VERSIONS.request_up(self.version, resource, data), partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def query[T](self, serializer_class: type[serializers.Serializer[T]]) -> dict[str, Any]:
        """The query parameters, translated to the newest version and validated."""
        resource = resource_of(serializer_class)
        self.request.api_resource = resource  # type: ignore[attr-defined]
        params = VERSIONS.query_up(self.version, resource, self.request.query_params.dict())
        key = (serializer_class, tuple(sorted(params.items())))
        known = _valid_queries.get(key)
        if known is None:
            serializer = serializer_class(data=params)
            serializer.is_valid(raise_exception=True)
            known = dict(serializer.validated_data)
            if "cursor" not in params:  # a cursor is asked for once; a first page again and again
                if len(_valid_queries) >= MAX_REMEMBERED_QUERIES:
                    _valid_queries.clear()
                _valid_queries[key] = known
        return dict(known)

    def output[T](self, serializer_class: type[serializers.Serializer[T]], instance: T, status: int = 200) -> Response:
        data = serializer_class(instance).data
        return Response(VERSIONS.response_down(self.version, resource_of(serializer_class), data), status)

    def page[T: Model](self, serializer_class: type[serializers.Serializer[T]], page: Page[T]) -> Response:
        resource, version = resource_of(serializer_class), self.version
        items = serializer_class(page.items, many=True).data  # type: ignore[arg-type]  # many=True takes a list
        results = [VERSIONS.response_down(version, resource, item) for item in items]
        return Response(PageBody(results=results, next_cursor=page.next_cursor))


class ListQuerySerializer(serializers.Serializer[None]):
    """Cursor and page size: the base of every list's query serializer.

    Its validation must not depend on anything but the parameters: ``ApiView.query`` remembers the result.
    """

    cursor = StrictCharField(required=False, max_length=500, help_text="`next_cursor` of the previous page.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


def paginated[T: Model](queryset: QuerySet[T], query: dict[str, Any], orderings: dict[str, tuple[str, ...]]) -> Page[T]:
    ordering = query["ordering"]
    return paginate(
        queryset, fields=orderings[ordering], ordering=ordering, cursor=query.get("cursor"), limit=query["limit"]
    )


class SchemaView(SpectacularAPIView):
    """The OpenAPI document of the version in the URL."""

    versioning_class = PathVersioning
    http_method_names = ["get", "head"]  # DRF's OPTIONS metadata cannot be rendered as a schema


class DocsView(SpectacularSwaggerView):
    """Interactive documentation of the version in the URL."""

    versioning_class = PathVersioning
    url_name = "api-schema"
    http_method_names = ["get", "head"]  # DRF's OPTIONS metadata cannot be rendered as the docs page (a 500)
    template_name = "api/docs.html"  # drf-spectacular's page with CSP nonces


@csrf_exempt  # nothing to protect, and a CSRF refusal would be an HTML page
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any other path under /api/: the one error shape, even with DEBUG on."""
    message = f"There is no such endpoint; see /api/{VERSIONS.latest.name}/docs/."
    return JsonResponse(body(status=404, code="not_found", message=message), status=404)
