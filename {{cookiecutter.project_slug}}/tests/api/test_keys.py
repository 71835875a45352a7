"""Organization API keys: recognisable, shown once, stored hashed, scoped, expiring, revocable, with last use."""

import re

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.organizations import keys
from {{ cookiecutter.project_slug }}.organizations.models import ApiKey, Role
from {{ cookiecutter.project_slug }}.organizations.tasks import record_api_key_use

from tests.api.conftest import Api, widgets_url
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"^{{ cookiecutter.project_slug }}_[0-9A-Za-z]{60}$")  # the pattern to give secret scanners


def test_tokens_are_prefixed_and_checksummed(owner, make_key):
    token = make_key(owner)

    assert TOKEN.match(token)
    assert keys.parse_token(token) is not None
    typo = token[:-7] + ("x" if token[-7] != "x" else "y") + token[-6:]
    assert keys.parse_token(typo) is None


def test_only_a_hash_of_the_secret_is_stored(owner, make_key):
    token = make_key(owner)
    key = ApiKey.objects.get()

    stored = " ".join(str(value) for value in ApiKey.objects.values().get().values())
    assert token not in stored
    assert keys.parse_token(token)[1] not in stored
    assert key.hint == token[-4:]


def test_scopes_cannot_exceed_the_makers_own(organization, commit):
    from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, PermissionDenied

    admin = MembershipFactory(organization=organization, role=Role.ADMIN)
    with pytest.raises(InvalidInput):
        keys.api_key_create(
            organization=organization, actor=admin.user, name="k", scopes=["api_keys.manage"], expires_in_days=None
        )
    viewer = MembershipFactory(organization=organization, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        keys.api_key_create(
            organization=organization, actor=viewer.user, name="k", scopes=["widgets.view"], expires_in_days=None
        )


def test_the_page_shows_a_new_key_once_and_can_revoke_it(owner):
    client = Client()
    client.force_login(owner.user)
    url = f"/orgs/{owner.organization.public_id}/api-keys/"

    made = client.post(url, {"name": "CI", "scopes": ["widgets.view"], "expires_in_days": "30"})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    token = re.search(r'<code id="new-key">([^<]+)</code>', made.content.decode()).group(1)
    assert TOKEN.match(token)
    assert token not in client.get(url).content.decode()  # shown once

    api = Api(Authorization=f"Bearer {token}")
    assert api.get(widgets_url(owner.organization)).status_code == 200
    key = ApiKey.objects.get()
    with_commit = client.post(url, {"action": "revoke", "key": str(key.public_id)})
    assert with_commit.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_members_cannot_manage_keys(organization):
    member = MembershipFactory(organization=organization, role=Role.MEMBER)
    client = Client()
    client.force_login(member.user)

    assert client.get(f"/orgs/{organization.public_id}/api-keys/").status_code == 403


def test_a_bad_form_is_answered_with_the_errors(owner):
    client = Client()
    client.force_login(owner.user)

    response = client.post(f"/orgs/{owner.organization.public_id}/api-keys/", {"name": "", "scopes": ["nope"]})

    assert response.status_code == 400
    assert not ApiKey.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker thread must see the key
def test_use_is_recorded_by_a_job_not_by_the_request(owner, make_key, jobs):
    api = Api(Authorization=f"Bearer {make_key(owner)}")
    keys._last_used.clear()

    assert api.get(widgets_url(owner.organization)).status_code == 200
    assert ApiKey.objects.get().last_used_at is None
    jobs.run()

    assert ApiKey.objects.get().last_used_at is not None


def test_last_used_never_moves_backwards(owner, make_key):
    make_key(owner)
    key = ApiKey.objects.get()
    record_api_key_use(key.pk, "2030-01-02T00:00:00+00:00")
    record_api_key_use(key.pk, "2030-01-01T00:00:00+00:00")

    key.refresh_from_db()
    assert key.last_used_at.isoformat() == "2030-01-02T00:00:00+00:00"
