"""The organization dashboard's usage against the plan: a template tag, so organizations never imports billing."""

from django import template
from django.template.context import Context

from {{ cookiecutter.project_slug }}.organizations.models import Organization

from ..entitlements import entitlements_of
from ..plans import PLANS
from ..usage import usage_of

register = template.Library()


@register.inclusion_tag("billing/_usage.html", takes_context=True)
def plan_usage(context: Context, organization: Organization) -> dict[str, object]:
    """Members against seats and each registered counter against its limit, from the cached entitlements."""
    if not isinstance(organization, Organization):
        raise template.TemplateSyntaxError("plan_usage takes an organization")
    request = context.get("request")
    principal = getattr(request, "user", None)
    plan = entitlements_of(organization.public_id, principal=principal).plan
    return {
        "organization": organization,
        "plan_name": PLANS[plan].name if plan in PLANS else plan,
        "rows": usage_of(organization, principal=principal),
        "can": context.get("can", {}),
    }
