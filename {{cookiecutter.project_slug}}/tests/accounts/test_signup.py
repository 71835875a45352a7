"""Sign up, confirm the emailed link, sign in: the whole path, mail going through the job queue."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


def test_signup_sends_a_verification_mail_through_the_queue_and_the_link_verifies(
    client, jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    assert mail.outbox == [], "the request only queues the mail"

    jobs.run()

    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    confirm_path = LINK.search(message.body).group(1)

    assert client.post(confirm_path).status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified


def test_unverified_user_cannot_sign_in(client, jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "late@example.com", "password1": PASSWORD, "password2": PASSWORD})
        client.logout()
        response = client.post("/accounts/login/", {"login": "late@example.com", "password": PASSWORD})

    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_verified_user_signs_in_and_sees_their_email(client):
    user = VerifiedUserFactory()

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)
