# Deploy 1 of 3, expand: the index of the admin's name search, built without blocking writes.
# CREATE INDEX CONCURRENTLY cannot run in a transaction (atomic = False) and is PostgreSQL's
# own: zero-service mode's SQLite gets a plain index.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

from {{ cookiecutter.project_slug }}.core.dbtools.operations import OnPostgreSQL

INDEX = models.Index(fields=["name_search"], name="projects_name_search_idx", opclasses=["varchar_pattern_ops"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("projects", "0002_name_search_expand"),
    ]

    operations = [
        OnPostgreSQL(AddIndexConcurrently("project", INDEX), otherwise=migrations.AddIndex("project", INDEX)),
    ]
