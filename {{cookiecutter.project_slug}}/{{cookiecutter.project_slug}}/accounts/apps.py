from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.accounts"
    label = "accounts"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.core import bodies

        from . import ratelimits
        from .headless import PREFIX, error_response

        bodies.register(PREFIX, error_response)  # allauth's headless API reads JSON bodies
        ratelimits.install()
