"""Widget: the smallest tenant resource, for the tests of the API machinery, tenancy and the database router.

Its one migration lives in tests/testapp/migrations (an unmigrated app could not point at a migrated one).
"""

from django.db import models

from {{ cookiecutter.project_slug }}.core.ids import uuid7
from {{ cookiecutter.project_slug }}.organizations.models import Organization


class Widget(models.Model):
    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
