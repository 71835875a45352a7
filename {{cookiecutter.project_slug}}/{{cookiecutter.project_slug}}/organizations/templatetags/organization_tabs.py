"""The tabs apps registered (organizations.navigation), for organizations/_nav.html."""

from django import template
from django.template.context import Context
from django.urls import reverse

from ..models import Organization
from ..navigation import registered_tabs
from ..permissions import permissions_for

register = template.Library()


@register.inclusion_tag("organizations/_app_tabs.html", takes_context=True)
def app_tabs(context: Context, organization: Organization) -> dict[str, object]:
    """The registered tabs the viewer may open (the permission set is cached: no query when warm)."""
    request = context["request"]
    held = permissions_for(organization_public_id=organization.public_id, user_id=int(request.user.pk or 0))
    prefix = f"/orgs/{organization.public_id}/"
    section = request.path[len(prefix) :].split("/", 1)[0] if request.path.startswith(prefix) else ""
    links = [
        {
            "label": tab.label,
            "url": reverse(tab.url_name, args=[organization.public_id]),
            "current": section == tab.section,
        }
        for tab in registered_tabs()
        if tab.permission in held
    ]
    return {"links": links}
