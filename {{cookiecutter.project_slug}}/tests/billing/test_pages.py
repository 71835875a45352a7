"""The billing page: owners only; off until configured; Checkout and the Customer Portal by redirect."""

import pytest

from {{ cookiecutter.project_slug }}.billing.models import BillingAccount
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.conftest import sign_in
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER, user=VerifiedUserFactory())


def page(organization, suffix=""):
    return f"/orgs/{organization.public_id}/billing/{suffix}"


def test_with_billing_off_the_page_says_how_to_turn_it_on(client, owner):
    sign_in(client, owner.user)

    response = client.get(page(owner.organization))

    assert response.status_code == 200
    assert "Billing is off" in response.text
    assert "STRIPE_SECRET_KEY" in response.text
    assert client.post(page(owner.organization, "checkout/"), {"plan": "pro"}).status_code == 302
    assert not BillingAccount.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
def test_only_owners_see_billing(client, owner, role):
    other = MembershipFactory(organization=owner.organization, role=role, user=VerifiedUserFactory())
    sign_in(client, other.user)

    assert client.get(page(owner.organization)).status_code == 403
    assert client.post(page(owner.organization, "portal/")).status_code == 403
    assert "/billing/" not in client.get(f"/orgs/{owner.organization.public_id}/").text


def test_subscribing_goes_to_stripe_checkout_for_the_plans_price_and_seats(client, owner, fake_stripe):
    MembershipFactory(organization=owner.organization)
    sign_in(client, owner.user)
    assert "Subscribe to Pro" in client.get(page(owner.organization)).text

    response = client.post(page(owner.organization, "checkout/"), {"plan": "pro"})

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    method, path, params, key = fake_stripe.requests[-1]
    assert (method, path, key) == ("POST", "/v1/checkout/sessions", "sk_test_runway")
    assert params["line_items[0][price]"] == ["price_pro"]
    assert params["line_items[0][quantity]"] == ["2"]
    assert params["client_reference_id"] == [str(owner.organization.public_id)]
    assert BillingAccount.objects.get(organization=owner.organization).stripe_customer_id.startswith("cus_")


def test_an_unknown_plan_is_refused_with_a_message(client, owner, fake_stripe):
    sign_in(client, owner.user)

    response = client.post(page(owner.organization, "checkout/"), {"plan": "platinum"}, follow=True)

    assert "There is no plan &#x27;platinum&#x27;" in response.text
    assert not [r for r in fake_stripe.requests if r[1] == "/v1/checkout/sessions"]


def test_managing_goes_to_the_customer_portal(client, owner, fake_stripe):
    BillingAccount.objects.create(organization=owner.organization, stripe_customer_id="cus_1", status="active")
    sign_in(client, owner.user)

    response = client.post(page(owner.organization, "portal/"))

    assert response["Location"] == "https://billing.stripe.com/p/session/test"
    assert fake_stripe.requests[-1][2]["customer"] == ["cus_1"]


def test_a_page_of_a_feature_outside_the_plan_leads_owners_to_the_upgrade(client, owner, fake_stripe):
    sign_in(client, owner.user)

    response = client.get(f"/orgs/{owner.organization.public_id}/webhooks/", follow=True)

    assert response.redirect_chain == [(page(owner.organization), 302)]
    assert "The Free plan does not include webhooks; it needs the Pro plan or higher." in response.text
    assert "Subscribe to Pro" in response.text


def test_a_read_only_organization_refuses_page_writes_but_keeps_billing_open(client, owner, fake_stripe, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    past_due = timezone.now() - timedelta(days=8)
    BillingAccount.objects.create(
        organization=owner.organization,
        stripe_customer_id="cus_1",
        plan="pro",
        status="past_due",
        past_due_since=past_due,
    )
    sign_in(client, owner.user)
    invitations = f"/orgs/{owner.organization.public_id}/invitations/"

    response = client.post(invitations, {"email": "new@example.com", "role": "member"}, follow=True)

    assert response.redirect_chain == [(page(owner.organization), 302)]
    assert "read-only until its overdue invoice is paid" in response.text
    assert not owner.organization.invitations.exists()
    assert client.get(invitations).status_code == 200  # reading goes on
    assert client.post(page(owner.organization, "portal/"))["Location"] == "https://billing.stripe.com/p/session/test"
