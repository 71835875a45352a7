"""/api/<version>/...: every version serves the same views; DRF puts the version in request.version.

Each app that serves API endpoints names its URL module in its AppConfig (``api_urls``);
they are mounted here in the order of INSTALLED_APPS, so this machinery names no app.
"""

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path, re_path

from . import views
from .versions import VERSIONS

VERSION = "|".join(VERSIONS.names)


def app_endpoints() -> list[URLPattern | URLResolver]:
    """The API URL modules the installed apps declare (``AppConfig.api_urls``)."""
    modules = [getattr(config, "api_urls", None) for config in apps.get_app_configs()]
    return [path("", include(module)) for module in modules if module]


endpoints: list[URLPattern | URLResolver] = [
    *app_endpoints(),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", views.DocsView.as_view(), name="api-docs"),
]

urlpatterns = [
    re_path(rf"^(?P<version>{VERSION})/", include(endpoints)),
    re_path(r"^", views.not_found),
]
