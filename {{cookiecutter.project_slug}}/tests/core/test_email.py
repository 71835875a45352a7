import base64

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail

from {{ cookiecutter.project_slug }}.core.email import message_to_payload, payload_to_message
from {{ cookiecutter.project_slug }}.core.jobs import InvalidPayload
from {{ cookiecutter.project_slug }}.core.tasks import send_email


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
