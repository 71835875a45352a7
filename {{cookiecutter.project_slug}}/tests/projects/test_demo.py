"""The example's demo data (projects/demo.py), which manage.py seed_demo adds to the demo organization."""

import dramatiq
import pytest
from django.test import override_settings

from {{ cookiecutter.project_slug }}.organizations.management.commands.seed_demo import ORGANIZATION
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization
from {{ cookiecutter.project_slug }}.projects.demo import SAMPLES
from {{ cookiecutter.project_slug }}.projects.models import Project

from tests.organizations.test_seed_demo import seed

pytestmark = pytest.mark.django_db
EXAMPLE_APP = "{{ cookiecutter.project_slug }}.projects"


def test_the_demo_organization_gets_the_sample_projects():
    seed()

    organization = Organization.objects.get(name=ORGANIZATION)
    assert sorted(organization.projects.values_list("name", flat=True)) == sorted(name for name, *_ in SAMPLES)


def test_running_it_again_keeps_what_exists_and_adds_nothing_twice():
    seed()
    organization = Organization.objects.get(name=ORGANIZATION)
    Project.objects.filter(organization=organization, name=SAMPLES[0][0]).update(description="edited by the founder")

    seed()

    assert Organization.objects.filter(name=ORGANIZATION).count() == 1
    assert Membership.objects.filter(organization=organization).count() == 2
    assert organization.projects.count() == len(SAMPLES)
    assert organization.projects.get(name=SAMPLES[0][0]).description == "edited by the founder"


def test_without_the_example_app_it_adds_no_sample_data(settings):
    apps_without_example = [app for app in settings.INSTALLED_APPS if app != EXAMPLE_APP]
    broker = dramatiq.get_broker()
    try:
        with override_settings(INSTALLED_APPS=apps_without_example):
            seed()
    finally:
        # Re-running the apps' ready() gives Dramatiq a new global broker that no actor is declared on;
        # left in place, every later test's worker would wait on an empty broker.
        dramatiq.set_broker(broker)

    assert Organization.objects.get(name=ORGANIZATION).projects.count() == 0
