from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """A small tenant resource the platform's tests run on; installed only by config.settings.test."""

    name = "tests.testapp"
    label = "testapp"
    api_urls = "tests.testapp.api_urls"

    def ready(self) -> None:
        from . import permissions

        permissions.register()
