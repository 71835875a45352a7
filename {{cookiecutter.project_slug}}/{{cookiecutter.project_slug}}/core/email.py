"""Send every email through the job queue.

``QueuedEmailBackend`` is the default mailer: it turns each message into a
plain payload and enqueues ``send_email`` after the surrounding transaction
commits. The job delivers it with the "delivery" mailer (EMAIL_URL: SMTP in
production, the console locally), retrying with backoff when the server is down.
"""

import base64
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from .jobs import InvalidPayload, send_on_commit

ADDRESS_FIELDS = ("to", "cc", "bcc", "reply_to")


def message_to_payload(message: EmailMessage) -> dict[str, Any]:
    """Turn a message into JSON-serialisable data the worker can rebuild it from."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise ValueError("MIME-object attachments cannot be queued; attach (filename, content, mimetype)")
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else content
        attachments.append([filename, base64.b64encode(data).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        **{field: [str(address) for address in getattr(message, field)] for field in ADDRESS_FIELDS},
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "content_subtype": message.content_subtype,
        "attachments": attachments,
    }


def _strings(payload: dict[str, Any], field: str) -> list[str]:
    value = payload.get(field, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and "@" in item for item in value):
        raise InvalidPayload(f"{field} must be a list of email addresses")
    return value


def payload_to_message(payload: Any) -> EmailMultiAlternatives:
    """Rebuild a message, refusing a payload that could never be sent."""
    if not isinstance(payload, dict):
        raise InvalidPayload("payload must be an object")
    for field in ("subject", "body"):
        if not isinstance(payload.get(field), str):
            raise InvalidPayload(f"{field} must be a string")
    recipients = {field: _strings(payload, field) for field in ADDRESS_FIELDS}
    if not (recipients["to"] or recipients["cc"] or recipients["bcc"]):
        raise InvalidPayload("the message has no recipients")
    try:
        message = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload["body"],
            from_email=payload.get("from_email"),
            headers=dict(payload.get("headers", {})),
            to=recipients["to"],
            cc=recipients["cc"],
            bcc=recipients["bcc"],
            reply_to=recipients["reply_to"],
        )
        for content, mimetype in payload.get("alternatives", []):
            message.attach_alternative(content, mimetype)
        message.content_subtype = payload.get("content_subtype", "plain")
        for filename, data, mimetype in payload.get("attachments", []):
            message.attach(filename, base64.b64decode(data, validate=True), mimetype)
    except (TypeError, ValueError) as error:
        raise InvalidPayload(f"malformed message: {error}") from error
    return message


class QueuedEmailBackend(BaseEmailBackend):
    """A mail backend that enqueues messages instead of talking to a mail server."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from .tasks import send_email

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_on_commit(send_email, message_to_payload(message))
            count += 1
        return count
