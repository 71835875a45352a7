"""The plan's limit on projects (billing's ``resources``): the API refuses in its one error shape, the pages say why.

Answered by the cached entitlements, as permissions are: a deletion frees a place on the next request.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from {{ cookiecutter.project_slug }}.billing.models import EntitlementOverride
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.projects.models import Project

from tests.conftest import sign_in
from tests.factories import MembershipFactory, VerifiedUserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

FULL = "The Free plan allows 10 projects; upgrade to the Pro plan for more."


@pytest.fixture
def free_plan(settings):
    """Billing off with the Free plan for everyone: 10 projects an organization."""
    settings.BILLING_DEFAULT_PLAN = "free"


@pytest.fixture
def billing_on(settings):
    """Billing configured (overrides apply only then); an organization without a subscription is on Free."""
    settings.BILLING_ENABLED = True
    settings.STRIPE_SECRET_KEY = "sk_test_runway"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def full(free_plan, owner):
    ProjectFactory.create_batch(10, organization=owner.organization)
    return owner.organization


def test_the_api_refuses_a_project_past_the_plans_limit_with_its_own_code(api, full):
    response = api.post(f"organizations/{full.public_id}/projects/", {"name": "Eleventh"})

    assert response.status_code == 402
    assert response.json()["error"] == {
        "status": 402,
        "code": "plan_limit_reached",
        "message": FULL,
        "request_id": response.json()["error"]["request_id"],
    }
    assert Project.objects.filter(organization=full).count() == 10


def test_the_api_creates_up_to_the_limit_and_again_after_a_deletion(api, free_plan, organization, commit):
    ProjectFactory.create_batch(9, organization=organization)
    path = f"organizations/{organization.public_id}/projects/"

    assert api.post(path, {"name": "Tenth"}).status_code == 201
    assert api.post(path, {"name": "Eleventh"}).status_code == 402
    tenth = Project.objects.get(name="Tenth")
    with commit():
        assert api.delete(f"{path}{tenth.public_id}/").status_code == 204
    assert api.post(path, {"name": "Eleventh"}).status_code == 201


def test_an_override_raises_the_limit_for_one_organization_at_the_next_request(api, full, billing_on, commit):
    path = f"organizations/{full.public_id}/projects/"
    assert api.post(path, {"name": "Eleventh"}).status_code == 402

    with commit():
        EntitlementOverride.objects.create(organization=full, key="resources", limit=11)

    assert api.post(path, {"name": "Eleventh"}).status_code == 201
    refused = api.post(path, {"name": "Twelfth"}).json()["error"]
    assert refused["message"] == "The Free plan allows 11 projects; upgrade to the Pro plan for more."


def test_an_override_below_the_plan_names_no_upgrade(api, organization, billing_on, commit):
    with commit():  # an override outlives a change of plan: no upgrade raises it
        EntitlementOverride.objects.create(organization=organization, key="resources", limit=0)

    refused = api.post(f"organizations/{organization.public_id}/projects/", {"name": "First"}).json()["error"]

    assert refused["message"] == "The Free plan allows 0 projects; no plan allows more."


def test_without_a_limit_nothing_is_counted_or_locked(api, organization):
    path = f"organizations/{organization.public_id}/projects/"

    with CaptureQueriesContext(connection) as queries:  # billing off: the Business plan, no limit
        assert api.post(path, {"name": "First"}).status_code == 201

    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert "COUNT(" not in statements
    assert "FOR UPDATE" not in statements


@pytest.mark.postgres  # SQLite has no row locks
def test_with_a_limit_the_create_counts_under_the_organizations_lock(api, free_plan, organization):
    path = f"organizations/{organization.public_id}/projects/"

    with CaptureQueriesContext(connection) as queries:
        assert api.post(path, {"name": "First"}).status_code == 201

    statements = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if "FOR UPDATE" in sql and "organizations_organization" in sql)
    count = next(i for i, sql in enumerate(statements) if "COUNT(" in sql and "projects_project" in sql)
    assert lock < count


def test_the_page_turns_the_create_button_off_and_says_why(client, full, owner):
    owner.user = VerifiedUserFactory()
    owner.save()
    sign_in(client, owner.user)
    base = f"/orgs/{full.public_id}/projects/"

    listing = client.get(base)
    form = client.get(f"{base}new/")
    refused = client.post(f"{base}new/", {"name": "Eleventh"})

    assert '<button type="button" disabled aria-describedby="create-refused">New project</button>' in listing.text
    assert FULL in listing.text
    assert f'href="/orgs/{full.public_id}/billing/"' in listing.text  # an owner is shown the plans
    assert f'href="{base}new/"' not in listing.text
    assert "disabled" in form.text
    assert FULL in form.text
    assert refused.status_code == 400
    assert FULL in refused.text
    assert Project.objects.filter(organization=full).count() == 10


def test_a_member_sees_why_but_no_billing_link(client, full):
    member = MembershipFactory(organization=full, role=Role.MEMBER, user=VerifiedUserFactory())
    sign_in(client, member.user)

    listing = client.get(f"/orgs/{full.public_id}/projects/")

    assert FULL in listing.text
    assert "/billing/" not in listing.text


def test_the_dashboard_shows_the_projects_against_the_plan(client, free_plan):
    member = MembershipFactory(role=Role.MEMBER, user=VerifiedUserFactory())
    ProjectFactory.create_batch(3, organization=member.organization)
    ProjectFactory()  # another organization's
    sign_in(client, member.user)

    page = client.get(f"/orgs/{member.organization.public_id}/").text

    assert "3 of 10 projects" in page
