"""Entitlements: answered from the permission cache (0 queries warm), fresh after a change, refused in the one shape."""

import pytest
from django.core.cache import cache

from {{ cookiecutter.project_slug }}.api import throttling
from {{ cookiecutter.project_slug }}.api.views import ApiView
from {{ cookiecutter.project_slug }}.billing import entitlements, services
from {{ cookiecutter.project_slug }}.billing.api import PlanEnforcement
from {{ cookiecutter.project_slug }}.billing.models import BillingAccount, EntitlementOverride
from {{ cookiecutter.project_slug }}.billing.plans import Feature, Limit
from {{ cookiecutter.project_slug }}.core import requestcache
from {{ cookiecutter.project_slug }}.organizations import permissions
from {{ cookiecutter.project_slug }}.organizations import services as organization_services
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.conftest import redis_round_trips
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
BILLING = permissions.Perm.BILLING_MANAGE


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


def test_with_billing_off_every_organization_is_on_the_default_plan_without_a_query(owner, django_assert_num_queries):
    organization = owner.organization.public_id
    with django_assert_num_queries(0):
        assert entitlements.entitled(organization, Feature.WEBHOOKS)
        assert entitlements.limit_of(organization, Limit.SEATS) is None
    assert entitlements.entitlements_of(organization).plan == "business"


def test_a_warm_check_costs_no_query(owner, fake_stripe, django_assert_num_queries):
    BillingAccount.objects.create(organization=owner.organization, plan="pro", status="active")
    organization = owner.organization.public_id
    assert entitlements.entitled(organization, Feature.WEBHOOKS)  # cold: from the database, then cached

    with django_assert_num_queries(0):
        assert entitlements.entitled(organization, Feature.WEBHOOKS)
        assert not entitlements.entitled(organization, Feature.PRIORITY_SUPPORT)
        assert entitlements.limit_of(organization, Limit.SEATS) == 20


def test_after_a_permission_check_the_entitlements_need_no_second_cache_read(owner, fake_stripe, monkeypatch):
    BillingAccount.objects.create(organization=owner.organization, plan="pro", status="active")
    organization = owner.organization.public_id
    requestcache.start()
    try:
        assert permissions.has_permission(user=owner.user, organization_public_id=organization, permission=BILLING)
        monkeypatch.setattr(permissions, "_from_cache", lambda *args: pytest.fail("a second cache read"))
        assert entitlements.entitled(organization, Feature.WEBHOOKS, principal=owner.user)
    finally:
        requestcache.clear()


def test_the_next_check_after_a_plan_change_sees_it(owner, fake_stripe, commit):
    account = BillingAccount.objects.create(organization=owner.organization, stripe_customer_id="cus_1")
    organization = owner.organization.public_id
    assert not entitlements.entitled(organization, Feature.WEBHOOKS, principal=owner.user)
    assert not entitlements.entitled(organization, Feature.WEBHOOKS)

    fake_stripe.subscription("cus_1", status="active", price="price_pro")
    with commit():
        services.account_sync(account=account)

    assert entitlements.entitled(organization, Feature.WEBHOOKS, principal=owner.user)
    assert entitlements.entitled(organization, Feature.WEBHOOKS)


def test_an_override_is_seen_by_the_next_check(owner, fake_stripe, commit):
    organization = owner.organization.public_id
    assert not entitlements.entitled(organization, Feature.PRIORITY_SUPPORT)
    with commit():
        override = EntitlementOverride.objects.create(organization=owner.organization, key=Feature.PRIORITY_SUPPORT)
    assert entitlements.entitled(organization, Feature.PRIORITY_SUPPORT)
    with commit():
        override.delete()
    assert not entitlements.entitled(organization, Feature.PRIORITY_SUPPORT)


def test_the_api_refuses_a_feature_outside_the_plan_naming_the_plan_that_has_it(owner, api_of, fake_stripe):
    api = api_of(owner)

    response = api.get(f"organizations/{owner.organization.public_id}/webhooks/")

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "plan_required"
    assert error["message"] == "The Free plan does not include webhooks; it needs the Pro plan or higher."
    assert set(error) == {"status", "code", "message", "request_id"}


@pytest.fixture
def mid_window(monkeypatch):
    monkeypatch.setattr(throttling, "clock", lambda: 1_800_000_030.0)  # 30 s into a minute: no new window starts


def test_the_plans_rate_limit_counts_the_whole_organization(owner, api_of, fake_stripe, commit, mid_window):
    with commit():
        EntitlementOverride.objects.create(organization=owner.organization, key=Limit.API_RATE_PER_MINUTE, limit=2)
    first, second = api_of(owner), api_of(owner)
    path = f"organizations/{owner.organization.public_id}/widgets/"
    other = MembershipFactory(role=Role.OWNER)

    assert [first.get(path).status_code, second.get(path).status_code] == [200, 200]
    refused = first.get(path)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == "30"
    assert api_of(other).get(f"organizations/{other.organization.public_id}/widgets/").status_code == 200


def test_the_principals_limit_holds_beside_the_plans(owner, api_of, fake_stripe, settings, mid_window):
    settings.API_RATE_LIMIT_KEY = 2
    api, path = api_of(owner), f"organizations/{owner.organization.public_id}/widgets/"

    assert [api.get(path).status_code for _ in range(3)] == [200, 200, 429]
    assert api_of(owner).get(path).status_code == 200, "another key of the organization, within the plan's 60"


def test_the_order_of_the_throttle_classes_does_not_matter(
    owner, api_of, fake_stripe, commit, settings, monkeypatch, mid_window
):
    """Whichever RateLimit throttle runs first counts the limits of all of them."""
    monkeypatch.setattr(ApiView, "throttle_classes", [PlanEnforcement, throttling.PrincipalRateThrottle])
    with commit():
        EntitlementOverride.objects.create(organization=owner.organization, key=Limit.API_RATE_PER_MINUTE, limit=4)
    settings.API_RATE_LIMIT_KEY = 2
    first, second = api_of(owner), api_of(owner)
    path = f"organizations/{owner.organization.public_id}/widgets/"

    assert [first.get(path).status_code for _ in range(3)] == [200, 200, 429]  # the key's limit
    assert [second.get(path).status_code for _ in range(2)] == [200, 429]  # the org's 4th, 5th: refusals count


@pytest.mark.services
def test_every_rate_limit_of_a_request_is_counted_in_one_redis_round_trip(owner, api_of, fake_stripe, mid_window):
    api = api_of(owner)  # on the Free plan: 60 requests a minute for the organization, beside the key's limit
    path = f"organizations/{owner.organization.public_id}/widgets/"
    assert api.get(path).status_code == 200  # warm: the key, the permission set, the script, this window's counters

    with redis_round_trips() as sent:
        assert api.get(path).status_code == 200

    assert sent == ["GET"], "the permission set (with the plan) and both counters' script call, in one pipeline"


@pytest.mark.services
def test_a_request_the_plan_refuses_is_not_counted_against_the_organization(owner, api_of, fake_stripe, mid_window):
    api, organization = api_of(owner), owner.organization.public_id  # the Free plan: no webhooks
    window, _ = throttling._window()
    counter = f"throttle:org:{organization}:{window}"

    assert api.get(f"organizations/{organization}/webhooks/").status_code == 402
    assert cache.get(counter, 0) == 0, "counted ahead with the permission read, then counted back"
    assert api.get(f"organizations/{organization}/widgets/").status_code == 200
    assert cache.get(counter) == 1


def test_an_invitation_beyond_the_plans_seats_is_refused_with_a_clear_message(owner, fake_stripe, commit):
    organization = owner.organization
    MembershipFactory(organization=organization)
    invite = {"organization": organization, "role": Role.MEMBER, "invited_by": owner.user, "link_base": "http://x/"}
    organization_services.invitation_create(email="third@example.com", **invite)  # 3 seats on the free plan

    with pytest.raises(entitlements.PlanRequired) as refused:
        organization_services.invitation_create(email="fourth@example.com", **invite)

    assert refused.value.message == "The Free plan allows 3 seats; upgrade to the Pro plan for more."
    assert organization.invitations.count() == 1
