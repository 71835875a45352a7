from django.contrib import admin

from .models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "organization", "starts_on", "ends_on", "created_at")
    search_fields = ("name", "public_id")
    readonly_fields = ("public_id", "created_at", "updated_at")
    raw_id_fields = ("organization",)
