from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.api"
    label = "api"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.core import bodies

        from . import schema  # noqa: F401  (registers the OpenAPI extensions of our auth classes)
        from .errors import PREFIX, error_response

        bodies.register(PREFIX, error_response)
