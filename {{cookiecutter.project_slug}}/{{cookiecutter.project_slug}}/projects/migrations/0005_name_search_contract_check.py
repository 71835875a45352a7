# Deploy 3 of 3, contract, step 1: refuse to go on while any project lacks name_search
# (the backfill of deploy 2 has not finished); then add CHECK (name_search IS NOT NULL)
# NOT VALID. NOT VALID checks new and changed rows only, so adding it takes its lock for
# a moment and scans nothing; 0006 validates the old rows in a transaction of its own.

from django.contrib.postgres.operations import AddConstraintNotValid
from django.core.management import CommandError
from django.db import migrations, models

from {{ cookiecutter.project_slug }}.core.dbtools.operations import OnPostgreSQL

NOT_NULL = models.CheckConstraint(condition=models.Q(name_search__isnull=False), name="projects_name_search_not_null")


def refuse_unless_backfilled(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    unfilled = Project.objects.using(schema_editor.connection.alias).filter(name_search__isnull=True).count()
    if unfilled:
        raise CommandError(
            f"{unfilled} project(s) have no name_search yet: the backfill 'projects.project.name_search', "
            "started by migration projects.0004, has not finished. Nothing was changed. Make sure job workers "
            "are running and wait for it, or start it again (docs/database.md, \"A worked example\"); "
            "then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_name_search_backfill"),
    ]

    operations = [
        migrations.RunPython(refuse_unless_backfilled, migrations.RunPython.noop),
        OnPostgreSQL(AddConstraintNotValid("project", NOT_NULL), otherwise=migrations.AddConstraint("project", NOT_NULL)),
    ]
