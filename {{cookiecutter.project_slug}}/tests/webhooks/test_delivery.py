"""Deliveries: signed, retried with backoff, logged attempt by attempt; a dead endpoint is disabled."""

import json
import socket

import pytest
from django.core import mail

from {{ cookiecutter.project_slug }}.organizations import services as organization_services
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.webhooks import services, signing
from {{ cookiecutter.project_slug }}.webhooks.models import DeliveryStatus, WebhookDelivery

from tests.factories import MembershipFactory

# The worker thread reads deliveries through its own connection: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


def endpoint_for(owner, url, events=("member.role_changed",)):
    return services.endpoint_create(
        organization=owner.organization, url=url, event_types=list(events), actor=owner.user
    )


def change_a_role(owner):
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    organization_services.membership_change_role(membership=member, role=Role.VIEWER, actor=owner.user)


def test_an_event_is_delivered_signed_to_subscribed_endpoints(owner, receiver, jobs):
    endpoint = endpoint_for(owner, receiver.url)
    endpoint_for(owner, receiver.url + "/other", events=("member.removed",))  # not subscribed

    change_a_role(owner)
    jobs.run("webhooks")

    [(headers, body)] = receiver.requests
    signing.verify(endpoint.secret, headers, body)
    event = json.loads(body)
    assert event["type"] == "member.role_changed"
    assert event["organization"] == str(owner.organization.public_id)
    assert event["data"]["role"] == "viewer"
    assert event["data"]["previous_role"] == "member"
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == str(delivery.public_id) == event["id"]
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1


def test_a_receiver_failing_twice_gets_one_delivery_that_succeeds_after_two_retries(owner, receiver, jobs):
    endpoint = endpoint_for(owner, receiver.url)
    receiver.statuses = [500, 503]

    change_a_role(owner)
    jobs.run("webhooks")

    assert len(receiver.requests) == 3
    assert len({headers["webhook-id"] for headers, _ in receiver.requests}) == 1, "one delivery, retried"
    for headers, body in receiver.requests:
        signing.verify(endpoint.secret, headers, body)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.order_by("number")] == [500, 503, 200]


def test_an_endpoint_that_keeps_failing_is_disabled_and_admins_are_told(owner, receiver, jobs, settings):
    settings.WEBHOOK_MAX_RETRIES = 1
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    endpoint = endpoint_for(owner, receiver.url)
    receiver.statuses = [500] * 10

    for _ in range(2):
        change_a_role(owner)
    jobs.run("webhooks")
    jobs.run()  # the notice mail

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "2 deliveries in a row failed" in endpoint.disabled_reason
    assert len(receiver.requests) == 4, "two deliveries, each tried twice"
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed", "failed"]
    notice = [m for m in mail.outbox if "was disabled" in m.subject]
    assert notice
    assert notice[0].to == [owner.user.email]

    change_a_role(owner)  # nothing is sent to a disabled endpoint
    jobs.run("webhooks")
    assert len(receiver.requests) == 4
    assert WebhookDelivery.objects.count() == 2


def test_a_redirect_is_a_failed_attempt_not_followed(owner, receiver, jobs, settings):
    settings.WEBHOOK_MAX_RETRIES = 0
    endpoint_for(owner, receiver.url)
    receiver.statuses = [302]

    change_a_role(owner)
    jobs.run("webhooks")

    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code == 302


def test_a_delivery_to_a_deleted_endpoint_is_dropped_quietly(owner, receiver, jobs):
    endpoint = endpoint_for(owner, receiver.url)
    change_a_role(owner)
    endpoint.delete()

    jobs.run("webhooks")

    assert receiver.requests == []


def test_a_malformed_job_is_dead_lettered_not_retried(jobs):
    from {{ cookiecutter.project_slug }}.core.jobs import deadletters
    from {{ cookiecutter.project_slug }}.webhooks.tasks import deliver_webhook

    deliver_webhook.send("not-an-id")
    jobs.run("webhooks", fail_fast=False)

    assert [letter.args for letter in deadletters.list_dead("webhooks")] == [("not-an-id",)]


def test_a_name_pointed_at_loopback_after_saving_is_refused_at_every_delivery(owner, receiver, jobs, settings, dns):
    """DNS rebinding: the name was public when saved; at delivery it points at this host's open and closed ports."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_MAX_RETRIES = 0
    open_port = receiver.url.split(":")[2].split("/")[0]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    dns.names = {"open.rebind.test": ["93.184.215.14"], "closed.rebind.test": ["93.184.215.14"]}
    to_open = endpoint_for(owner, f"http://open.rebind.test:{open_port}/hooks")
    endpoint_for(owner, f"http://closed.rebind.test:{closed_port}/hooks")
    dns.names = {"open.rebind.test": ["127.0.0.1"], "closed.rebind.test": ["127.0.0.1"]}

    change_a_role(owner)
    services.endpoint_ping(endpoint=to_open, actor=owner.user)  # the page's test event
    jobs.run("webhooks")

    assert receiver.requests == []
    deliveries = WebhookDelivery.objects.select_related("endpoint").order_by("pk")
    assert [d.status for d in deliveries] == [DeliveryStatus.FAILED] * 3
    errors = {d.last_error.replace(d.endpoint.url.split("/")[2].split(":")[0], "HOST") for d in deliveries}
    assert errors == {"Refused: HOST resolves to a private address; nothing was sent."}, "open and closed look alike"
