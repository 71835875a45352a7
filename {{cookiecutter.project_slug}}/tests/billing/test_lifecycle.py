"""A subscription's life against localstripe, a stateful fake of Stripe's API on loopback.

localstripe has no Checkout: the test does what Checkout does on Stripe's side (a
subscription for the customer our code made) and delivers the events Stripe would send.
"""

import pytest
from django.core.management import call_command

from {{ cookiecutter.project_slug }}.billing import entitlements, services
from {{ cookiecutter.project_slug }}.billing.models import BillingAccount
from {{ cookiecutter.project_slug }}.billing.plans import Feature
from {{ cookiecutter.project_slug }}.organizations.models import Role

from tests.billing.conftest import deliver, event
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def checkout_completes(localstripe, customer, price):
    """What Stripe does when the owner pays in Checkout: a card, then the subscription."""
    card = localstripe.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}}
    )
    localstripe.v1.payment_methods.attach(card.id, params={"customer": customer})
    localstripe.v1.customers.update(customer, params={"invoice_settings": {"default_payment_method": card.id}})
    subscription = localstripe.v1.subscriptions.create(params={"customer": customer, "items": [{"plan": price}]})
    return subscription.to_dict()


def test_subscribe_add_a_seat_cancel_at_period_end_then_end(client, localstripe, jobs):
    owner = MembershipFactory(role=Role.OWNER)
    organization = owner.organization
    account = services.account_for(organization)
    customer = services._customer(account, owner.user)  # as checkout_start makes it
    assert localstripe.v1.customers.retrieve(customer).metadata["organization"] == str(organization.public_id)

    subscription = checkout_completes(localstripe, customer, "price_pro")
    session = {"object": "checkout.session", "customer": customer, "client_reference_id": str(organization.public_id)}
    deliver(client, event("checkout.session.completed", session))
    jobs.run("billing")
    account.refresh_from_db()
    assert (account.plan, account.status, account.seats) == ("pro", "active", 1)
    assert account.current_period_end is not None
    assert entitlements.entitled(organization.public_id, Feature.WEBHOOKS)

    MembershipFactory(organization=organization)  # a second member: the per-seat quantity follows
    jobs.run("billing")
    assert localstripe.v1.subscriptions.retrieve(subscription["id"])["items"]["data"][0]["quantity"] == 2
    assert BillingAccount.objects.get(pk=account.pk).seats == 2

    # In the customer portal the owner cancels: the plan lasts until the period ends.
    updated = localstripe.v1.subscriptions.update(subscription["id"], params={"cancel_at_period_end": True})
    deliver(client, event("customer.subscription.updated", updated.to_dict()))
    jobs.run("billing")
    account.refresh_from_db()
    assert (account.plan, account.status, account.cancel_at_period_end) == ("pro", "active", True)

    ended = localstripe.v1.subscriptions.cancel(subscription["id"])
    deliver(client, event("customer.subscription.deleted", ended.to_dict()))
    jobs.run("billing")
    assert entitlements.entitlements_of(organization.public_id).plan == "free"
    assert not entitlements.entitled(organization.public_id, Feature.WEBHOOKS)


def test_billing_sync_recovers_a_missed_webhook(localstripe, capsys):
    owner = MembershipFactory(role=Role.OWNER)
    account = services.account_for(owner.organization)
    customer = services._customer(account, owner.user)
    checkout_completes(localstripe, customer, "price_business")  # and no webhook arrives

    call_command("billing_sync", str(owner.organization.public_id))

    account.refresh_from_db()
    assert (account.plan, account.status) == ("business", "active")
    assert "plan business, status active" in capsys.readouterr().out


def test_billing_sync_refuses_what_is_not_an_organization(localstripe):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an organization id"):
        call_command("billing_sync", "acme")
