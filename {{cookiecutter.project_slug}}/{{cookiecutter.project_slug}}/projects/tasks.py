"""Jobs of the projects app: the name_search backfill (docs/database.md, "A worked example")."""

from django.db.models import QuerySet

from {{ cookiecutter.project_slug }}.core.dbtools.backfill import backfill

from .models import Project, name_search_key

NAME_SEARCH_BACKFILL = "projects.project.name_search"


@backfill(NAME_SEARCH_BACKFILL, model=Project, batch_size=1000)
def fill_name_search(batch: QuerySet[Project]) -> int:
    """Fill name_search of the rows written before the expand release; rows already filled are left alone.

    The rows are locked until the batch commits, so a rename meanwhile (which writes
    name_search itself) waits, and is not overwritten with the old name's key.
    """
    projects = list(batch.filter(name_search__isnull=True).select_for_update().only("pk", "name"))
    for project in projects:
        project.name_search = name_search_key(project.name)
    return Project.objects.bulk_update(projects, ["name_search"])
