# Deploy 2 of 3, backfill: fill name_search of the projects written before deploy 1, in
# batches, on the job workers (projects/tasks.py). It ships in its own release so that
# every worker already knows the backfill when the job arrives: started in deploy 1's
# release step, it could reach a worker of the release before, which would refuse it.
# The job runs after this migration commits; deploy 3 refuses to start before it is done.

from django.db import migrations


def start_name_search_backfill(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    if not Project.objects.using(schema_editor.connection.alias).filter(name_search__isnull=True).exists():
        return  # a new database, or one already filled: no job, and no need of the backfill's code
    from {{ cookiecutter.project_slug }}.core.dbtools.backfill import start_backfill
    from {{ cookiecutter.project_slug }}.projects.tasks import NAME_SEARCH_BACKFILL

    start_backfill(NAME_SEARCH_BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_name_search_expand_index"),
    ]

    operations = [
        migrations.RunPython(start_name_search_backfill, migrations.RunPython.noop, elidable=True),
    ]
