"""Delivering webhooks: signed, retried with backoff, every attempt logged."""

import json
import logging

from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.jobs import InvalidPayload, actor, current_attempt, is_final_attempt

from . import http, services, signing
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; Dramatiq retries the message with backoff."""


@actor(queue_name="webhooks", max_retries=8, min_backoff=30_000, max_backoff=6 * 3600_000, time_limit=60_000)
def deliver_webhook(delivery_id: int) -> None:
    if not isinstance(delivery_id, int) or isinstance(delivery_id, bool):
        raise InvalidPayload(f"delivery_id must be an integer, got {delivery_id!r}")
    delivery = WebhookDelivery.objects.select_related("endpoint__organization").filter(pk=delivery_id).first()
    if delivery is None:
        logger.info("webhook delivery %s no longer exists (endpoint deleted)", delivery_id)
        return
    if delivery.status == DeliveryStatus.SUCCEEDED:
        return  # a redelivered message for a delivery that already went through
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error="The endpoint is disabled."
        )
        return

    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    response = http.post(endpoint.url, body, signing.headers(endpoint.secret, str(delivery.public_id), body))
    attempt = current_attempt()
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=attempt,
        status_code=response.status,
        error=response.error[:500],
        response_excerpt=response.excerpt,
        duration_ms=response.duration_ms,
    )
    delivery.attempts = attempt
    delivery.last_status_code = response.status
    delivery.last_error = response.error[:500]
    if response.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at"])
        services.record_success(endpoint)
        return
    final = is_final_attempt()
    if final:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status"])
    if not final:
        raise DeliveryFailed(f"{endpoint.url} answered {response.status or response.error}")
    if services.record_final_failure(endpoint):
        logger.warning("disabled webhook endpoint %s after repeated failures", endpoint.public_id)
