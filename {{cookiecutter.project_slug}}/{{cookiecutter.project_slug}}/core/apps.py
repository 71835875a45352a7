from django.apps import AppConfig
from django.core.signals import request_finished


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings

        from .middleware import clear_request_id
        from .tracing import init_tracing

        request_finished.connect(clear_request_id, dispatch_uid="core.clear_request_id")
        init_tracing(
            endpoint=settings.OTEL_EXPORTER_OTLP_ENDPOINT,
            service_name=settings.OTEL_SERVICE_NAME,
            environment=settings.SENTRY_ENVIRONMENT,
            release=settings.SENTRY_RELEASE,
            sample_ratio=settings.OTEL_TRACES_SAMPLE_PERCENT / 100,
        )
