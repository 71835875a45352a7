from django.urls import path

from . import apis

# Mounted under /api/<version>/ by api.urls (ProjectsConfig.api_urls).
urlpatterns = [
    path("organizations/<uuid:organization_id>/projects/", apis.ProjectListApi.as_view(), name="projects"),
    path(
        "organizations/<uuid:organization_id>/projects/<uuid:project_id>/",
        apis.ProjectDetailApi.as_view(),
        name="project",
    ),
]
