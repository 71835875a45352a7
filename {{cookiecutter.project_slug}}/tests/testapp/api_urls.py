from django.urls import path

from . import apis

# Mounted under /api/<version>/ by api.urls (TestAppConfig.api_urls).
urlpatterns = [
    path("organizations/<uuid:organization_id>/widgets/", apis.WidgetListApi.as_view(), name="widgets"),
    path(
        "organizations/<uuid:organization_id>/widgets/<uuid:widget_id>/",
        apis.WidgetDetailApi.as_view(),
        name="widget",
    ),
]
