import pytest

from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, PermissionDenied
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.webhooks import services

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.com/in", "must start with https://"),
        ("ftp://hooks.example.com/in", "must start with https://"),
        ("https://127.0.0.1/in", "private address"),
        ("https://localhost/in", "private address"),
        ("https://10.1.2.3/in", "private address"),
        ("https://169.254.169.254/latest/meta-data", "private address"),
    ],
)
def test_unsafe_urls_are_refused_in_production_settings(owner, settings, url, problem):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    with pytest.raises(InvalidInput, match=problem):
        services.endpoint_create(
            organization=owner.organization, url=url, event_types=["member.added"], actor=owner.user
        )


def test_event_types_must_be_known_and_not_empty(owner):
    with pytest.raises(InvalidInput, match=r"Unknown event types: invoice\.paid"):
        services.endpoint_create(
            organization=owner.organization, url="http://127.0.0.1:9/x", event_types=["invoice.paid"], actor=owner.user
        )
    with pytest.raises(InvalidInput, match="at least one"):
        services.endpoint_create(
            organization=owner.organization, url="http://127.0.0.1:9/x", event_types=[], actor=owner.user
        )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_only_owners_and_admins_manage_webhooks(role):
    member = MembershipFactory(role=role)

    with pytest.raises(PermissionDenied):
        services.endpoint_create(
            organization=member.organization,
            url="http://127.0.0.1:9/x",
            event_types=["member.added"],
            actor=member.user,
        )
