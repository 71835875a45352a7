"""What the API itself stores: the first response to each Idempotency-Key (api.idempotency)."""

from typing import ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyRecord(models.Model):
    principal = models.CharField(max_length=64)  # "user:<id>" or "key:<id>": keys are per caller
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["principal", "key"], name="api_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
