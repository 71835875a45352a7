from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        from .db import checks, router
        from .middleware import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="core.clear_request_id")
        checks.register()
        if router.enabled():
            connection_created.connect(router.install_write_detection, dispatch_uid="core.db.write_detection")
