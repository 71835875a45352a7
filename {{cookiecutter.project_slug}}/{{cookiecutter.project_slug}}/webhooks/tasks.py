"""Delivering webhooks: signed, retried with backoff, every attempt logged."""

import json
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from {{ cookiecutter.project_slug }}.core.email import render_mail, site_url
from {{ cookiecutter.project_slug }}.core.jobs.actors import InvalidPayload, actor, current_attempt, is_final_attempt
from {{ cookiecutter.project_slug }}.organizations.models import Membership, Role

from . import http, signing
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; Dramatiq retries the message with backoff."""


def retry_policy() -> dict[str, int]:
    """How deliveries are retried: the WEBHOOK_* settings, given with each message (services.send_on_commit)."""
    return {
        "max_retries": settings.WEBHOOK_MAX_RETRIES,
        "min_backoff": settings.WEBHOOK_RETRY_MIN_BACKOFF_MS,
        "max_backoff": settings.WEBHOOK_RETRY_MAX_BACKOFF_MS,
    }


@actor(queue_name="webhooks", time_limit=60_000)  # retries: retry_policy(), carried by each message
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
    response = http.post(
        endpoint.url,
        body,
        signing.headers(endpoint.secret, str(delivery.public_id), body),
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,  # checked again: the name may point elsewhere now
        require_https=settings.WEBHOOKS_REQUIRE_HTTPS,
    )
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
        record_success(endpoint)
        return
    final = is_final_attempt()
    if final:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status"])
    if not final:
        raise DeliveryFailed(f"{endpoint.url} answered {response.status or response.error}")
    if record_final_failure(endpoint):
        logger.warning("disabled webhook endpoint %s after repeated failures", endpoint.public_id)


def record_final_failure(endpoint: WebhookEndpoint) -> bool:
    """Count a delivery that failed every retry; disable the endpoint at the threshold. True if disabled."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.consecutive_failures += 1
        disable = endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
        if disable:
            endpoint.is_active = False
            endpoint.disabled_at = timezone.now()
            endpoint.disabled_reason = (
                f"Disabled automatically after {endpoint.consecutive_failures} deliveries in a row failed."
            )
        endpoint.save(update_fields=["consecutive_failures", "is_active", "disabled_at", "disabled_reason"])
        if disable:
            _notify_disabled(endpoint)
    return disable


def record_success(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).exclude(consecutive_failures=0).update(consecutive_failures=0)


def endpoint_disabled_mail(endpoint: WebhookEndpoint, *, to: list[str]) -> EmailMultiAlternatives:
    """The mail telling an organization's owners and admins that an endpoint was disabled, not yet sent."""
    path = reverse("webhook_endpoint", args=[endpoint.organization.public_id, endpoint.public_id])
    return render_mail(
        template="webhooks/email/endpoint_disabled",
        subject=f"[{settings.PROJECT_NAME}] A webhook endpoint of {endpoint.organization.name} was disabled",
        to=to,
        context={"endpoint": endpoint, "organization": endpoint.organization, "link": site_url(path)},
    )


def _notify_disabled(endpoint: WebhookEndpoint) -> None:
    admins = Membership.objects.filter(
        organization=endpoint.organization, role__in=[Role.OWNER, Role.ADMIN]
    ).values_list("user__email", flat=True)
    endpoint_disabled_mail(endpoint, to=list(admins)).send()
