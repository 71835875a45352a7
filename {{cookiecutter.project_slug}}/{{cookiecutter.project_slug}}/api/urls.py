"""/api/<version>/...: every version serves the same views; DRF puts the version in request.version."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from . import views
from .versions import VERSIONS

VERSION = "|".join(VERSIONS.names)

endpoints: list[URLPattern | URLResolver] = [
    path("", include("{{ cookiecutter.project_slug }}.projects.urls")),
    path("", include("{{ cookiecutter.project_slug }}.webhooks.api_urls")),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", views.DocsView.as_view(), name="api-docs"),
]

urlpatterns = [
    re_path(rf"^(?P<version>{VERSION})/", include(endpoints)),
    re_path(r"^", views.not_found),
]
