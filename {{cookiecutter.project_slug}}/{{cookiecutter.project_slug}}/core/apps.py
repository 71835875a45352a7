from django.apps import AppConfig
from django.core.signals import request_finished


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        from .middleware import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="core.clear_request_id")
