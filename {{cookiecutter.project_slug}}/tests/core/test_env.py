from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env, read_dotenv


def test_typed_values_are_parsed():
    env = Env({"FLAG": "yes", "COUNT": "7", "HOSTS": "a.example.com, b.example.com,", "NAME": "x"})

    assert env.bool("FLAG") is True
    assert env.int("COUNT") == 7
    assert env.list("HOSTS") == ["a.example.com", "b.example.com"]
    assert env.str("NAME") == "x"
    env.check()


def test_defaults_apply_when_unset_or_empty():
    env = Env({"EMPTY": ""})

    assert env.str("EMPTY", default="fallback") == "fallback"
    assert env.int("MISSING", default=3) == 3
    assert env.bool("MISSING", default=True) is True
    env.check()


def test_every_problem_is_named_at_once():
    env = Env({"DEBUG": "maybe", "PORT": "eighty", "POOL": "0", "REDIS_URL": "http://x"})
    env.str("SECRET_KEY")
    env.bool("DEBUG")
    env.int("PORT")
    env.int("POOL", min_value=1)
    env.url("REDIS_URL", schemes=("redis", "rediss"))

    with pytest.raises(ImproperlyConfigured) as error:
        env.check()

    message = str(error.value)
    assert "SECRET_KEY is required but not set" in message
    assert "DEBUG must be true or false" in message
    assert "PORT must be a whole number, got 'eighty'" in message
    assert "POOL must be at least 1, got 0" in message
    assert "REDIS_URL must be a URL starting with redis:// or rediss://" in message


def test_short_secret_is_refused():
    env = Env({"DJANGO_SECRET_KEY": "short"})
    env.str("DJANGO_SECRET_KEY", min_length=50)

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be at least 50 characters"):
        env.check()


def test_database_url_is_parsed_with_options():
    env = Env({"DATABASE_URL": "postgres://app:p%40ss@db.internal:6432/shop?sslmode=require"})

    config = env.database("DATABASE_URL")

    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "app",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6432",
        "OPTIONS": {"sslmode": "require"},
    }


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://u@h/db", "must be a URL starting with postgres://"),
        ("postgres://u@h:5432/", "must name a database"),
        ("postgres://u@h:99999/db", "has an invalid port"),
    ],
)
def test_bad_database_url_is_refused(url, problem):
    env = Env({"DATABASE_URL": url})

    assert env.database("DATABASE_URL") is None
    assert problem in env.errors["DATABASE_URL"]


def test_dotenv_values_yield_to_the_real_environment(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\n"
        "export A=from-file\n"
        "B='quoted # not a comment'\n"
        "C=value # trailing comment\n"
        "D=\n"
        "E=  # only a comment\n"
    )

    env = Env({"A": "from-environment"}, dotenv=dotenv)

    assert env.str("A") == "from-environment"
    assert env.str("B") == "quoted # not a comment"
    assert env.str("C") == "value"
    assert env.str("D", default="unset") == "unset"
    assert env.str("E", default="unset") == "unset"


def test_malformed_dotenv_line_names_the_line(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("GOOD=1\nthis is not a setting\n")

    with pytest.raises(ImproperlyConfigured, match=r"\.env, line 2: expected NAME=value"):
        read_dotenv(dotenv)


@pytest.mark.parametrize(
    ("url", "backend", "options"),
    [
        ("console://", "{{ cookiecutter.project_slug }}.core.email.ConsoleEmailBackend", None),
        ("locmem://", "django.core.mail.backends.locmem.EmailBackend", None),
        (
            "smtp://apikey:s%2Fcret@smtp.example.com:587?tls=true",
            "django.core.mail.backends.smtp.EmailBackend",
            {
                "host": "smtp.example.com",
                "port": 587,
                "username": "apikey",
                "password": "s/cret",
                "timeout": 10,
                "use_tls": True,
            },
        ),
        (
            "smtps://mail.example.com",
            "django.core.mail.backends.smtp.EmailBackend",
            {"host": "mail.example.com", "port": 465, "username": "", "password": "", "timeout": 10, "use_ssl": True},
        ),
    ],
)
def test_email_url_becomes_a_mailer(url, backend, options):
    env = Env({"EMAIL_URL": url})

    mailer = env.mailer("EMAIL_URL")

    assert mailer["BACKEND"] == backend
    assert mailer.get("OPTIONS") == options
    env.check()


@pytest.mark.parametrize(
    ("url", "problem"),
    [("http://mail.example.com", "must be a URL starting with smtp://"), ("smtp://", "must name the mail server")],
)
def test_bad_email_url_is_refused(url, problem):
    env = Env({"EMAIL_URL": url})

    env.mailer("EMAIL_URL")

    assert problem in env.errors["EMAIL_URL"]
