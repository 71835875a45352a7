"""The billing page in a real browser: an owner of a subscribed organization sees plan, status, renewal and invoices."""

import pytest
from playwright.sync_api import expect

from {{ cookiecutter.project_slug }}.billing import services
from {{ cookiecutter.project_slug }}.organizations import services as organization_services

from tests.billing.fake_stripe import FakeStripe
from tests.e2e.pages import sign_in
from tests.factories import VerifiedUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe_api(settings):
    server = FakeStripe()
    settings.BILLING_ENABLED = True
    settings.STRIPE_SECRET_KEY = "sk_test_runway"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    settings.STRIPE_PRICE_PRO = "price_pro"
    settings.STRIPE_PRICE_BUSINESS = "price_business"
    settings.STRIPE_API_BASE = server.url
    try:
        yield server
    finally:
        server.close()


def test_an_owner_sees_the_plan_status_and_invoices_of_a_subscribed_organization(browser, live_server, stripe_api):
    owner = VerifiedUserFactory(email="owner@example.com")
    organization = organization_services.organization_create(name="Rocket Shop", owner=owner)
    account = services.account_for(organization)
    account.stripe_customer_id = "cus_rocket"
    account.save()
    stripe_api.subscription("cus_rocket", status="active", price="price_pro", quantity=1)
    stripe_api.invoice("cus_rocket", number="RS-0001", amount=1200)
    stripe_api.invoice("cus_rocket", number="RS-0002", amount=1200, status="open")
    services.account_sync(account=account)

    page = browser.new_context().new_page()
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/")
    page.get_by_role("link", name="Billing").click()

    expect(page.locator("#plan")).to_have_text("Pro")
    expect(page.locator("#status")).to_have_text("active")
    expect(page.locator("#renewal")).not_to_be_empty()
    expect(page.locator("#seats")).to_contain_text("1 of 20")
    rows = page.locator("#invoices tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("RS-0002")
    expect(rows.first).to_contain_text("12.00 USD")
    expect(rows.first.get_by_role("link", name="View")).to_have_attribute(
        "href", "https://invoice.stripe.com/i/RS-0002"
    )
    expect(page.get_by_role("button", name="Change plan, payment method or cancel")).to_be_visible()
