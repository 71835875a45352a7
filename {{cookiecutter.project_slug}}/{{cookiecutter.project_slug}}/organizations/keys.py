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
invalidated like a member's role (organizations.permissions). A well-formed
token of no key costs one query, then none for UNKNOWN_TTL seconds: its public
id is remembered as unknown (ids are random, so no key can be made with it later).
The caller limits failed attempts per client (api.throttling.KeyFailures) through
``before_query``, called before any query.
"""

import hashlib
import hmac
import re
import secrets
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet
from django.utils import timezone

from {{ cookiecutter.project_slug }}.accounts.models import User
from {{ cookiecutter.project_slug }}.core.exceptions import InvalidInput, NotFound, PermissionDenied

from .models import ApiKey, Organization
from .permissions import API_KEY_SCOPES, Perm, has_permission, permissions_for, principal_id
from .principals import ApiKeyUser, Principal
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


def _clean_scopes(scopes: list[str], *, actor: Principal, organization: Organization) -> list[str]:
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown:
        raise InvalidInput(f"Unknown scope {unknown[0]!r}; choose from {', '.join(sorted(API_KEY_SCOPES))}.")
    if not scopes:
        raise InvalidInput("Choose at least one scope.")
    principal = principal_id(actor)
    mine = permissions_for(organization_public_id=organization.public_id, user_id=principal) if principal else set()
    beyond = sorted(set(scopes) - mine)
    if beyond:
        raise PermissionDenied(f"You cannot grant {beyond[0]!r}: you do not have it yourself.")
    return sorted(set(scopes))


def _require_manage(actor: Principal, organization: Organization) -> None:
    if not has_permission(user=actor, organization_public_id=organization.public_id, permission=Perm.API_KEYS_MANAGE):
        raise PermissionDenied("Only owners and admins manage API keys.")


@transaction.atomic
def api_key_create(
    *, organization: Organization, actor: Principal, name: str, scopes: list[str], expires_in_days: int | None
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
        created_by=actor if isinstance(actor, User) else None,  # keys cannot make keys; a person can
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    token = make_token(key.public_id, secret)
    key.hint = token[-4:]
    key.save()
    return key, token


@transaction.atomic
def api_key_change_scopes(*, key: ApiKey, actor: Principal, scopes: list[str]) -> ApiKey:
    _require_manage(actor, key.organization)
    key.scopes = _clean_scopes(scopes, actor=actor, organization=key.organization)
    key.save(update_fields=["scopes"])
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Principal) -> ApiKey:
    """Stop the key at once: the very next request with it is refused."""
    _require_manage(actor, key.organization)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
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
class _Record:
    """What never changes about a key, so this process may keep it."""

    key_id: int
    organization_public_id: uuid.UUID
    secret_hash: str
    expires_at: datetime | None


class InvalidToken(Exception):
    """The token is not a live key; the message says why and is safe to show."""


_records: dict[uuid.UUID, _Record] = {}
_unknown: dict[uuid.UUID, float] = {}  # public ids of no key, until this time.monotonic()
_last_used: dict[int, float] = {}
_lock = threading.Lock()
MAX_RECORDS = 10_000
UNKNOWN_TTL = 60


def _no_check() -> None:
    return None


def _record(public_id: uuid.UUID, before_query: Callable[[], None]) -> _Record | None:
    record = _records.get(public_id)
    if record is None:
        if _unknown.get(public_id, 0.0) > time.monotonic():
            return None
        before_query()
        # From the primary: a key made a moment ago may not have reached a replica yet, and
        # the request using it is another principal's, with no write position to wait for.
        columns = ("pk", "organization__public_id", "secret_hash", "expires_at")
        row = ApiKey.objects.using(DEFAULT_DB_ALIAS).filter(public_id=public_id).values_list(*columns).first()
        if row is None:
            with _lock:
                if len(_unknown) >= MAX_RECORDS:
                    _unknown.clear()
                _unknown[public_id] = time.monotonic() + UNKNOWN_TTL
            return None
        record = _Record(*row)
        with _lock:
            if len(_records) >= MAX_RECORDS:
                _records.clear()
            _records[public_id] = record
    return record


def authenticate_token(
    token: str,
    *,
    before_query: Callable[[], None] = _no_check,
    identified: Callable[[ApiKeyUser], None] | None = None,
) -> ApiKeyUser:
    """The key a token belongs to, if it is live; InvalidToken otherwise.

    ``before_query`` runs before the token costs a database query (a key this process
    does not know yet); it may raise to refuse the attempt. ``identified`` is told the
    key once its secret matches, before its permission set is read (which says whether
    it was revoked): the caller may queue work to ride along with that read
    (core.roundtrips).
    """
    parsed = parse_token(token)
    if parsed is None:
        raise InvalidToken("This is not an API key.")
    public_id, secret = parsed
    record = _record(public_id, before_query)
    if record is None or not hmac.compare_digest(record.secret_hash, hash_secret(secret)):
        raise InvalidToken("Unknown API key.")
    if record.expires_at is not None and record.expires_at <= timezone.now():
        raise InvalidToken("This API key has expired.")
    organization_public_id = record.organization_public_id
    user = ApiKeyUser(api_key_id=record.key_id, public_id=public_id, organization_public_id=organization_public_id)
    if identified is not None:
        identified(user)
    if not permissions_for(organization_public_id=organization_public_id, user_id=-record.key_id):
        raise InvalidToken("This API key was revoked.")
    _note_use(record.key_id)
    return user


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
