import base64
import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import Client

from {{ cookiecutter.project_slug }}.core.email import message_to_payload, payload_to_message
from {{ cookiecutter.project_slug }}.core.jobs.actors import InvalidPayload
from {{ cookiecutter.project_slug }}.core.tasks import send_email
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.organizations.services import invitation_create

from tests.factories import PASSWORD, MembershipFactory


@pytest.mark.django_db
def test_mail_is_queued_not_sent_during_the_request(jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Welcome", "Hello there", None, ["new@example.com"])

    assert mail.outbox == []  # nothing delivered yet: the job has not run

    jobs.run()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Welcome"
    assert mail.outbox[0].to == ["new@example.com"]


@pytest.mark.django_db(transaction=True)
def test_mail_sent_inside_a_rolled_back_transaction_is_never_queued(jobs):
    from django.db import transaction

    def send_then_fail():
        with transaction.atomic():
            send_mail("Ghost", "never", None, ["ghost@example.com"])
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        send_then_fail()

    jobs.run()

    assert mail.outbox == []


def test_a_message_survives_the_round_trip_through_the_queue_payload():
    original = EmailMultiAlternatives(
        subject="Invoice",
        body="plain",
        from_email="billing@example.com",
        to=["a@example.com"],
        cc=["b@example.com"],
        reply_to=["help@example.com"],
        headers={"X-Tag": "invoice"},
    )
    original.attach_alternative("<p>html</p>", "text/html")
    original.attach("invoice.pdf", b"%PDF-1.7 total: 10", "application/pdf")

    rebuilt = payload_to_message(message_to_payload(original))

    assert rebuilt.subject == "Invoice"
    assert rebuilt.cc == ["b@example.com"]
    assert rebuilt.reply_to == ["help@example.com"]
    assert rebuilt.extra_headers == {"X-Tag": "invoice"}
    assert [tuple(a) for a in rebuilt.alternatives] == [("<p>html</p>", "text/html")]
    assert [tuple(a) for a in rebuilt.attachments] == [("invoice.pdf", b"%PDF-1.7 total: 10", "application/pdf")]


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ("not an object", "payload must be an object"),
        ({"subject": 1, "body": "x", "to": ["a@example.com"]}, "subject must be a string"),
        ({"subject": "s", "body": "x", "to": "a@example.com"}, "to must be a list of email addresses"),
        ({"subject": "s", "body": "x", "to": []}, "the message has no recipients"),
        (
            {"subject": "s", "body": "x", "to": ["a@example.com"], "attachments": [["f", "%%%", "text/plain"]]},
            "malformed message",
        ),
    ],
)
def test_a_malformed_payload_is_refused_before_any_work(payload, problem):
    with pytest.raises(InvalidPayload, match=problem):
        payload_to_message(payload)


def test_a_malformed_job_is_rejected_without_retries(jobs, caplog):
    send_email.send({"subject": "s", "body": "x", "to": "not-a-list"})

    jobs.run(fail_fast=False)

    assert mail.outbox == []
    rejected = [r for r in caplog.records if "rejected a malformed payload" in r.getMessage()]
    assert len(rejected) == 1, "the job ran once and was not retried"


def test_binary_attachments_are_base64_in_the_payload():
    message = EmailMultiAlternatives(subject="s", body="b", to=["a@example.com"])
    message.attach("logo.png", b"\x89PNG\r\n", "image/png")

    payload = message_to_payload(message)

    assert payload["attachments"] == [["logo.png", base64.b64encode(b"\x89PNG\r\n").decode(), "image/png"]]


CONSOLE = {"BACKEND": "{{ cookiecutter.project_slug }}.core.email.ConsoleEmailBackend"}  # EMAIL_URL=console://
LINK = re.compile(r"https?://\S+")


def test_the_console_mailer_prints_the_text_with_every_link_whole(settings, capsys):
    settings.MAILERS = {**settings.MAILERS, "delivery": CONSOLE}
    link = "http://localhost:8000/invitations/" + "x" * 120 + "/"
    message = EmailMultiAlternatives("Zoë's invitation", f"Bonjour Zoë,\n\n{link}\n", to=["zoe@example.com"])
    message.attach_alternative("<p>Bonjour</p>", "text/html")

    message.send(using="delivery")

    printed = capsys.readouterr().out
    assert "Subject: Zoë's invitation" in printed
    assert "Bonjour Zoë," in printed, "decoded, not quoted-printable"
    assert f"\n{link}\n" in printed, "the link on one line, whole"
    assert "(also as text/html)" in printed


@pytest.mark.django_db(transaction=True)
def test_in_development_every_mail_names_the_product_and_its_links_work(settings, capsys, jobs):
    """Sign-up code, password reset, invitation: printed whole, naming the product and the host in use."""
    settings.MAILERS = {**settings.MAILERS, "delivery": CONSOLE}
    owner = MembershipFactory(role=Role.OWNER)
    browser = Client(HTTP_HOST="localhost:8000")
    browser.post("/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD})
    browser.post("/accounts/password/reset/", {"email": owner.user.email})
    invitation_create(
        organization=owner.organization,
        email="mate@example.com",
        role=Role.MEMBER,
        invited_by=owner.user,
        link_base="http://localhost:8000",
    )
    jobs.run()

    printed = capsys.readouterr().out
    mails = [mail_text for mail_text in printed.split("-" * 79) if "Subject:" in mail_text]
    assert len(mails) == 3
    assert "example.com" not in printed.replace("@example.com", ""), "no placeholder domain"
    assert f"Hello from {settings.PROJECT_NAME}!" in printed
    links = LINK.findall(printed)
    assert len(links) >= 2
    for link in links:
        assert link.startswith("http://localhost:8000/")
        response = Client(HTTP_HOST="localhost:8000").get(link.removeprefix("http://localhost:8000"))
        assert response.status_code in (200, 302), f"{link}: {response.status_code}"
