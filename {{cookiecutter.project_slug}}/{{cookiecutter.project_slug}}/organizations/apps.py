from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.organizations"
    label = "organizations"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.accounts.events import AccountDeleting
        from {{ cookiecutter.project_slug }}.core import events

        from . import invalidation  # models are ready only now
        from .services import organizations_leave_on_account_deletion

        invalidation.connect()
        events.subscribe(AccountDeleting, organizations_leave_on_account_deletion)
