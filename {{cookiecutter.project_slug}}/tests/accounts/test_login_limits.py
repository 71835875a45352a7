"""Failed passwords are limited without letting a stranger lock the owner out."""

import json

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import code_in
from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db

OWNER_ADDRESS = "198.51.100.7"


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def log_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def signed_in(response) -> bool:
    return bool(response.status_code == 302 and response["Location"] == "/")


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out():
    owner = VerifiedUserFactory()
    stranger = client_at("203.0.113.9")
    for _ in range(5):
        assert log_in(stranger, owner.email, "wrong guess 123").status_code == 200

    refused = log_in(stranger, owner.email, PASSWORD)
    assert not signed_in(refused), "the stranger's address is blocked, even with the right password"
    assert "Too many failed login attempts" in refused.content.decode()

    assert signed_in(log_in(client_at(OWNER_ADDRESS), owner.email, PASSWORD))


def test_guesses_from_many_addresses_pause_password_sign_in_but_not_sign_in_by_emailed_code(
    jobs, django_capture_on_commit_callbacks
):
    owner = VerifiedUserFactory()
    # 20 addresses, each at its own limit of 5: the account's limit of 100 an hour is reached.
    for number in range(20):
        attacker = client_at(f"203.0.113.{number + 10}")
        for _ in range(5):
            assert log_in(attacker, owner.email, f"guess {number}").status_code == 200

    owner_device = client_at(OWNER_ADDRESS)
    paused = log_in(owner_device, owner.email, PASSWORD)
    assert not signed_in(paused), "no more password guesses on this account, right or wrong"
    assert "Sign in with a code sent by email" in paused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        owner_device.post("/accounts/login/code/", {"email": owner.email})
    jobs.run()
    response = owner_device.post("/accounts/login/code/confirm/", {"code": code_in(mail.outbox[-1])})
    assert response.status_code == 302
    assert owner_device.session["_auth_user_id"] == str(owner.pk)


def test_the_same_limits_hold_for_the_headless_api():
    owner = VerifiedUserFactory()
    stranger = client_at("203.0.113.9")
    path = "/_allauth/app/v1/auth/login"
    for _ in range(6):
        refused = stranger.post(path, json.dumps({"email": owner.email, "password": "nope"}), "application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "too_many_login_attempts"

    owner_app = client_at(OWNER_ADDRESS)
    response = owner_app.post(path, json.dumps({"email": owner.email, "password": PASSWORD}), "application/json")
    assert response.status_code == 200


def test_a_right_password_does_not_use_up_the_limits():
    owner = VerifiedUserFactory()
    device = client_at(OWNER_ADDRESS)
    for _ in range(8):
        assert signed_in(log_in(device, owner.email, PASSWORD))
        device.post("/accounts/logout/")
