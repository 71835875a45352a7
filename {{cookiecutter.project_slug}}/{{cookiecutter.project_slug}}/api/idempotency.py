"""``Idempotency-Key`` on POST: a retried request returns the first response, and the work is done once.

Stripe's behaviour. The key (1 to 255 printable characters, a UUID is ideal) is
recorded in the same database transaction as the work: if the work fails, both
are rolled back and a retry runs again; if it succeeds, the response is stored
with it. A second request with the same key waits for the first to finish (the
unique index makes it), then replays the stored response with
``Idempotent-Replayed: true``. The same key with a different method, path or
body is refused (422). Keys are per caller (user or API key) and kept for
IDEMPOTENCY_KEY_RETENTION_HOURS.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string up to 255 characters (a UUID is ideal). A retry with the same key returns "
    "the first response instead of doing the work again.",
    pattern=r"^[\x21-\x7e]{1,255}$",
)


class KeyReused(APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for a different request; use a new key."


def _principal(request: Request) -> str:
    key_id = getattr(request.user, "api_key_id", None)
    return f"key:{key_id}" if key_id is not None else f"user:{request.user.pk}"


def _fingerprint(request: Request) -> str:
    payload = json.dumps([request.method, request.path, request.data], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def idempotent[V](handler: Callable[..., Response]) -> Callable[..., Response]:
    """Make a POST handler honour Idempotency-Key (document the header with ``PARAMETER``)."""

    @wraps(handler)
    def wrapper(view: V, request: Request, *args: object, **kwargs: object) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not VALID_KEY.match(key):
            raise ValidationError({HEADER: ["Use 1 to 255 printable ASCII characters, without spaces."]})
        principal, fingerprint = _principal(request), _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        principal=principal, key=key, fingerprint=fingerprint, status=0
                    )
            except IntegrityError:  # the first request with this key has committed
                first = IdempotencyRecord.objects.get(principal=principal, key=key)
                if first.fingerprint != fingerprint:
                    raise KeyReused() from None
                return Response(first.body, status=first.status, headers={"Idempotent-Replayed": "true"})
            response = handler(view, request, *args, **kwargs)
            record.status, record.body = response.status_code, response.data
            record.save(update_fields=["status", "body"])
        return response

    return wrapper


def purge_idempotency_records() -> int:
    """Delete records older than the retention; return how many."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
