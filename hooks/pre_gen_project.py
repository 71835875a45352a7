"""Refuse bad answers before cookiecutter writes anything.

Each rule names the field and the rule in one sentence and exits non-zero;
cookiecutter then removes the half-made output folder.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

# Top-level modules the generated project has or imports: a package with one of
# these names would shadow it, because the project root is on sys.path.
SHADOWED_MODULES = frozenset(
    {
        # the project's own top-level folders
        "config",
        "docs",
        "loadtests",
        "manage",
        "scripts",
        "static",
        "templates",
        "test",
        "tests",
        # the stack and its tooling
        "allauth",
        "argon2",
        "asgiref",
        "boto3",
        "botocore",
        "celery",
        "django",
        "django_dramatiq",
        "django_redis",
        "dramatiq",
        "dramatiq_crontab",
        "drf_spectacular",
        "factory",
        "faker",
        "fido2",
        "gunicorn",
        "jwt",
        "mypy",
        "pika",
        "psycopg",
        "psycopg_pool",
        "pytest",
        "pytest_django",
        "redis",
        "rest_framework",
        "ruff",
        "sentry_sdk",
        "sqlparse",
        "storages",
        "whitenoise",
        "yaml",
    }
    | set(getattr(sys, "stdlib_module_names", ()))
)

SLUG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadAnswer(Exception):
    """An answer that breaks a rule; the message is one sentence for the user."""


def check_slug(slug: str) -> None:
    if not SLUG.match(slug):
        raise BadAnswer(
            f'project_slug "{slug}" must be a lowercase Python identifier of 2 to 40 characters '
            "(a-z, 0-9 and _, starting with a letter), such as acme_cloud."
        )
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        raise BadAnswer(f'project_slug "{slug}" is a Python keyword; choose another name.')
    if slug in SHADOWED_MODULES:
        raise BadAnswer(
            f'project_slug "{slug}" would shadow the module "{slug}" that the project imports; choose another name.'
        )


def is_domain(domain: str) -> bool:
    labels = domain.split(".")
    return (
        len(domain) <= 253
        and len(labels) >= 2
        and all(LABEL.match(label) for label in labels)
        and re.match(r"^[a-z]{2,63}$", labels[-1]) is not None
    )


def check_domain(domain: str) -> None:
    if not is_domain(domain):
        raise BadAnswer(
            f'domain_name "{domain}" must be a lowercase domain name without scheme, port or path, '
            "such as app.example.com."
        )


def check_email(email: str) -> None:
    local, at, domain = email.rpartition("@")
    if not at or not EMAIL_LOCAL.match(local) or ".." in local or not is_domain(domain.lower()):
        raise BadAnswer(f'email "{email}" must be an address such as founders@example.com.')


def check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadAnswer(f'timezone "{name}" must be an IANA time zone name such as UTC or Europe/Paris.') from None


def check_version(version: str) -> None:
    if not VERSION.match(version):
        raise BadAnswer(f'version "{version}" must be three numbers such as 0.1.0.')


def check_text(field: str, value: str, *, max_length: int) -> None:
    if not value.strip() or len(value) > max_length or CONTROL.search(value):
        raise BadAnswer(f"{field} must be 1 to {max_length} characters on one line, without control characters.")


def check_name(name: str) -> None:
    check_text("project_name", name, max_length=60)
    if '"' in name or "\\" in name:
        raise BadAnswer("project_name must not contain double quotes or backslashes.")


def validate(answers: dict[str, str]) -> None:
    check_name(answers["project_name"])
    check_text("description", answers["description"], max_length=200)
    check_text("author_name", answers["author_name"], max_length=100)
    check_slug(answers["project_slug"])
    check_email(answers["email"])
    check_domain(answers["domain_name"])
    check_timezone(answers["timezone"])
    check_version(answers["version"])


def main() -> int:
    try:
        validate(ANSWERS)
    except BadAnswer as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
