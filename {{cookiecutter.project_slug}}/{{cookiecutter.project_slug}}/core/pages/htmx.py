"""Pages enhanced with htmx (docs/frontend.md): django-htmx's middleware tells a view who asked."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request, so the view answers with a fragment rather than a whole page."""
    details: HtmxDetails | None = getattr(request, "htmx", None)
    return bool(details)


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element htmx will swap (its hx-target), or None: a view answers that element alone."""
    details: HtmxDetails | None = getattr(request, "htmx", None)
    return details.target if details else None
