"""Every mail has a text and an HTML part in the branded layout, and each can be previewed in development."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import send_mail
from django.test import Client
from django.utils.html import escape

from {{ cookiecutter.project_slug }}.accounts.tasks import send_code_mail
from {{ cookiecutter.project_slug }}.core.email import message_to_payload, previews, with_html
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.organizations.services import invitation_create

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# The mails this project sends; a new one registers its preview in its app's emails.py.
SENT = {
    "accounts: verification code at sign-up",
    "accounts: verification code for another address",
    "accounts: password reset",
    "accounts: sign-in code",
    "accounts: unknown account",
    "accounts: account already exists",
    "organizations: invitation",
    "webhooks: endpoint disabled",
}


def html_of(message) -> str:
    """The HTML part of a delivered message."""
    return str(next(content for content, mimetype in message.alternatives if mimetype == "text/html"))


def parts(message) -> tuple[str, str]:
    """The text and HTML parts of a message, as the queue sends it."""
    payload = with_html(message_to_payload(message))
    html = [content for content, mimetype in payload["alternatives"] if mimetype == "text/html"]
    assert len(html) == 1, f"{message.subject!r} has {len(html)} HTML parts"
    return payload["body"], html[0]


def test_every_mail_has_a_text_and_a_branded_html_part():
    found = previews()
    assert set(found) >= SENT, f"no preview for {sorted(SENT - set(found))}"
    for name, build in found.items():
        text, html = parts(build())
        assert text.strip(), f"{name}: empty text part"
        assert html.startswith("<!DOCTYPE html>"), f"{name}: not the branded layout"
        assert escape(settings.PROJECT_NAME) in html, f"{name}: the product is not named"
        assert not re.search("[{][{]|[{][%]", text + html), f"{name}: template syntax left in the mail"


def test_sent_mails_arrive_with_both_parts(jobs, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role=Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organization=owner.organization,
            email="new@example.com",
            role=Role.MEMBER,
            invited_by=owner.user,
            link_base="https://app.example.com/",
        )
        send_code_mail(email="code@example.com", code="K7Q2MX")
    jobs.run()

    invitation = next(m for m in mail.outbox if m.to == ["new@example.com"])
    html = html_of(invitation)
    assert "https://app.example.com/invitations/" in invitation.body
    assert 'href="https://app.example.com/invitations/' in html
    code = next(m for m in mail.outbox if m.to == ["code@example.com"])
    assert "K7Q2MX" in code.body
    assert "K7Q2MX" in html_of(code)


def test_a_plain_text_mail_gets_an_html_part_with_its_text_escaped(jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Hello", "See https://example.com/x <b>not markup</b>", None, ["plain@example.com"])
    jobs.run()

    (message,) = mail.outbox
    html = html_of(message)
    assert '<a href="https://example.com/x"' in html
    assert "&lt;b&gt;not markup&lt;/b&gt;" in html


def test_mail_previews_exist_in_development_only(client: Client, settings):
    settings.DEBUG = False
    assert client.get("/dev/emails/").status_code == 404
    assert client.get("/dev/emails/organizations-invitation.html").status_code == 404


def test_mail_previews_show_each_mail_as_html_and_text(client: Client, settings):
    settings.DEBUG = True
    page = client.get("/dev/emails/").content.decode()
    links = re.findall(r'href="(/dev/emails/[\w-]+\.(?:html|txt))"', page)
    assert len(links) == 2 * len(previews())
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        if link.endswith(".html"):
            assert response["Content-Type"].startswith("text/html")
            assert "default-src 'none'" in response["Content-Security-Policy"]
        else:
            assert response["Content-Type"].startswith("text/plain")
    assert client.get("/dev/emails/no-such-mail.html").status_code == 404
    assert client.get("/dev/emails/organizations-invitation.pdf").status_code == 404
