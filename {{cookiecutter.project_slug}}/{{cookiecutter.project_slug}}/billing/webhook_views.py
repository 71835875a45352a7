"""Stripe's webhook endpoint: verify the signature with the SDK, store the event once, answer at once."""

import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its deliveries; there is no browser session to protect
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not settings.BILLING_ENABLED:
        return JsonResponse({"error": "Billing is not configured."}, status=404)
    signature = request.headers.get("Stripe-Signature", "")
    if not signature:
        return JsonResponse({"error": "The Stripe-Signature header is missing."}, status=400)
    try:
        stored = services.event_receive(payload=request.body, signature=signature)
    except (ValueError, stripe.SignatureVerificationError) as error:
        logger.warning("refused a Stripe webhook delivery: %s", error)
        return JsonResponse({"error": "The signature or the payload is not valid."}, status=400)
    return JsonResponse({"received": True, "duplicate": stored is None})
