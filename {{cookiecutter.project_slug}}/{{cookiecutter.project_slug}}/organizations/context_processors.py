from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors
from .views import SESSION_KEY


def organizations(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's organizations for the switcher, queried only if a page shows them."""
    user = getattr(request, "user", None)  # absent on an error page for a request no middleware accepted
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": SimpleLazyObject(lambda: list(selectors.memberships_of_user(user=user))),
        "current_organization_id": request.session.get(SESSION_KEY, ""),
    }
