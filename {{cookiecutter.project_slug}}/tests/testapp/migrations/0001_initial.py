import django.db.models.deletion
from django.db import migrations, models

import {{ cookiecutter.project_slug }}.core.ids


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("organizations", "__first__"),
    ]

    operations = [
        migrations.CreateModel(
            name="Widget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default={{ cookiecutter.project_slug }}.core.ids.uuid7, editable=False, unique=True)),
                ("name", models.CharField(max_length=100)),
                ("size", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organizations.organization"
                    ),
                ),
            ],
        ),
    ]
