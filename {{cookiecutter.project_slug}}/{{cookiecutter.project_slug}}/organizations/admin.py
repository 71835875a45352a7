from django.contrib import admin

from .models import Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "public_id", "created_at")
    search_fields = ("name", "public_id")
    readonly_fields = ("public_id", "created_at")
    inlines = (MembershipInline,)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "organization", "role", "sent_at", "expires_at", "accepted_at", "revoked_at")
    search_fields = ("email",)
    readonly_fields = ("public_id", "token_hash", "created_at", "sent_at", "accepted_at", "accepted_by", "revoked_at")
    raw_id_fields = ("organization", "invited_by")
