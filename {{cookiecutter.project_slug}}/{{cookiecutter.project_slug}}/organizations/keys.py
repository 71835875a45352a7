"""Organization API keys: how they look, how they are made, checked and revoked.

A token reads ``<API_KEY_PREFIX>_<60 letters and digits>``: 22 characters of the
key's public id, a 32-character secret (190 random bits) and a 6-character
CRC32 checksum of the two, after GitHub's token format. The prefix makes a
leaked key easy to recognise in logs and by secret scanners; the checksum lets
a scanner (and ``authenticate_token``) reject a mistyped or made-up token
without a database query. Only a SHA-256 hash of the secret is stored, and the
token is shown once, when the key is made.

Checking a token costs no query once warm: what never changes about a key
(organization, hash, expiry) is kept in this process, and what does change
(scopes, revocation) is its permission set, cached with versioned keys and
invalidated like a member's role (organizations.permissions).
"""

import hashlib
import hmac
import re
import secrets
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, NotFound, PermissionDenied

from .models import ApiKey, Organization
from .permissions import API_KEY_SCOPES, Perm, has_permission, permissions_changed, permissions_for
from .tasks import record_api_key_use

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BODY = re.compile(r"^[0-9A-Za-z]{60}$")
MAX_NAME_LENGTH = 100
MAX_EXPIRY_DAYS = 366
LAST_USED_PRECISION = 300  # seconds: "last used" is written at most this often per key and process


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def _number(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + ALPHABET.index(char)
    return number


def _checksum(text: str) -> str:
    return _base62(zlib.crc32(text.encode()), 6)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_token(public_id: uuid.UUID, secret: str) -> str:
    body = _base62(public_id.int, 22) + secret
    return f"{settings.API_KEY_PREFIX}_{body}{_checksum(body)}"


def parse_token(token: str) -> tuple[uuid.UUID, str] | None:
    """The key's public id and the secret, or None for anything that is not a well-formed token."""
    prefix, _, body = token.rpartition("_")
    if not prefix or not BODY.match(body) or _checksum(body[:54]) != body[54:]:
        return None
    number = _number(body[:22])
    if number >= 1 << 128:
        return None
    return uuid.UUID(int=number), body[22:54]


# --- Services -------------------------------------------------------------------


def _clean_scopes(scopes: list[str], *, actor: Any, organization: Organization) -> list[str]:
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown:
        raise InvalidInput(f"Unknown scope {unknown[0]!r}; choose from {', '.join(sorted(API_KEY_SCOPES))}.")
    if not scopes:
        raise InvalidInput("Choose at least one scope.")
    mine = permissions_for(organization_public_id=organization.public_id, user_id=int(actor.pk))
    beyond = sorted(set(scopes) - mine)
    if beyond:
        raise PermissionDenied(f"You cannot grant {beyond[0]!r}: you do not have it yourself.")
    return sorted(set(scopes))


def _require_manage(actor: Any, organization: Organization) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=Perm.API_KEYS_MANAGE):
        raise PermissionDenied("Only owners and admins manage API keys.")


@transaction.atomic
def api_key_create(
    *, organization: Organization, actor: Any, name: str, scopes: list[str], expires_in_days: int | None
) -> tuple[ApiKey, str]:
    """Make a key; return it and its token, which is never shown again."""
    _require_manage(actor, organization)
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A key needs a name of 1 to {MAX_NAME_LENGTH} characters.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(f"A key expires after 1 to {MAX_EXPIRY_DAYS} days, or never.")
    secret = "".join(secrets.choice(ALPHABET) for _ in range(32))
    key = ApiKey(
        organization=organization,
        name=name,
        scopes=_clean_scopes(scopes, actor=actor, organization=organization),
        secret_hash=hash_secret(secret),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    token = make_token(key.public_id, secret)
    key.hint = token[-4:]
    key.save()
    permissions_changed(organization_public_id=organization.public_id, user_id=-key.pk)
    return key, token


@transaction.atomic
def api_key_change_scopes(*, key: ApiKey, actor: Any, scopes: list[str]) -> ApiKey:
    _require_manage(actor, key.organization)
    key.scopes = _clean_scopes(scopes, actor=actor, organization=key.organization)
    key.save(update_fields=["scopes"])
    permissions_changed(organization_public_id=key.organization.public_id, user_id=-key.pk)
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Any) -> ApiKey:
    """Stop the key at once: the very next request with it is refused."""
    _require_manage(actor, key.organization)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        permissions_changed(organization_public_id=key.organization.public_id, user_id=-key.pk)
    return key


# --- Selectors ------------------------------------------------------------------


def api_keys_of(*, organization: Organization) -> QuerySet[ApiKey]:
    return organization.api_keys.select_related("created_by").order_by("revoked_at", "-created_at")


def api_key_in(*, organization: Organization, public_id: str) -> ApiKey:
    try:
        return organization.api_keys.select_related("organization").get(public_id=uuid.UUID(public_id))
    except (ValueError, ApiKey.DoesNotExist):
        raise NotFound("No such API key in this organization.") from None


# --- Authentication ---------------------------------------------------------------


@dataclass(frozen=True)
class ApiKeyUser:
    """``request.user`` of a request made with an API key: the key acts, not a person."""

    api_key_id: int
    public_id: uuid.UUID
    organization_public_id: uuid.UUID
    pk = None
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __str__(self) -> str:
        return f"API key {self.public_id}"


@dataclass(frozen=True)
class _Record:
    """What never changes about a key, so this process may keep it."""

    key_id: int
    organization_public_id: uuid.UUID
    secret_hash: str
    expires_at: datetime | None


class InvalidToken(Exception):
    """The token is not a live key; the message says why and is safe to show."""


_records: dict[uuid.UUID, _Record] = {}
_last_used: dict[int, float] = {}
_lock = threading.Lock()
MAX_RECORDS = 10_000


def _record(public_id: uuid.UUID) -> _Record | None:
    record = _records.get(public_id)
    if record is None:
        # From the primary: a key made a moment ago may not have reached a replica yet, and
        # the request using it is another principal's, with no write position to wait for.
        columns = ("pk", "organization__public_id", "secret_hash", "expires_at")
        row = ApiKey.objects.using(DEFAULT_DB_ALIAS).filter(public_id=public_id).values_list(*columns).first()
        if row is None:
            return None
        record = _Record(*row)
        with _lock:
            if len(_records) >= MAX_RECORDS:
                _records.clear()
            _records[public_id] = record
    return record


def authenticate_token(token: str) -> ApiKeyUser:
    """The key a token belongs to, if it is live; InvalidToken otherwise."""
    parsed = parse_token(token)
    if parsed is None:
        raise InvalidToken("This is not an API key.")
    public_id, secret = parsed
    record = _record(public_id)
    if record is None or not hmac.compare_digest(record.secret_hash, hash_secret(secret)):
        raise InvalidToken("Unknown API key.")
    if record.expires_at is not None and record.expires_at <= timezone.now():
        raise InvalidToken("This API key has expired.")
    if not permissions_for(organization_public_id=record.organization_public_id, user_id=-record.key_id):
        raise InvalidToken("This API key was revoked.")
    _note_use(record.key_id)
    return ApiKeyUser(
        api_key_id=record.key_id, public_id=public_id, organization_public_id=record.organization_public_id
    )


def _note_use(key_id: int) -> None:
    """Record "last used" through a job, at most every LAST_USED_PRECISION seconds: requests never write."""
    now = time.monotonic()
    if now - _last_used.get(key_id, -LAST_USED_PRECISION) < LAST_USED_PRECISION:
        return
    _last_used[key_id] = now
    try:
        record_api_key_use.send(key_id, timezone.now().isoformat())
    except Exception:  # "last used" is worth no failed request
        _last_used.pop(key_id, None)
