"""Send every email through the job queue, each with a text and an HTML part.

``QueuedEmailBackend`` is the default mailer: it turns each message into a
plain payload and enqueues ``send_email`` after the surrounding transaction
commits. The job delivers it with the "delivery" mailer (EMAIL_URL: SMTP in
production, the console locally), retrying with backoff when the server is down.

Mails are written as a pair of templates, ``<name>.txt`` and ``<name>.html`` (the HTML
one extends ``email/base.html``, the branded layout); ``render_mail`` renders both. A
message sent with a text part only gets an HTML part made from its text in the same
layout, so no mail leaves without one. ``/dev/emails/`` previews every mail (DEBUG only):
an app lists its mails in its ``emails.py`` with ``@email_preview``.
"""

import base64
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TypedDict

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks, urlize
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import mark_safe

from .jobs.actors import InvalidPayload, actor
from .jobs.sending import send_on_commit

logger = logging.getLogger(__name__)

ADDRESS_FIELDS = ("to", "cc", "bcc", "reply_to")
HTML = "text/html"
PREVIEWS: dict[str, Callable[[], EmailMessage]] = {}


class EmailPayload(TypedDict):
    """A queued message as JSON: what ``message_to_payload`` makes and ``payload_to_message`` rebuilds."""

    subject: str
    body: str
    from_email: str | None
    to: list[str]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    headers: dict[str, str]
    alternatives: list[list[str]]  # [content, mimetype]
    content_subtype: str
    attachments: list[list[str | None]]  # [filename, base64 data, mimetype]


def site_url(path: str) -> str:
    """An absolute link for a mail sent outside a request (from a job): the site's domain and protocol."""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{Site.objects.get_current().domain}{path}"


def render_mail(*, template: str, subject: str, to: list[str], context: Mapping[str, object]) -> EmailMultiAlternatives:
    """A message from ``<template>.txt`` and ``<template>.html``; both get ``project_name`` and ``subject``."""
    full_context = {"project_name": settings.PROJECT_NAME, "subject": subject, **context}
    message = EmailMultiAlternatives(subject=subject, body=render_to_string(f"{template}.txt", full_context), to=to)
    message.attach_alternative(render_to_string(f"{template}.html", full_context), HTML)
    return message


def html_from_text(subject: str, text: str) -> str:
    """The branded HTML part of a mail that has only text: its paragraphs, links made clickable."""
    body = mark_safe(linebreaks(urlize(escape(text.strip()), autoescape=False)))  # noqa: S308 (escaped above)
    context = {"project_name": settings.PROJECT_NAME, "subject": subject, "body_html": body}
    return render_to_string("email/base.html", context)


def with_html(payload: EmailPayload) -> EmailPayload:
    """Give a queued message's payload an HTML part when it has none (a plain-text mail)."""
    if payload["content_subtype"] == "plain" and not any(mime == HTML for _c, mime in payload["alternatives"]):
        payload["alternatives"].append([html_from_text(payload["subject"], payload["body"]), HTML])
    return payload


def email_preview(name: str) -> Callable[[Callable[[], EmailMessage]], Callable[[], EmailMessage]]:
    """Register a function that builds a sample of one mail, for the previews at /dev/emails/."""

    def register(build: Callable[[], EmailMessage]) -> Callable[[], EmailMessage]:
        PREVIEWS[name] = build
        return build

    return register


def previews() -> dict[str, Callable[[], EmailMessage]]:
    """Every registered mail preview, from each installed app's ``emails`` module."""
    autodiscover_modules("emails")
    return dict(sorted(PREVIEWS.items()))


def message_to_payload(message: EmailMessage) -> EmailPayload:
    """Turn a message into JSON-serialisable data the worker can rebuild it from."""
    attachments: list[list[str | None]] = []
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
        "to": _addresses(message.to),
        "cc": _addresses(message.cc),
        "bcc": _addresses(message.bcc),
        "reply_to": _addresses(message.reply_to),
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "content_subtype": message.content_subtype,
        "attachments": attachments,
    }


def _addresses(addresses: Sequence[object]) -> list[str]:
    return [str(address) for address in addresses]


def _strings(payload: dict[str, object], field: str) -> list[str]:
    value = payload.get(field, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and "@" in item for item in value):
        raise InvalidPayload(f"{field} must be a list of email addresses")
    return value


def payload_to_message(payload: object) -> EmailMultiAlternatives:
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


@actor(
    max_retries=8,  # backoff doubles from 10 s: the last try is about 40 minutes after the first
    min_backoff=10_000,
    max_backoff=30 * 60_000,
    time_limit=60_000,
)
def send_email(payload: EmailPayload) -> None:
    """Deliver one queued email with the "delivery" mailer (EMAIL_URL)."""
    try:
        message = payload_to_message(payload)
    except InvalidPayload as error:
        logger.error("send_email rejected a malformed payload: %s", error)
        raise
    message.send(using="delivery")
    logger.info("sent email %r to %d recipient(s)", message.subject, len(message.recipients()))


class QueuedEmailBackend(BaseEmailBackend):
    """A mail backend that enqueues messages instead of talking to a mail server."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_on_commit(send_email, with_html(message_to_payload(message)))
            count += 1
        return count


class ConsoleEmailBackend(DjangoConsoleBackend):
    """Development mail (EMAIL_URL=console://): each message as a person reads it.

    Django's console backend prints the encoded message, where quoted-printable
    breaks long links across lines; this prints the headers that matter and the
    text itself, so every link is whole and can be clicked or copied.
    """

    def write_message(self, message: EmailMessage) -> None:
        lines = [f"{name}: {value}" for name, value in self._headers(message) if value]
        lines += ["", str(message.body).rstrip(), ""]
        alternatives = [str(mimetype) for _content, mimetype in getattr(message, "alternatives", [])]
        if alternatives:
            lines.append(f"(also as {', '.join(alternatives)})")
        for attachment in message.attachments:
            name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
            lines.append(f"(attached: {name})")
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")

    @staticmethod
    def _headers(message: EmailMessage) -> list[tuple[str, str]]:
        return [
            ("Subject", str(message.subject)),
            ("From", str(message.from_email)),
            ("To", ", ".join(map(str, message.to))),
            ("Cc", ", ".join(map(str, message.cc))),
            ("Reply-To", ", ".join(map(str, message.reply_to))),
        ]
