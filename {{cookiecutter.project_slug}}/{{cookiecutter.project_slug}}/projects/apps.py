from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.projects"
    label = "projects"
    api_urls = "{{ cookiecutter.project_slug }}.projects.api_urls"  # mounted under /api/<version>/ (api.urls)
    page_urls = "{{ cookiecutter.project_slug }}.projects.page_urls"  # mounted at the site's root (config/urls.py)

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.billing.plans import Limit
        from {{ cookiecutter.project_slug }}.billing.usage import register_usage
        from {{ cookiecutter.project_slug }}.organizations.navigation import register_tab

        from . import permissions, selectors, versions

        permissions.register()
        versions.register()
        register_tab(
            label="Projects", url_name="projects_page", permission=permissions.ProjectPerm.VIEW, section="projects"
        )
        register_usage(limit=Limit.RESOURCES, noun="projects", count=selectors.project_count)
