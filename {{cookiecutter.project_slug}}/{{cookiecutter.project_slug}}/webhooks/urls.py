from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<str:public_id>/webhooks/", views.endpoint_list, name="webhook_endpoints"),
    path("orgs/<str:public_id>/webhooks/<str:endpoint_id>/", views.endpoint_detail, name="webhook_endpoint"),
    path("orgs/<str:public_id>/webhooks/<str:endpoint_id>/action/", views.endpoint_action, name="webhook_action"),
]
