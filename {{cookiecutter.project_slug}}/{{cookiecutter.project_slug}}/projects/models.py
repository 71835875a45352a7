"""Projects: the sample tenant resource that shows every API convention (docs/api.md)."""

from typing import ClassVar

from django.db import models
from django.db.models import F, Q

from {{ cookiecutter.project_slug }}.core.ids import uuid7
from {{ cookiecutter.project_slug }}.organizations.models import Organization


class Project(models.Model):
    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True, default="")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Every list is scoped to one organization and ordered by one of these keys
        # (public_id is a UUIDv7, so it orders by creation time): see selectors.ORDERINGS.
        indexes: ClassVar = [
            models.Index(fields=["organization", "public_id"], name="projects_org_created_idx"),
            models.Index(fields=["organization", "name", "public_id"], name="projects_org_name_idx"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="projects_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name
