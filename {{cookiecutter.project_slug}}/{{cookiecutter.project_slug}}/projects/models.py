"""Projects: the sample tenant resource that shows every API convention (docs/api.md)."""

import unicodedata
from typing import ClassVar

from django.db import models
from django.db.models import F, Q

from {{ cookiecutter.project_slug }}.core.ids import uuid7
from {{ cookiecutter.project_slug }}.organizations.models import Organization

NAME_SEARCH_MAX_LENGTH = 200


def name_search_key(name: str) -> str:
    """Fold a name the way searches compare it: case, accents, compatibility forms and spacing ignored.

    "  Café   ÉTÉ " and "cafe ete" fold alike, as do "Straße" and "STRASSE", and "ﬁle" and "file".
    Neither SQLite's lower() (ASCII only) nor PostgreSQL's folds like this, so the key is
    computed here and stored. Cut to NAME_SEARCH_MAX_LENGTH: a few characters unfold into
    many, and the key must stay small enough for its index.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    bare = "".join(character for character in folded if not unicodedata.combining(character))
    return " ".join(bare.split())[:NAME_SEARCH_MAX_LENGTH]


class Project(models.Model):
    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=100)
    # name_search_key(name), written by the services with the name; what the admin's search matches
    # (docs/database.md, "A worked example"). default=None rather than a CharField's implicit "":
    # a row written without its key fails (NOT NULL) instead of storing an empty one.
    name_search = models.CharField(max_length=NAME_SEARCH_MAX_LENGTH, editable=False, default=None)
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
            # name_search LIKE 'prefix%' (the admin's search), whatever the database's collation.
            models.Index(fields=["name_search"], name="projects_name_search_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="projects_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name
