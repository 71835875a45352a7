"""manage.py ensure_smoke_user: the release step's idempotent creation of the smoke-test user."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Role

pytestmark = pytest.mark.django_db
STRONG = "release-smoke-Password-2026"


@pytest.fixture
def smoke_env(monkeypatch):
    monkeypatch.setenv("SMOKE_EMAIL", "smoke@example.com")
    monkeypatch.setenv("SMOKE_PASSWORD", STRONG)


def test_it_creates_a_verified_user_that_can_sign_in(smoke_env):
    call_command("ensure_smoke_user")

    user = User.objects.get(email="smoke@example.com")
    assert user.check_password(STRONG)
    assert EmailAddress.objects.filter(user=user, email="smoke@example.com", verified=True, primary=True).exists()


def test_running_it_again_updates_the_password_and_keeps_one_user(smoke_env, monkeypatch):
    call_command("ensure_smoke_user")
    monkeypatch.setenv("SMOKE_PASSWORD", STRONG + "-rotated")

    call_command("ensure_smoke_user")

    [user] = User.objects.filter(email__iexact="smoke@example.com")
    assert user.check_password(STRONG + "-rotated")
    assert EmailAddress.objects.filter(user=user).count() == 1


def test_the_user_owns_one_organization_for_the_api_check(smoke_env):
    call_command("ensure_smoke_user")
    call_command("ensure_smoke_user")

    [membership] = Membership.objects.filter(user__email="smoke@example.com")
    assert membership.role == Role.OWNER
    assert membership.organization.name == "Smoke test"


@pytest.mark.parametrize(
    ("email", "password", "problem"),
    [
        ("", STRONG, "set SMOKE_EMAIL and SMOKE_PASSWORD"),
        ("smoke@example.com", "", "set SMOKE_EMAIL and SMOKE_PASSWORD"),
        ("not-an-address", STRONG, "Enter a valid email address"),
        ("smoke@example.com", "password", "too common"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(monkeypatch, email, password, problem):
    monkeypatch.setenv("SMOKE_EMAIL", email)
    monkeypatch.setenv("SMOKE_PASSWORD", password)

    with pytest.raises(CommandError, match=problem):
        call_command("ensure_smoke_user")

    assert not User.objects.exists()


def test_if_configured_does_nothing_without_an_email(monkeypatch):
    monkeypatch.delenv("SMOKE_EMAIL", raising=False)

    call_command("ensure_smoke_user", "--if-configured")

    assert not User.objects.exists()
