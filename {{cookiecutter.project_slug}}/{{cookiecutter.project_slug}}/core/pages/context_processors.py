from django.conf import settings
from django.http import HttpRequest


def project(request: HttpRequest) -> dict[str, str]:
    return {"project_name": settings.PROJECT_NAME, "project_description": settings.PROJECT_DESCRIPTION}
