"""Name the default Site after the product: allauth puts it in every email."""

from django.db import migrations

DOMAIN = "{{ cookiecutter.domain_name }}"
NAME = "{{ cookiecutter.project_name }}"


def name_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(id=1, defaults={"domain": DOMAIN, "name": NAME})


def unname_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.filter(id=1).update(domain="example.com", name="example.com")


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_site, unname_site)]
