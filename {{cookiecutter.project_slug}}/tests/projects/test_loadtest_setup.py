"""manage.py loadtest_setup: the load profile's data, made, refreshed and removed; refused where it must not run."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations import keys
from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Membership, Organization, Role
from {{ cookiecutter.project_slug }}.organizations.permissions import has_permission
from {{ cookiecutter.project_slug }}.projects.models import Project
from {{ cookiecutter.project_slug }}.projects.permissions import ProjectPerm
from {{ cookiecutter.project_slug }}.webhooks.models import WebhookEndpoint

from ..factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db
HOOK = "http://127.0.0.1:9/hook"


def setup(*args: str) -> dict[str, str]:
    """Run the command; return its LOADTEST_* lines as a dict (what Locust reads)."""
    out = io.StringIO()
    call_command("loadtest_setup", *args, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_it_prints_everything_the_profile_needs_and_each_piece_works():
    printed = setup("--webhook-url", HOOK, "--users", "3", "--projects", "5")

    assert set(printed) == {
        "LOADTEST_ORGANIZATION",
        "LOADTEST_EMAILS",
        "LOADTEST_PASSWORD",
        "LOADTEST_API_KEY",
        "LOADTEST_WEBHOOK",
    }
    organization = Organization.objects.get(public_id=printed["LOADTEST_ORGANIZATION"])
    emails = printed["LOADTEST_EMAILS"].split(",")
    assert emails == ["loadtest-1@example.com", "loadtest-2@example.com", "loadtest-3@example.com"]
    roles = dict(Membership.objects.filter(organization=organization).values_list("user__email", "role"))
    assert roles == {emails[0]: Role.OWNER, emails[1]: Role.ADMIN, emails[2]: Role.ADMIN}
    for email in emails:
        assert Client().login(email=email, password=printed["LOADTEST_PASSWORD"])
        assert EmailAddress.objects.get(email=email).verified
    assert organization.projects.count() == 5
    principal = keys.authenticate_token(printed["LOADTEST_API_KEY"])
    assert has_permission(user=principal, organization_public_id=organization.public_id, permission=ProjectPerm.EDIT)
    endpoint = WebhookEndpoint.objects.get(public_id=printed["LOADTEST_WEBHOOK"])
    assert (endpoint.organization, endpoint.url, endpoint.is_active) == (organization, HOOK, True)


def test_running_it_again_refreshes_the_same_data_and_revokes_the_old_key():
    first = setup("--webhook-url", HOOK, "--users", "2", "--projects", "5")
    WebhookEndpoint.objects.update(is_active=False)

    second = setup("--webhook-url", HOOK + "/v2", "--users", "2", "--projects", "5")

    assert second["LOADTEST_ORGANIZATION"] == first["LOADTEST_ORGANIZATION"]
    assert second["LOADTEST_WEBHOOK"] == first["LOADTEST_WEBHOOK"]
    assert second["LOADTEST_PASSWORD"] != first["LOADTEST_PASSWORD"]
    assert User.objects.count() == 2
    assert Project.objects.count() == 5
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.is_active) == (HOOK + "/v2", True)
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    with pytest.raises(keys.InvalidToken):
        keys.authenticate_token(first["LOADTEST_API_KEY"])
    assert Client().login(email="loadtest-2@example.com", password=second["LOADTEST_PASSWORD"])


def test_remove_deletes_the_accounts_and_their_organization_only():
    bystander = VerifiedUserFactory(email="loadtest-person@example.com")
    other = VerifiedUserFactory(email="loadtest-1@elsewhere.example")
    setup("--webhook-url", HOOK, "--users", "3")

    out = io.StringIO()
    call_command("loadtest_setup", "--remove", stdout=out)

    assert "Removed 3 load-test accounts and 1 organization(s)." in out.getvalue()
    assert set(User.objects.all()) == {bystander, other}
    assert not Organization.objects.exists()
    assert not Project.objects.exists()
    assert not WebhookEndpoint.objects.exists()


def test_production_settings_are_refused_unless_allowed(settings):
    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(CommandError, match="--allow-production-settings"):
        setup("--webhook-url", HOOK)
    with pytest.raises(CommandError, match="--allow-production-settings"):
        setup("--remove")
    assert not User.objects.exists()

    printed = setup("--webhook-url", HOOK, "--users", "1", "--allow-production-settings")
    assert printed["LOADTEST_EMAILS"] == "loadtest-1@example.com"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ((), "--webhook-url is required"),
        (("--webhook-url", "ftp://example.com/hook"), "cannot receive webhooks"),
        (("--webhook-url", HOOK, "--users", "0"), "--users must be 1 to 500"),
        (("--webhook-url", HOOK, "--projects", "-1"), "--projects must be 0 to 10000"),
        (("--webhook-url", HOOK, "--email-domain", "not a domain"), "is not an email domain"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(args, problem):
    with pytest.raises(CommandError, match=problem):
        setup(*args)

    assert not User.objects.exists()
    assert not Organization.objects.exists()
