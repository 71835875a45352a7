from django.urls import path

from . import views

# Mounted at the site's root by config/urls.py (ProjectsConfig.page_urls).
urlpatterns = [
    path("orgs/<str:public_id>/projects/", views.project_list, name="projects_page"),
    path("orgs/<str:public_id>/projects/new/", views.project_new, name="project_new"),
    path("orgs/<str:public_id>/projects/<str:project_id>/", views.project_edit, name="project_edit"),
    path("orgs/<str:public_id>/projects/<str:project_id>/delete/", views.project_delete, name="project_delete"),
]
