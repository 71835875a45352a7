"""Webhook endpoints and their delivery log, read through the API (WEBHOOKS_SINCE on): what integrations audit."""

import pytest

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS, WEBHOOKS_SINCE
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from tests.api.conftest import Api
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(organization):
    endpoint = WebhookEndpoint.objects.create(
        organization=organization, url="https://hooks.example.com/in", event_types=["member.added"], secret="whsec_x"
    )
    for number in range(3):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type="member.added",
            payload={"n": number},
            status=DeliveryStatus.SUCCEEDED if number else DeliveryStatus.FAILED,
            attempts=number + 1,
            last_status_code=200 if number else 500,
        )
    return endpoint


def test_endpoints_are_listed_without_their_secret(api, organization, endpoint):
    response = api.get(f"organizations/{organization.public_id}/webhooks/")

    assert response.status_code == 200
    [listed] = response.json()["results"]
    assert listed["id"] == str(endpoint.public_id)
    assert listed["url"] == "https://hooks.example.com/in"
    assert listed["is_active"] is True
    assert "secret" not in listed


def test_the_delivery_log_pages_newest_first(api, organization, endpoint):
    url = f"organizations/{organization.public_id}/webhooks/{endpoint.public_id}/deliveries/"

    first = api.get(url, limit=2).json()
    second = api.get(url, limit=2, cursor=first["next_cursor"]).json()

    attempts = [d["attempts"] for d in first["results"] + second["results"]]
    assert attempts == [3, 2, 1]
    assert second["next_cursor"] is None
    assert first["results"][0]["status"] == "succeeded"
    assert second["results"][0] == {**second["results"][0], "status": "failed", "last_status_code": 500}


def test_another_organizations_endpoint_under_mine_is_404(api, organization):
    theirs = MembershipFactory(role=Role.OWNER).organization
    their_endpoint = WebhookEndpoint.objects.create(
        organization=theirs, url="https://x.example.com", event_types=["member.added"], secret="whsec_x"
    )

    response = api.get(f"organizations/{organization.public_id}/webhooks/{their_endpoint.public_id}/deliveries/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("version", VERSIONS.names)
def test_the_webhook_endpoints_exist_from_their_version_on(owner, make_key, organization, endpoint, version):
    api = Api(version=version, Authorization=f"Bearer {make_key(owner)}")
    served = VERSIONS.names.index(version) <= VERSIONS.names.index(WEBHOOKS_SINCE)  # newest first

    assert api.get(f"organizations/{organization.public_id}/webhooks/").status_code == (200 if served else 404)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_read_webhooks(client, organization, endpoint, role):
    member = MembershipFactory(organization=organization, role=role)
    client.force_login(member.user)

    response = client.get(f"/api/{VERSIONS.latest.name}/organizations/{organization.public_id}/webhooks/")

    assert response.status_code == 403
