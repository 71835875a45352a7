from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from {{ cookiecutter.project_slug }}.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("{{ cookiecutter.project_slug }}.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("", include("{{ cookiecutter.project_slug }}.organizations.urls")),
    path("", include("{{ cookiecutter.project_slug }}.webhooks.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
