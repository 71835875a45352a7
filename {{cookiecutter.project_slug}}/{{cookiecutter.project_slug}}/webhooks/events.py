"""The events an organization can subscribe its webhook endpoints to: what organizations announces, and a ping."""

from {{ cookiecutter.project_slug }}.organizations.events import EVENTS

EVENT_TYPES: dict[str, str] = {
    **{event.name: event.description for event in EVENTS},
    "webhook.ping": "A test event sent from the webhook's page.",
}
