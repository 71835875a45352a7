"""manage.py seed_demo: a demo account signs in to an organization with sample data; idempotent, DEBUG only."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations.management.commands.seed_demo import EMAIL, ORGANIZATION, PASSWORD
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Organization, Role

pytestmark = pytest.mark.django_db


def seed(*args, **options):
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, **options)


def test_it_makes_a_verified_owner_of_an_organization_with_a_teammate():
    seed()

    owner = User.objects.get(email=EMAIL)
    assert owner.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=owner).verified
    organization = Organization.objects.get(name=ORGANIZATION)
    roles = dict(organization.memberships.values_list("user__email", "role"))
    assert roles == {EMAIL: Role.OWNER, "teammate@example.com": Role.MEMBER}


def test_running_it_again_keeps_the_organization_and_its_members():
    seed()
    seed()

    assert Organization.objects.filter(name=ORGANIZATION).count() == 1
    assert Membership.objects.filter(organization__name=ORGANIZATION).count() == 2


def test_a_renamed_demo_organization_is_kept_not_made_again():
    seed()
    Organization.objects.filter(name=ORGANIZATION).update(name="Renamed by the founder")

    seed()

    assert list(Organization.objects.values_list("name", flat=True)) == ["Renamed by the founder"]


def test_the_printed_credentials_sign_in(capsys):
    seed()
    printed = capsys.readouterr().out

    assert f"Sign in as {EMAIL} with the password {PASSWORD}" in printed
    client = Client()
    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_it_refuses_to_run_with_debug_off_unless_forced():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.filter(email=EMAIL).exists()

    with override_settings(DEBUG=False):
        call_command("seed_demo", "--force")
    assert User.objects.filter(email=EMAIL).exists()


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [("--email", "not-an-address", "valid email"), ("--password", "123", "too short")],
)
def test_it_refuses_a_bad_email_or_a_weak_password(option, value, problem):
    with pytest.raises(CommandError, match=problem):
        seed(option, value)
    assert not Organization.objects.exists()
