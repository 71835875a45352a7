"""Sample projects for ``manage.py seed_demo``: the platform finds this module through the app registry."""

import datetime

from django.utils import timezone

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations.models import Organization

from .services import project_create

SAMPLES = [
    ("Website relaunch", "New pages, faster checkout, and a blog the marketing team can run.", -30, 45),
    ("Mobile app beta", "The first 100 testers get the iOS and Android builds.", -10, 60),
    ("Customer interviews", "Twelve calls with churned and active customers; notes in the shared folder.", 0, 21),
    ("Pricing experiment", "Try a usage-based plan with one segment before rolling it out.", 14, 74),
    ("SOC 2 readiness", "Policies, access reviews and evidence collection for the audit.", None, None),
]


def seed(*, organization: Organization, owner: User) -> str:
    """Add the sample projects the organization does not have yet (by name); return what was done."""
    existing = set(organization.projects.values_list("name", flat=True))
    today = timezone.localdate()
    added = 0
    for name, description, starts, days in SAMPLES:
        if name in existing:
            continue
        starts_on = today + datetime.timedelta(days=starts) if starts is not None else None
        ends_on = starts_on + datetime.timedelta(days=days) if starts_on and days else None
        project_create(
            organization=organization,
            actor=owner,
            name=name,
            description=description,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        added += 1
    return f"{added} sample projects added, {len(SAMPLES) - added} already there"
