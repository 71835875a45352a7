"""Moving onto the project without forcing every user to reset: import their existing hashes."""

import json

import bcrypt
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command

from {{ cookiecutter.project_slug }}.accounts.models import User

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]


@pytest.fixture(autouse=True)
def _production_hashers(settings):
    settings.PASSWORD_HASHERS = ALL_HASHERS


def exported_bcrypt(password: str, prefix: bytes = b"2b") -> str:
    """A hash as another system (Rails, Laravel, Node) exports it."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4, prefix=prefix)).decode()


def test_users_sign_in_with_their_old_password_and_the_hash_is_upgraded(tmp_path):
    export = tmp_path / "users.csv"
    export.write_text(
        "email,password_hash,name,email_verified\n"
        f"ada@example.com,{exported_bcrypt('analytical engine')},Ada Lovelace,true\n"
        f"grace@example.com,{exported_bcrypt('cobol forever', b'2a')},Grace Hopper,false\n"
    )

    call_command("import_users", str(export))

    ada = User.objects.get(email="ada@example.com")
    assert ada.name == "Ada Lovelace"
    assert EmailAddress.objects.get(user=ada).verified
    assert not EmailAddress.objects.get(email="grace@example.com").verified
    assert authenticate(username="ada@example.com", password="analytical engine") == ada
    ada.refresh_from_db()
    assert ada.password.startswith("argon2$"), "upgraded to Argon2 on the first sign-in"
    assert authenticate(username="grace@example.com", password="cobol forever") is not None


def test_php_style_and_django_hashes_are_accepted_and_empty_means_no_password(tmp_path):
    php = exported_bcrypt("php secret").replace("$2b$", "$2y$", 1)
    export = tmp_path / "users.jsonl"
    export.write_text(
        "\n".join(
            json.dumps(record)
            for record in [
                {"email": "php@example.com", "password_hash": php},
                {"email": "django@example.com", "password_hash": make_password("dj secret", hasher="pbkdf2_sha256")},
                {"email": "nopass@example.com", "password_hash": ""},
            ]
        )
    )

    call_command("import_users", str(export))

    assert authenticate(username="php@example.com", password="php secret") is not None
    assert authenticate(username="django@example.com", password="dj secret") is not None
    assert not User.objects.get(email="nopass@example.com").has_usable_password()


def test_one_bad_record_imports_nothing_and_every_problem_is_named(tmp_path):
    UserFactory(email="taken@example.com")
    export = tmp_path / "users.csv"
    export.write_text(
        "email,password_hash,email_verified\n"
        f"fine@example.com,{exported_bcrypt('x')},true\n"
        "not-an-email,,true\n"
        "weird@example.com,md5$plain$hash,true\n"
        "flag@example.com,,maybe\n"
        "TAKEN@example.com,,true\n"
        "fine@example.com,,true\n"
    )

    with pytest.raises(CommandError) as error:
        call_command("import_users", str(export))

    message = str(error.value)
    assert "line 3: 'not-an-email' is not an email address" in message
    assert "line 4: unrecognised password hash format" in message
    assert "line 5: email_verified must be true or false" in message
    assert "TAKEN@example.com already has an account" in message
    assert "line 7: fine@example.com appears twice" in message
    assert not User.objects.filter(email="fine@example.com").exists()


def test_a_dry_run_checks_and_imports_nothing(tmp_path):
    export = tmp_path / "users.csv"
    export.write_text(f"email,password_hash\nnew@example.com,{exported_bcrypt('x')}\n")

    call_command("import_users", str(export), "--dry-run")

    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("users.txt", "email\n", "expected a .csv or .jsonl file"),
        ("users.csv", "mail,password\n", "the header must name an 'email' column"),
        ("users.jsonl", "{not json}\n", "line 1: not valid JSON"),
    ],
)
def test_unreadable_files_are_refused_clearly(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content)

    with pytest.raises(CommandError, match=problem):
        call_command("import_users", str(path))
