from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.billing"
    label = "billing"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.organizations.permissions import register_cached_extra

        from . import (
            entitlements,
            receivers,
            tasks,  # noqa: F401  # declares the billing queue's actors
        )

        register_cached_extra(entitlements.EXTRA, entitlements.compute)
        receivers.connect()
