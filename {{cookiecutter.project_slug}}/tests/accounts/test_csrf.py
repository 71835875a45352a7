"""Every cookie-authenticated write needs a CSRF token."""

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.organizations.models import Organization

from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_a_write_without_the_token_is_refused(strict_client):
    user = VerifiedUserFactory()
    strict_client.force_login(user)

    response = strict_client.post("/orgs/", {"name": "Forged"})

    assert response.status_code == 403
    assert not Organization.objects.exists()


def test_a_write_with_the_token_goes_through(strict_client):
    user = VerifiedUserFactory()
    strict_client.force_login(user)
    strict_client.get("/orgs/")
    token = strict_client.cookies["csrftoken"].value

    response = strict_client.post("/orgs/", {"name": "Genuine", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Organization.objects.filter(name="Genuine").exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/logout/", {}),
        ("/accounts/password/change/", {"oldpassword": "x", "password1": "y", "password2": "y"}),
        ("/accounts/email/", {"email": "second@example.com", "action_add": ""}),
        ("/accounts/delete/", {"confirm": "x"}),
    ],
)
def test_account_writes_need_the_token(strict_client, path, data):
    membership = MembershipFactory()
    strict_client.force_login(membership.user)

    assert strict_client.post(path, data).status_code == 403


def test_login_itself_needs_the_token(strict_client):
    user = VerifiedUserFactory()

    assert strict_client.post("/accounts/login/", {"login": user.email, "password": "x"}).status_code == 403
