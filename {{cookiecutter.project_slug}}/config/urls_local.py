"""The project's URLs plus the development tools' (config/settings/local.py sets this module when they are on)."""

from django.urls import include, path

from .urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    *urlpatterns,
    path("__debug__/", include("debug_toolbar.urls")),
    path("__reload__/", include("django_browser_reload.urls")),
]
