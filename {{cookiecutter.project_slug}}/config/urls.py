from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views import defaults

from {{ cookiecutter.project_slug }}.api.errors import api_or_page
from {{ cookiecutter.project_slug }}.core.pages import views as core_views


def app_pages() -> list[URLPattern | URLResolver]:
    """The page URL modules the installed apps declare (``AppConfig.page_urls``), so this file names no feature app."""
    modules = [getattr(config, "page_urls", None) for config in apps.get_app_configs()]
    return [path("", include(module)) for module in modules if module]


urlpatterns = [
    # First: Django tries the patterns in order, and the API is the hot path (the pages' empty-prefix includes
    # below would each be tried before it). Nothing else is served under /api/.
    path("api/", include("{{ cookiecutter.project_slug }}.api.urls")),
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon),
    path("dev/emails/", core_views.email_previews, name="email_previews"),  # DEBUG only (404 otherwise)
    path("dev/emails/<slug:slug>.<str:part>", core_views.email_preview, name="email_preview"),
    path("accounts/", include("{{ cookiecutter.project_slug }}.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("{{ cookiecutter.project_slug }}.accounts.headless_urls")),  # before allauth's: same paths
    path("_allauth/", include("allauth.headless.urls")),
    path("", include("{{ cookiecutter.project_slug }}.organizations.urls")),
    path("", include("{{ cookiecutter.project_slug }}.webhooks.urls")),
    path("", include("{{ cookiecutter.project_slug }}.billing.urls")),
    *app_pages(),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Errors raised before a view runs: JSON in the API's one shape under /api/, pages elsewhere.
handler400 = api_or_page(400, "bad_request", "The request could not be understood.", defaults.bad_request)
handler403 = api_or_page(403, "permission_denied", "You may not do that.", defaults.permission_denied)
handler404 = api_or_page(404, "not_found", "There is no such endpoint.", defaults.page_not_found)
handler500 = api_or_page(500, "server_error", "Something went wrong on our side.", defaults.server_error)
