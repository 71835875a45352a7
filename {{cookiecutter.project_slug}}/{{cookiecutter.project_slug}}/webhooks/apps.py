from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.webhooks"
    label = "webhooks"
    api_urls = "{{ cookiecutter.project_slug }}.webhooks.api_urls"  # mounted under /api/<version>/ (api.urls)

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.core import events
        from {{ cookiecutter.project_slug }}.organizations.events import OrganizationEvent

        from .services import deliver_organization_event

        events.subscribe(OrganizationEvent, deliver_organization_event)
