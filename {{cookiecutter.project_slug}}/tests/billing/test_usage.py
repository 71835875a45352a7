"""The dashboard's plan usage: members against seats, and what apps register against their limits."""

import pytest

from {{ cookiecutter.project_slug }}.billing import usage
from {{ cookiecutter.project_slug }}.billing.plans import Limit
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.conftest import sign_in
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    membership = MembershipFactory(role=Role.OWNER, user=VerifiedUserFactory())
    sign_in(client, membership.user)
    return membership


@pytest.fixture
def widgets():
    """A counter an app would register in its ready(), removed after the test."""
    counted: dict[str, int] = {"n": 7}
    usage.register_usage(limit=Limit.RESOURCES, noun="widgets", count=lambda organization: counted["n"])
    yield counted
    usage.unregister_usage(noun="widgets")


def dashboard(client, organization):
    return client.get(f"/orgs/{organization.public_id}/").text


def test_on_the_free_plan_the_dashboard_shows_members_of_seats_and_each_counter_of_its_limit(
    client, owner, widgets, settings
):
    settings.BILLING_DEFAULT_PLAN = "free"
    MembershipFactory(organization=owner.organization)

    page = dashboard(client, owner.organization)

    assert "Plan usage" in page
    assert "2 of 3 members" in page
    assert "7 of 10 widgets" in page
    assert "Free plan" in page
    assert f'href="/orgs/{owner.organization.public_id}/billing/"' in page  # the owner may change the plan


def test_a_full_counter_says_so(client, owner, widgets, settings):
    settings.BILLING_DEFAULT_PLAN = "free"
    widgets["n"] = 10

    assert "limit reached" in dashboard(client, owner.organization)


def test_without_limits_it_shows_the_counts_alone(client, owner, widgets):
    page = dashboard(client, owner.organization)  # billing off: the Business plan, no limits

    assert 'Members: 1 <span class="muted">(no limit)</span>' in page
    assert "Widgets: 7" in page
    assert "Business plan" in page


def test_a_member_sees_the_usage_but_no_billing_link(client, widgets, settings):
    settings.BILLING_DEFAULT_PLAN = "free"
    member = MembershipFactory(role=Role.MEMBER, user=VerifiedUserFactory())
    sign_in(client, member.user)

    page = dashboard(client, member.organization)

    assert "7 of 10 widgets" in page
    assert "/billing/" not in page
