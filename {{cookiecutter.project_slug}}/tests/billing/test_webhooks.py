"""Stripe's webhooks: verified by the SDK, stored once, processed by a job from Stripe's current state."""

import time

import pytest
from django.core import mail

from {{ cookiecutter.project_slug }}.billing import entitlements, services
from {{ cookiecutter.project_slug }}.billing.models import BillingAccount, StripeEvent
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.billing.conftest import deliver, event, signed
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def account(owner, fake_stripe):
    return BillingAccount.objects.create(organization=owner.organization, stripe_customer_id="cus_test1")


def state(account):
    account.refresh_from_db()
    return (account.plan, account.status, account.cancel_at_period_end, account.seats, account.stripe_subscription_id)


def test_a_forged_or_tampered_delivery_is_refused_and_nothing_is_stored(client, account, jobs):
    payload = event("invoice.paid", {"object": "invoice", "customer": "cus_test1"})

    assert deliver(client, payload, signature=signed(payload, secret="whsec_someone_else")).status_code == 400
    assert deliver(client, payload.replace(b"cus_test1", b"cus_other"), signature=signed(payload)).status_code == 400
    assert deliver(client, payload, signature=signed(payload, timestamp=int(time.time()) - 3600)).status_code == 400
    assert deliver(client, payload, signature="").status_code == 400
    assert deliver(client, b"not json", signature=signed(b"not json")).status_code == 400

    assert StripeEvent.objects.count() == 0
    assert jobs.pending("billing") == 0


def test_events_delivered_twice_and_in_reverse_order_end_in_stripes_state(client, account, fake_stripe, jobs):
    subscription = fake_stripe.subscription("cus_test1", status="incomplete", price="price_pro")
    created = event("customer.subscription.created", dict(fake_stripe.subscriptions[subscription]))
    fake_stripe.subscription("cus_test1", status="active", price="price_business", quantity=1)
    fake_stripe.subscription("cus_test1", status="active", price="price_business", cancel_at_period_end=True)
    updated = event("customer.subscription.updated", dict(fake_stripe.subscriptions[subscription]))

    for payload in (updated, created):  # the newer first, each processed before the next arrives
        assert deliver(client, payload).json() == {"received": True, "duplicate": False}
        jobs.run("billing")
    for payload in (created, updated):
        assert deliver(client, payload).json() == {"received": True, "duplicate": True}
    jobs.run("billing")

    assert StripeEvent.objects.count() == 2
    assert state(account) == ("business", "active", True, 1, subscription)
    assert entitlements.entitlements_of(account.organization.public_id).plan == "business"


def test_a_deleted_subscription_puts_the_organization_back_on_the_free_plan(client, account, fake_stripe, jobs):
    subscription = fake_stripe.subscription("cus_test1", status="active", price="price_pro")
    deliver(client, event("invoice.paid", {"object": "invoice", "customer": "cus_test1"}))
    jobs.run("billing")
    assert state(account)[:2] == ("pro", "active")

    fake_stripe.subscription("cus_test1", status="canceled", price="price_pro")
    deliver(client, event("customer.subscription.deleted", dict(fake_stripe.subscriptions[subscription])))
    jobs.run("billing")

    assert state(account)[:2] == ("pro", "canceled")
    assert entitlements.entitlements_of(account.organization.public_id).plan == "free"


def _write(api, organization):
    return api.post(f"organizations/{organization.public_id}/widgets/", {"name": "Launch"})


def test_a_failed_payment_keeps_access_for_the_grace_period_then_read_only_until_paid(
    client, owner, account, fake_stripe, jobs, monkeypatch, api_of
):
    organization = owner.organization
    api = api_of(owner)
    fake_stripe.subscription("cus_test1", status="active", price="price_pro")
    deliver(client, event("invoice.paid", {"object": "invoice", "customer": "cus_test1"}))
    jobs.run("billing")

    fake_stripe.subscription("cus_test1", status="past_due", price="price_pro")
    deliver(client, event("invoice.payment_failed", {"object": "invoice", "customer": "cus_test1"}))
    jobs.run("billing")
    jobs.run()  # the mail
    assert [m.to for m in mail.outbox if "failed" in m.subject] == [[owner.user.email]]
    assert _write(api, organization).status_code == 201  # within the grace period

    later = time.time() + 8 * 86400
    monkeypatch.setattr(entitlements, "clock", lambda: later)
    refused = _write(api, organization)
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "payment_required"
    assert "read-only" in refused.json()["error"]["message"]
    assert api.get(f"organizations/{organization.public_id}/widgets/").status_code == 200  # reads go on

    account.refresh_from_db()  # the scheduled job finds the grace period over
    BillingAccount.objects.filter(pk=account.pk).update(past_due_since=account.past_due_since.replace(year=2000))
    assert services.read_only_notify() == 1
    assert services.read_only_notify() == 0  # told once
    jobs.run()
    assert [m.to for m in mail.outbox if "read-only" in m.subject] == [[owner.user.email]]

    fake_stripe.subscription("cus_test1", status="active", price="price_pro")
    deliver(client, event("invoice.paid", {"object": "invoice", "customer": "cus_test1"}))
    jobs.run("billing")
    assert _write(api, organization).status_code == 201
    account.refresh_from_db()
    assert account.past_due_since is None
