"""Import users with the password hashes of another system, so nobody has to reset.

    python manage.py import_users users.csv [--dry-run]
    python manage.py import_users users.jsonl

Each record has ``email`` (required), ``password_hash``, ``name`` and
``email_verified`` (true/false). Accepted hashes: bcrypt as most systems export
it (``$2a$``, ``$2b$``, ``$2y$``), and any Django hash this project can verify
(``argon2$``, ``pbkdf2_sha256$``, ``bcrypt_sha256$``, ``scrypt$``, ...). An
empty hash imports the user with an unusable password (they sign in by code or
reset it). Every record is checked first; one bad record imports nothing.
Hashes are upgraded to Argon2 the first time each user signs in.
"""

import csv
import json
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, identify_hasher
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from {{ cookiecutter.project_slug }}.accounts.models import User

TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


def to_django_hash(raw: str) -> str:
    """Django's form of an exported hash; ValueError if this project cannot verify it."""
    raw = raw.strip()
    if not raw:
        return UNUSABLE_PASSWORD_PREFIX
    if raw.startswith(("$2a$", "$2b$", "$2y$")):
        if len(raw) != 60:
            raise ValueError("a bcrypt hash is 60 characters long")
        raw = "bcrypt$$2b$" + raw[4:]  # $2y$ (PHP) and $2a$ are verified as $2b$
    try:
        identify_hasher(raw)
    except ValueError:
        raise ValueError("unrecognised password hash format") from None
    return raw


def read_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise CommandError(f"{path.name}, line {number}: not valid JSON ({error.msg})") from None
                if not isinstance(record, dict):
                    raise CommandError(f"{path.name}, line {number}: expected an object")
                records.append((number, record))
        return records
    if path.suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or "email" not in reader.fieldnames:
            raise CommandError(f"{path.name}: the header must name an 'email' column")
        return [(number, dict(row)) for number, row in enumerate(reader, start=2)]
    raise CommandError(f"{path.name}: expected a .csv or .jsonl file")


class Command(BaseCommand):
    help = "Import users with their existing password hashes (bcrypt, Django formats)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every record, import nothing")

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        records = read_records(path)
        users, errors, seen = [], [], set()
        for number, record in records:
            email = str(record.get("email") or "").strip()
            where = f"{path.name}, record at line {number}"
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"{where}: {email!r} is not an email address")
                continue
            if email.lower() in seen:
                errors.append(f"{where}: {email} appears twice")
                continue
            seen.add(email.lower())
            try:
                password = to_django_hash(str(record.get("password_hash") or ""))
            except ValueError as error:
                errors.append(f"{where}: {error}")
                continue
            verified_text = str(record.get("email_verified", "")).strip().lower()
            if verified_text not in TRUE | FALSE:
                errors.append(f"{where}: email_verified must be true or false")
                continue
            name = str(record.get("name") or "")[:150]
            users.append((User(email=email, name=name, password=password), verified_text in TRUE))
        existing = set(
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=[user.email.lower() for user, _ in users])
            .values_list("email_lower", flat=True)
        )
        errors += [f"{path.name}: {u.email} already has an account" for u, _ in users if u.email.lower() in existing]
        if errors:
            raise CommandError("nothing imported:\n" + "\n".join(errors))
        if dry_run:
            self.stdout.write(f"{len(users)} users would be imported.")
            return
        with transaction.atomic():
            for user, verified in users:
                user.save()
                EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(users)} users."))
