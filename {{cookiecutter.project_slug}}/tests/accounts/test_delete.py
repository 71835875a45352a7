"""Deleting an account asks for the password again and never strands an organization."""

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.organizations.models import Organization, Role

from tests.conftest import sign_in
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def fresh_client(user) -> Client:
    client = Client()
    sign_in(client, user, reauthenticate=True)
    return client


def test_deleting_needs_a_recent_authentication(client):
    user = VerifiedUserFactory()
    client.force_login(user)  # signed in, but not authenticated recently

    response = client.post("/accounts/delete/", {"confirm": user.email})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_removes_the_account_and_organizations_only_it_belongs_to():
    solo = MembershipFactory(role=Role.OWNER)
    shared = MembershipFactory(user=solo.user, role=Role.MEMBER)
    MembershipFactory(organization=shared.organization, role=Role.OWNER)
    client = fresh_client(solo.user)

    response = client.post("/accounts/delete/", {"confirm": solo.user.email})

    assert response["Location"] == "/"
    assert not User.objects.filter(pk=solo.user.pk).exists()
    assert not Organization.objects.filter(pk=solo.organization.pk).exists()
    assert Organization.objects.filter(pk=shared.organization.pk).exists()


def test_the_only_owner_of_a_team_must_hand_it_over_first():
    owner = MembershipFactory(role=Role.OWNER)
    MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client = fresh_client(owner.user)

    response = client.post("/accounts/delete/", {"confirm": owner.user.email}, follow=True)

    assert "You are the only owner of" in response.content.decode()
    assert User.objects.filter(pk=owner.user.pk).exists()


def test_a_wrong_confirmation_deletes_nothing():
    user = VerifiedUserFactory()
    client = fresh_client(user)

    response = client.post("/accounts/delete/", {"confirm": "someone@else.com"}, follow=True)

    assert "Type your email address exactly" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_an_organization_also_needs_a_recent_authentication(client):
    owner = MembershipFactory(role=Role.OWNER)
    client.force_login(owner.user)

    response = client.post(f"/orgs/{owner.organization.public_id}/delete/", {"confirm": owner.organization.name})

    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert Organization.objects.filter(pk=owner.organization.pk).exists()


def test_an_owner_deletes_an_organization_after_confirming():
    owner = MembershipFactory(role=Role.OWNER)
    client = fresh_client(owner.user)

    response = client.post(f"/orgs/{owner.organization.public_id}/delete/", {"confirm": owner.organization.name})

    assert response["Location"] == "/orgs/"
    assert not Organization.objects.filter(pk=owner.organization.pk).exists()
