from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.projects"
    label = "projects"
