import pytest

pytestmark = pytest.mark.django_db


def test_the_profile_name_is_saved(client, verified_user):
    client.force_login(verified_user)

    response = client.post("/accounts/profile/", {"name": "  Ada   Lovelace "})

    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.name == "Ada Lovelace"


def test_an_oversize_name_is_refused_with_a_message(client, verified_user):
    client.force_login(verified_user)

    response = client.post("/accounts/profile/", {"name": "x" * 151})

    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()
