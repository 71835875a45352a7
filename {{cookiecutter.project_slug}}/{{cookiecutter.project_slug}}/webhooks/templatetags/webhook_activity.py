"""The organization dashboard's recent activity: the events its webhook endpoints were sent.

A template tag, so the organization pages show webhook data without the organizations
app importing this one.
"""

from django import template
from django.template.context import Context

from {{ cookiecutter.project_slug }}.organizations.models import Organization

from ..models import WebhookDelivery

register = template.Library()


@register.inclusion_tag("webhooks/_activity.html", takes_context=True)
def recent_activity(context: Context, organization: Organization, limit: int = 8) -> dict[str, object]:
    """The organization's latest deliveries (one query), newest first."""
    if not isinstance(organization, Organization) or not 0 < limit <= 50:
        raise template.TemplateSyntaxError("recent_activity takes an organization and a limit from 1 to 50")
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint__organization=organization)
        .select_related("endpoint")
        .order_by("-created_at")[:limit]
    )
    return {"deliveries": deliveries, "organization": organization, "can": context.get("can", {})}
