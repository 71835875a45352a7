"""Media goes to a private S3 bucket with signed URLs: tested against a real S3 API server on loopback (moto)."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

BUCKET = "media-test"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's standalone S3 server on a free loopback port, for the whole session."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def media_bucket(s3_endpoint, settings, monkeypatch):
    """STORAGES["default"] as MEDIA_BUCKET configures it, pointed at the loopback server."""
    # Credentials come from boto3's own chain (here the environment), as in production.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    options = {**settings.MEDIA_STORAGE["OPTIONS"], "bucket_name": BUCKET, "endpoint_url": s3_endpoint}
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.MEDIA_STORAGE, "OPTIONS": options}}
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])


def test_a_saved_file_is_readable_back_through_the_storage(media_bucket):
    name = default_storage.save("invoices/2026-01.txt", ContentFile(b"total: 42"))

    with default_storage.open(name) as stored:
        assert stored.read() == b"total: 42"
    assert media_bucket.get_object(Bucket=BUCKET, Key=name)["Body"].read() == b"total: 42"


def test_media_urls_are_signed_and_expire(media_bucket):
    name = default_storage.save("avatars/ada.txt", ContentFile(b"portrait"))

    url = default_storage.url(name)

    query = parse_qs(urlsplit(url).query)
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == ["3600"]
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        assert response.read() == b"portrait"


def test_objects_are_private(media_bucket):
    name = default_storage.save("private/report.txt", ContentFile(b"secret"))
    unsigned = default_storage.url(name).split("?", 1)[0]

    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310
    assert denied.value.code == 403
    grants = media_bucket.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"], "only the owner"
    assert all(grant["Grantee"].get("URI") is None for grant in grants), "no AllUsers or AuthenticatedUsers grant"


def test_an_upload_never_overwrites_another(media_bucket):
    first = default_storage.save("uploads/photo.txt", ContentFile(b"one"))
    second = default_storage.save("uploads/photo.txt", ContentFile(b"two"))

    assert first != second
    with default_storage.open(first) as stored:
        assert stored.read() == b"one"
