"""Sign up, verify with the emailed code, sign in: mail goes through the job queue."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.conftest import code_in
from tests.factories import PASSWORD, EmailAddressFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email: str, capture) -> None:
    with capture(execute=True):
        response = client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"


def test_signup_queues_a_verification_code_and_the_code_verifies(client, jobs, django_capture_on_commit_callbacks):
    sign_up(client, "new@example.com", django_capture_on_commit_callbacks)
    assert mail.outbox == [], "the request only queued the mail"

    jobs.run()
    [message] = mail.outbox
    assert message.to == ["new@example.com"]

    response = client.post("/accounts/confirm-email/", {"code": code_in(message)})

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get("/").context["user"].email == "new@example.com"


def test_a_wrong_code_is_refused_with_a_message(client, jobs, django_capture_on_commit_callbacks):
    sign_up(client, "typo@example.com", django_capture_on_commit_callbacks)
    jobs.run()

    response = client.post("/accounts/confirm-email/", {"code": "AAAA-AAAA"})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not EmailAddress.objects.filter(email="typo@example.com").exists(), "no account until the code is right"


def test_unverified_user_cannot_sign_in(client, jobs, django_capture_on_commit_callbacks):
    address = EmailAddressFactory(verified=False, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/", {"login": address.email, "password": PASSWORD})

    assert response["Location"] == "/accounts/confirm-email/", "asked for the emailed code first"
    assert "_auth_user_id" not in client.session
    jobs.run()
    assert mail.outbox[-1].to == [address.email]


def test_verified_user_signs_in_and_sees_their_email(client):
    user = VerifiedUserFactory()

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signing_in_by_emailed_code(client, jobs, django_capture_on_commit_callbacks, verified_user):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": verified_user.email})
    assert response["Location"] == "/accounts/login/code/confirm/"
    jobs.run()

    response = client.post("/accounts/login/code/confirm/", {"code": code_in(mail.outbox[-1])})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(verified_user.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD}, "Enter a valid email address."),
        ({"email": "a" * 250 + "@example.com", "password1": PASSWORD, "password2": PASSWORD}, "at most"),
        ({"email": "short@example.com", "password1": "short", "password2": "short"}, "too short"),
        ({"email": "mismatch@example.com", "password1": PASSWORD, "password2": PASSWORD + "x"}, "same password"),
    ],
)
def test_signup_refuses_bad_input_with_a_message(client, data, message):
    response = client.post("/accounts/signup/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
