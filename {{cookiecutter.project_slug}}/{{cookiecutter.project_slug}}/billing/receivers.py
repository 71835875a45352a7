"""What billing does when the organizations app changes something (connected in BillingConfig.ready)."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core import events
from {{ cookiecutter.project_slug }}.core.jobs.sending import send_on_commit
from {{ cookiecutter.project_slug }}.organizations.events import InvitationRequested
from {{ cookiecutter.project_slug }}.organizations.models import Invitation, Membership, Organization

from .entitlements import billing_changed, limit_of, require_within
from .models import EntitlementOverride
from .plans import Limit
from .services import sync_seats


def membership_changed(sender: type[Membership], instance: Membership, **kwargs: object) -> None:
    """A member joined or left: a per-seat subscription follows (a job, after the commit)."""
    if settings.BILLING_ENABLED and (kwargs.get("created", True) or kwargs.get("signal") is post_delete):
        send_on_commit(sync_seats, instance.organization_id)


def invitation_checked(event: InvitationRequested) -> None:
    """Refuse an invitation beyond the plan's seats (members plus open invitations)."""
    organization = event.organization
    if limit_of(organization.public_id, Limit.SEATS) is None:
        return
    members = Membership.objects.filter(organization=organization).count()
    pending = Invitation.objects.filter(
        organization=organization, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).count()
    require_within(organization.public_id, Limit.SEATS, used=members + pending)


def override_changed(sender: type[EntitlementOverride], instance: EntitlementOverride, **kwargs: object) -> None:
    """An override saved or deleted (the admin, a shell): the organization's cached entitlements are dead."""
    public_id = Organization.objects.filter(pk=instance.organization_id).values_list("public_id", flat=True).first()
    if public_id is not None:
        billing_changed(organization_public_id=public_id)


def connect() -> None:
    uid = "billing.receivers"
    post_save.connect(membership_changed, sender=Membership, dispatch_uid=f"{uid}.membership_saved")
    post_delete.connect(membership_changed, sender=Membership, dispatch_uid=f"{uid}.membership_deleted")
    post_save.connect(override_changed, sender=EntitlementOverride, dispatch_uid=f"{uid}.override_saved")
    post_delete.connect(override_changed, sender=EntitlementOverride, dispatch_uid=f"{uid}.override_deleted")
    events.subscribe(InvitationRequested, invitation_checked)
