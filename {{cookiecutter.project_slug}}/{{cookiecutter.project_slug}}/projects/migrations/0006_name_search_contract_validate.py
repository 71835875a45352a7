# Deploy 3 of 3, contract, step 2: check the old rows against 0005's constraint. VALIDATE
# CONSTRAINT scans the table under a lock that lets reads and writes go on; it runs in a
# transaction of its own, not 0005's, which holds its brief exclusive lock to the end.
# SQLite (zero-service mode) added the constraint whole in 0005: nothing to do there.

from django.contrib.postgres.operations import ValidateConstraint
from django.db import migrations

from {{ cookiecutter.project_slug }}.core.dbtools.operations import OnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_name_search_contract_check"),
    ]

    operations = [
        OnPostgreSQL(ValidateConstraint("project", "projects_name_search_not_null")),
    ]
