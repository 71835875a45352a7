"""Jobs of the core app."""

import logging
from typing import Any

import dramatiq

from .email import InvalidPayload, payload_to_message

logger = logging.getLogger(__name__)


@dramatiq.actor(
    max_retries=8,  # backoff doubles from 10 s: the last try is about 40 minutes after the first
    min_backoff=10_000,
    max_backoff=30 * 60_000,
    time_limit=60_000,
    throws=(InvalidPayload,),
)
def send_email(payload: dict[str, Any]) -> None:
    """Deliver one queued email with the "delivery" mailer (EMAIL_URL)."""
    try:
        message = payload_to_message(payload)
    except InvalidPayload as error:
        logger.error("send_email rejected a malformed payload: %s", error)
        raise
    message.send(using="delivery")
    logger.info("sent email %r to %d recipient(s)", message.subject, len(message.recipients()))
