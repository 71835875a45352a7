import pytest

from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from tests.factories import MembershipFactory


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Role.OWNER)


def webhooks_url(membership) -> str:
    return f"/orgs/{membership.organization.public_id}/webhooks/"


@pytest.mark.django_db(transaction=True)
def test_add_an_endpoint_send_a_test_event_and_read_the_log(client, owner, receiver, jobs):
    client.force_login(owner.user)

    response = client.post(webhooks_url(owner), {"url": receiver.url, "event_types": ["member.added"]})
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == f"{webhooks_url(owner)}{endpoint.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page

    client.post(f"{webhooks_url(owner)}{endpoint.public_id}/action/", {"action": "ping"})
    jobs.run("webhooks")

    log = client.get(response["Location"]).content.decode()
    assert "webhook.ping" in log
    assert "Succeeded" in log
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_sent_again_from_the_page(client, owner, receiver, jobs, settings):
    settings.WEBHOOK_MAX_RETRIES = 0
    client.force_login(owner.user)
    client.post(webhooks_url(owner), {"url": receiver.url, "event_types": ["member.added"]})
    endpoint = WebhookEndpoint.objects.get()
    action = f"{webhooks_url(owner)}{endpoint.public_id}/action/"
    receiver.statuses = [500]
    client.post(action, {"action": "ping"})
    jobs.run("webhooks")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED

    client.post(action, {"action": "redeliver", "delivery": str(delivery.public_id)})
    jobs.run("webhooks")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert {headers["webhook-id"] for headers, _ in receiver.requests} == {str(delivery.public_id)}


@pytest.mark.django_db
def test_bad_input_is_refused_with_a_message(client, owner):
    client.force_login(owner.user)

    response = client.post(webhooks_url(owner), {"url": "not a url", "event_types": ["nope"]})

    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_another_organizations_endpoint_is_not_found(client, owner):
    theirs = MembershipFactory(role=Role.OWNER)
    endpoint = WebhookEndpoint.objects.create(
        organization=theirs.organization, url="https://x.example.com", event_types=["member.added"], secret="whsec_x"
    )
    client.force_login(owner.user)

    assert client.get(f"{webhooks_url(owner)}{endpoint.public_id}/").status_code == 404
    assert client.get(f"{webhooks_url(theirs)}{endpoint.public_id}/").status_code == 404
    response = client.post(f"{webhooks_url(owner)}{endpoint.public_id}/action/", {"action": "delete"})
    assert response.status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_open_the_webhook_pages(client, role):
    member = MembershipFactory(role=role)
    client.force_login(member.user)

    assert client.get(webhooks_url(member)).status_code == 403
