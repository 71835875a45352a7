import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError

from {{ cookiecutter.project_slug }}.accounts.models import User

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_identifier():
    user = User.objects.create_user("Founder@Example.COM", "a-long-password-1")

    assert user.email == "Founder@example.com"  # the domain is normalised, the local part kept
    assert authenticate(username="founder@example.com", password="a-long-password-1") == user


def test_email_is_unique_regardless_of_case():
    UserFactory(email="ada@example.com")

    with pytest.raises(IntegrityError):
        UserFactory(email="ADA@example.com")


def test_every_user_gets_a_public_version_7_uuid():
    first, second = UserFactory(), UserFactory()

    assert first.public_id.version == 7
    assert first.public_id != second.public_id
    assert User.objects.get(public_id=second.public_id) == second


def test_superuser_gets_admin_rights():
    admin = User.objects.create_superuser("root@example.com", "a-long-password-1")

    assert admin.is_staff
    assert admin.is_superuser


def test_user_without_email_is_refused():
    with pytest.raises(ValueError, match="needs an email address"):
        User.objects.create_user("", "x")


def test_passwords_are_hashed_with_argon2_and_older_hashes_upgraded(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")  # as stored before the switch
    user.save(update_fields=["password"])

    assert authenticate(username=user.email, password=PASSWORD) == user

    user.refresh_from_db()
    assert user.password.startswith("argon2$")
