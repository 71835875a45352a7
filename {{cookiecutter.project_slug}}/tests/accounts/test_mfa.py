"""Two-factor sign-in: TOTP with recovery codes; codes cannot be replayed."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from tests.conftest import sign_in
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db


def totp_now(secret):
    """The current TOTP code, taken early enough in its 30-second period to still be valid when posted."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def user_with_totp():
    user = VerifiedUserFactory()
    client = Client()
    sign_in(client, user, reauthenticate=True)
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[-800:]
    return user, secret


def test_activating_totp_also_creates_recovery_codes(user_with_totp):
    user, _ = user_with_totp

    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))

    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


def test_sign_in_then_asks_for_the_code(user_with_totp):
    user, secret = user_with_totp
    client = Client()

    assert sign_in(client, user) == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()

    right = client.post("/accounts/2fa/authenticate/", {"code": totp_now(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_code_cannot_be_replayed(user_with_totp):
    user, secret = user_with_totp
    code = totp_now(secret)
    first, second = Client(), Client()
    sign_in(first, user)
    sign_in(second, user)

    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    replay = second.post("/accounts/2fa/authenticate/", {"code": code})

    assert replay.status_code == 200
    assert "_auth_user_id" not in second.session


def test_a_recovery_code_signs_in_once(user_with_totp):
    user, _ = user_with_totp
    recovery = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    code = recovery.get_unused_codes()[0]
    first, second = Client(), Client()
    sign_in(first, user)
    sign_in(second, user)

    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert second.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
