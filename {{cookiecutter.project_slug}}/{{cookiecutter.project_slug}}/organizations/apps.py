from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.organizations"
    label = "organizations"
