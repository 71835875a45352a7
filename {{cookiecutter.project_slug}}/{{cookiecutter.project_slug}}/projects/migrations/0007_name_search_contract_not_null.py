# Deploy 3 of 3, contract, step 3: name_search becomes NOT NULL, and the check, which now
# says the same, goes. With 0006's validated check, PostgreSQL (12 and later) knows no row
# is NULL and skips the scan: the exclusive lock lasts a moment. The SQL is spelled out
# (SeparateDatabaseAndState) so that this step is exactly that statement; Django's state
# gets the same change. SQLite (zero-service mode) rebuilds its table as usual.

from django.db import migrations, models

from {{ cookiecutter.project_slug }}.core.dbtools.operations import OnPostgreSQL

NAME_SEARCH = models.CharField(default=None, editable=False, max_length=200)


class Migration(migrations.Migration):
    lint_exceptions = {
        "adding-not-nullable-field": "0006 validated CHECK (name_search IS NOT NULL), so SET NOT NULL scans nothing",
        "ban-drop-constraint": "the dropped check says what NOT NULL now says",
    }

    dependencies = [
        ("projects", "0006_name_search_contract_validate"),
    ]

    operations = [
        OnPostgreSQL(
            migrations.SeparateDatabaseAndState(
                state_operations=[migrations.AlterField("project", "name_search", NAME_SEARCH)],
                database_operations=[
                    migrations.RunSQL(
                        'ALTER TABLE "projects_project" ALTER COLUMN "name_search" SET NOT NULL',
                        reverse_sql='ALTER TABLE "projects_project" ALTER COLUMN "name_search" DROP NOT NULL',
                    ),
                ],
            ),
            otherwise=migrations.AlterField("project", "name_search", NAME_SEARCH),
        ),
        migrations.RemoveConstraint("project", "projects_name_search_not_null"),
    ]
