"""The projects pages: thin views over the same services and selectors as the API, enhanced with htmx.

Each works as a plain form post without script; with htmx the list's search, ordering and pages swap the
table alone, a form shows its errors in place, and a deletion removes its row.
"""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError, NotFound, PermissionDenied
from {{ cookiecutter.project_slug }}.core.pages.htmx import htmx_target, is_htmx
from {{ cookiecutter.project_slug }}.organizations.models import Organization
from {{ cookiecutter.project_slug }}.organizations.permissions import permissions_for
from {{ cookiecutter.project_slug }}.organizations.selectors import organization_for_member
from {{ cookiecutter.project_slug }}.organizations.views import page_context

from . import selectors, services
from .forms import DEFAULT, ProjectForm, ProjectListForm
from .models import Project
from .permissions import ProjectPerm

PAGE_SIZE = 20


def _organization(request: HttpRequest, public_id: str, permission: ProjectPerm) -> tuple[Organization, bool]:
    """The organization (404 to a stranger), if the viewer holds ``permission``; and whether they may edit."""
    organization = organization_for_member(user=request.user, public_id=public_id)
    held = permissions_for(organization_public_id=organization.public_id, user_id=int(request.user.pk or 0))
    if permission not in held:
        raise PermissionDenied("You may not change projects in this organization.")
    return organization, ProjectPerm.EDIT in held


def _context(
    request: HttpRequest, organization: Organization, can_edit: bool, *, creating: bool = True, **extra: object
) -> dict[str, object]:
    """The organization page's context, with why the plan refuses a new project (counted only when it matters)."""
    refused = None
    if can_edit and creating:
        refused = selectors.creation_refused(organization_public_id=organization.public_id, principal=request.user)
    return page_context(request, organization, can_edit_projects=can_edit, create_refused=refused, **extra)


@login_required
@require_http_methods(["GET"])
def project_list(request: HttpRequest, public_id: str) -> HttpResponse:
    organization, can_edit = _organization(request, public_id, ProjectPerm.VIEW)
    query = ProjectListForm(request.GET)
    if not query.is_valid():
        context = _context(request, organization, can_edit, query=query, page=None)
        return render(request, "projects/list.html", context, status=400)
    ordering = query.cleaned_data["ordering"] or DEFAULT
    projects = selectors.projects_of(
        organization_public_id=organization.public_id, search=query.cleaned_data["q"]
    ).order_by(*selectors.ORDERINGS[ordering])
    try:
        page = Paginator(projects, PAGE_SIZE).page(query.cleaned_data["page"] or 1)
    except EmptyPage:
        raise NotFound("There is no such page of projects.") from None
    params = {key: value for key, value in (("q", query.cleaned_data["q"]), ("ordering", ordering)) if value}
    context = _context(request, organization, can_edit, query=query, page=page, params=params, ordering=ordering)
    # htmx asking for the table (search, ordering, pages) gets it alone; anything else, the page.
    template = "projects/_table.html" if htmx_target(request) == "projects" else "projects/list.html"
    return render(request, template, context)


def _form_page(
    request: HttpRequest, organization: Organization, form: ProjectForm, project: Project | None
) -> HttpResponse:
    """The form again, with its errors: the whole page (400) or, for htmx, the form alone (swapped in place)."""
    context = _context(request, organization, True, creating=project is None, form=form, project=project)
    if is_htmx(request):
        return render(request, "projects/_form.html", context)  # htmx swaps 2xx answers only
    return render(request, "projects/form.html", context, status=400 if form.errors else 200)


def _submit(
    request: HttpRequest,
    organization: Organization,
    form: ProjectForm,
    project: Project | None,
    save: Callable[..., Project],
) -> HttpResponse:
    """Save a valid posted form through ``save`` (a service) and go back to the list; else show the form again."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)  # the plan's limit, or a rule the form cannot see
        else:
            messages.success(request, f"{'Saved' if project else 'Created'} {saved.name}.")
            url = reverse("projects_page", args=[organization.public_id])
            if is_htmx(request):
                return HttpResponse(status=204, headers={"HX-Location": url})
            return redirect(url)
    return _form_page(request, organization, form, project)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, public_id: str) -> HttpResponse:
    organization, _ = _organization(request, public_id, ProjectPerm.EDIT)
    form = ProjectForm(request.POST or None)
    return _submit(
        request, organization, form, None, functools.partial(services.project_create, organization=organization)
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, public_id: str, project_id: str) -> HttpResponse:
    organization, _ = _organization(request, public_id, ProjectPerm.EDIT)
    project = selectors.project_in(organization_public_id=organization.public_id, public_id=project_id)
    initial = {field: getattr(project, field) for field in ProjectForm.base_fields}
    form = ProjectForm(request.POST or None, initial=initial)
    return _submit(request, organization, form, project, functools.partial(services.project_update, project=project))


@login_required
@require_POST
def project_delete(request: HttpRequest, public_id: str, project_id: str) -> HttpResponse:
    organization, _ = _organization(request, public_id, ProjectPerm.EDIT)
    project = selectors.project_in(organization_public_id=organization.public_id, public_id=project_id)
    services.project_delete(project=project, actor=request.user)
    messages.success(request, f"Deleted {project.name}.")
    if is_htmx(request):  # the row goes; the toasts come out of band
        return render(request, "components/toasts.html", {"oob": True})
    return redirect("projects_page", public_id=organization.public_id)
