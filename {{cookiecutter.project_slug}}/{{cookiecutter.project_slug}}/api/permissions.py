"""The one DRF permission class: it asks organizations.permissions.has_permission, nothing else."""

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from {{ cookiecutter.project_slug }}.organizations.permissions import Perm, has_permission


class OrganizationPermission(BasePermission):
    """The view's ``required_permissions[method]`` in the organization of the URL.

    Anonymous: 401. Not in the organization (or an API key of another one): 404,
    exactly as for an organization that does not exist. In it without the
    permission: 403. The answers are cached, so a warm check costs no query.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.user is None or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        method = "GET" if request.method == "HEAD" else str(request.method)
        needed = view.required_permissions.get(method)
        if needed is None:
            return True  # a method the view does not have: the view answers 405
        organization = view.organization_public_id
        if has_permission(user=request.user, organization_public_id=organization, permission=needed):
            return True
        if not has_permission(
            user=request.user, organization_public_id=organization, permission=Perm.ORGANIZATION_VIEW
        ):
            raise exceptions.NotFound("No such organization.")
        raise exceptions.PermissionDenied("You do not have permission to do that in this organization.")
