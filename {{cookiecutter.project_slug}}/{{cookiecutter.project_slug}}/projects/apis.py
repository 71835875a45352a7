"""The projects endpoints: thin views over services and selectors, written for the newest API version."""

from typing import ClassVar

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from {{ cookiecutter.project_slug }}.api.fields import StrictCharField
from {{ cookiecutter.project_slug }}.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from {{ cookiecutter.project_slug }}.api.idempotency import idempotent
from {{ cookiecutter.project_slug }}.api.pagination import PageBody
from {{ cookiecutter.project_slug }}.api.versioning import resource
from {{ cookiecutter.project_slug }}.api.views import ApiView, ListQuerySerializer, paginated

from . import selectors, services
from .models import Project
from .permissions import ProjectPerm

TAGS = ["projects"]


@resource("Project")
class ProjectOutputSerializer(serializers.Serializer[Project]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    description = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@resource("ProjectCreateInput")
class ProjectCreateInputSerializer(serializers.Serializer[Project]):
    name = StrictCharField(max_length=100)
    description = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


@resource("ProjectUpdateInput")
class ProjectUpdateInputSerializer(serializers.Serializer[Project]):
    name = StrictCharField(max_length=100, required=False)
    description = StrictCharField(max_length=2000, required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


@resource("ProjectListQuery")
class ProjectListQuerySerializer(ListQuerySerializer):
    ordering = serializers.ChoiceField(choices=list(selectors.ORDERINGS), required=False, default="-created_at")
    name = StrictCharField(required=False, max_length=100, help_text="Only projects with exactly this name.")


@resource("ProjectPage")
class ProjectPageSerializer(serializers.Serializer[PageBody]):
    results = ProjectOutputSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null at the end."
    )


class ProjectListApi(ApiView):
    """The organization's projects, a page at a time; or a new project."""

    required_permissions: ClassVar = {"GET": ProjectPerm.VIEW, "POST": ProjectPerm.EDIT}

    @extend_schema(
        operation_id="projects_list",
        tags=TAGS,
        parameters=[ProjectListQuerySerializer],
        responses=ProjectPageSerializer,
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        query = self.query(ProjectListQuerySerializer)
        projects = selectors.projects_of(organization_public_id=self.organization_public_id, name=query.get("name"))
        return self.page(ProjectOutputSerializer, paginated(projects, query, selectors.ORDERINGS))

    @extend_schema(
        operation_id="projects_create",
        tags=TAGS,
        request=ProjectCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ProjectOutputSerializer},
    )
    @idempotent
    def post(self, request: Request, **kwargs: object) -> Response:
        data = self.input(ProjectCreateInputSerializer)
        organization = selectors.organization_of(public_id=self.organization_public_id)
        project = services.project_create(organization=organization, actor=request.user, **data)
        return self.output(ProjectOutputSerializer, project, status=201)


class ProjectDetailApi(ApiView):
    """One project of the organization."""

    required_permissions: ClassVar = {
        "GET": ProjectPerm.VIEW,
        "PATCH": ProjectPerm.EDIT,
        "DELETE": ProjectPerm.EDIT,
    }

    def project(self, *, with_organization: bool = True) -> Project:
        return selectors.project_in(
            organization_public_id=self.organization_public_id,
            public_id=self.kwargs["project_id"],
            with_organization=with_organization,
        )

    @extend_schema(operation_id="projects_retrieve", tags=TAGS, responses=ProjectOutputSerializer)
    def get(self, request: Request, **kwargs: object) -> Response:
        return self.output(ProjectOutputSerializer, self.project(with_organization=False))

    @extend_schema(
        operation_id="projects_update",
        tags=TAGS,
        request=ProjectUpdateInputSerializer,
        responses=ProjectOutputSerializer,
    )
    def patch(self, request: Request, **kwargs: object) -> Response:
        data = self.input(ProjectUpdateInputSerializer, partial=True)
        project = services.project_update(project=self.project(), actor=request.user, **data)
        return self.output(ProjectOutputSerializer, project)

    @extend_schema(operation_id="projects_delete", tags=TAGS, responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request: Request, **kwargs: object) -> Response:
        services.project_delete(project=self.project(), actor=request.user)
        return Response(status=204)
