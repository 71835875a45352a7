from django.apps import AppConfig, apps
from django.core.signals import request_finished
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def name_the_site(using: str = "default", **kwargs: object) -> None:
    """Give the default Site the product's name and domain: allauth puts them in every email.

    Runs after every migrate and after test flushes, after django.contrib.sites has
    created its "example.com" default.
    """
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.PROJECT_NAME}
    )


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings

        from . import requestcache
        from .db import router
        from .dbtools import checks
        from .middleware import clear_request_id
        from .observability.tracing import init_tracing

        request_finished.connect(clear_request_id, dispatch_uid="core.clear_request_id")
        request_finished.connect(requestcache.clear, dispatch_uid="core.clear_request_memo")
        # Run right after the sites app has created its "example.com" default.
        sites = apps.get_app_config("sites")
        post_migrate.connect(name_the_site, sender=sites, dispatch_uid="core.name_the_site")
        init_tracing(
            endpoint=settings.OTEL_EXPORTER_OTLP_ENDPOINT,
            service_name=settings.OTEL_SERVICE_NAME,
            environment=settings.SENTRY_ENVIRONMENT,
            release=settings.SENTRY_RELEASE,
            sample_ratio=settings.OTEL_TRACES_SAMPLE_PERCENT / 100,
        )
        checks.register()
        if router.enabled():
            connection_created.connect(router.install_write_detection, dispatch_uid="core.db.write_detection")
