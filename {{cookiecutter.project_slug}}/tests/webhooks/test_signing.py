"""Deliveries are signed in the Standard Webhooks format; the docs' snippet verifies them."""

import base64
import hashlib
import hmac

import pytest

from {{ cookiecutter.project_slug }}.webhooks import signing

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def test_the_signature_is_hmac_sha256_over_id_timestamp_and_body():
    body = b'{"type":"member.added"}'

    headers = signing.headers(SECRET, "msg_1", body, timestamp=1_700_000_000)

    expected = base64.b64encode(
        hmac.new(b"k" * 32, b'msg_1.1700000000.{"type":"member.added"}', hashlib.sha256).digest()
    ).decode()
    assert headers == {
        "webhook-id": "msg_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": f"v1,{expected}",
    }


def test_a_receiver_accepts_a_genuine_delivery():
    body = b"{}"
    signing.verify(SECRET, signing.headers(SECRET, "msg_2", body), body)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda h, b: (h, b + b" "), "no signature matches"),
        (lambda h, b: ({**h, "webhook-id": "msg_other"}, b), "no signature matches"),
        (lambda h, b: ({**h, "webhook-timestamp": "1000"}, b), "too old"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b), "missing"),
    ],
)
def test_a_receiver_rejects_tampering_and_replays(change, problem):
    body = b'{"amount":1}'
    headers, tampered = change(signing.headers(SECRET, "msg_3", body), body)

    with pytest.raises(signing.InvalidSignature, match=problem):
        signing.verify(SECRET, headers, tampered)


def test_secrets_are_fresh_and_in_the_whsec_format():
    first, second = signing.new_secret(), signing.new_secret()

    assert first != second
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
