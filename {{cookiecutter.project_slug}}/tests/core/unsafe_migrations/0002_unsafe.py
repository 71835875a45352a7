"""A migration the lint must refuse: each operation locks the table or breaks the running version."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField("user", "score", models.BigIntegerField()),  # NOT NULL, no default
        migrations.AddIndex("user", models.Index(fields=["date_joined"], name="user_joined_idx")),
        migrations.RenameField("user", "name", "full_name"),
        migrations.RemoveField("user", "is_staff"),
    ]
