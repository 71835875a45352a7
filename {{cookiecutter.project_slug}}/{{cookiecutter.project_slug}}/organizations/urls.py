from django.urls import path

from . import key_views, views

urlpatterns = [
    path("orgs/", views.organization_list, name="organization_list"),
    path("orgs/switch/", views.organization_switch, name="organization_switch"),
    path("orgs/<str:public_id>/", views.organization_detail, name="organization_detail"),
    path("orgs/<str:public_id>/settings/", views.organization_settings, name="organization_settings"),
    path("orgs/<str:public_id>/delete/", views.organization_delete, name="organization_delete"),
    path("orgs/<str:public_id>/members/", views.members, name="organization_members"),
    path("orgs/<str:public_id>/invitations/", views.invitations, name="organization_invitations"),
    path("orgs/<str:public_id>/api-keys/", key_views.api_keys, name="organization_api_keys"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
