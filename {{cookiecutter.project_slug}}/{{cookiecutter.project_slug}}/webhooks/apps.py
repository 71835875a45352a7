from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.webhooks"
    label = "webhooks"
