import contextlib
import uuid

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .models import Project, name_search_key


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "organization", "starts_on", "ends_on", "created_at")
    search_fields = ("name_search",)  # shows the search box; get_search_results does the search
    search_help_text = "The start of a project's name (case, accents and spacing ignored), or its id."
    readonly_fields = ("public_id", "created_at", "updated_at")
    raw_id_fields = ("organization",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Project], search_term: str
    ) -> tuple[QuerySet[Project], bool]:
        """Projects whose name starts with the term, on the name_search index; or the one with this id."""
        key = name_search_key(search_term)
        if not key:
            return queryset, False
        found = Q(name_search__startswith=key)
        with contextlib.suppress(ValueError):
            found |= Q(public_id=uuid.UUID(search_term.strip()))
        return queryset.filter(found), False

    def save_model(self, request: HttpRequest, obj: Project, form: "forms.ModelForm[Project]", change: bool) -> None:
        obj.name_search = name_search_key(obj.name)  # as the services do
        super().save_model(request, obj, form, change)
