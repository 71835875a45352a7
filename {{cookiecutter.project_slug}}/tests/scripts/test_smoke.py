"""The pipeline's smoke test (scripts/smoke.py) passes against a live server and says what broke when it fails."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations.models import Role

from ..factories import PASSWORD, MembershipFactory, VerifiedUserFactory
from ..helpers import load_script
from ..replicas import catch_up

pytestmark = pytest.mark.django_db(transaction=True)


smoke = load_script("smoke")


@pytest.fixture
def smoke_user(monkeypatch):
    user = VerifiedUserFactory(email="smoke@example.com")
    MembershipFactory(user=user, role=Role.OWNER)
    monkeypatch.setenv("SMOKE_EMAIL", user.email)
    monkeypatch.setenv("SMOKE_PASSWORD", PASSWORD)
    # Written outside any request: the live server's first reads may go to a replica a few milliseconds behind.
    catch_up()
    return user


def test_every_check_passes_against_a_healthy_site(live_server, smoke_user, capsys):
    assert smoke.main([live_server.url]) == 0

    out = capsys.readouterr().out
    assert "smoke: ok   ready" in out
    assert "smoke: ok   home page" in out
    assert "smoke: ok   sign in: signed in as smoke@example.com" in out
    assert f"smoke: ok   API: 0 webhook endpoint(s) listed through /api/{VERSIONS.latest.name}/" in out


def test_a_user_without_an_organization_fails_the_api_check(live_server, smoke_user, capsys):
    smoke_user.memberships.all().delete()
    catch_up()

    assert smoke.main([live_server.url]) == 1

    assert "smoke: FAIL API: the smoke-test user belongs to no organization" in capsys.readouterr().err


def test_a_wrong_password_fails_the_sign_in_check(live_server, smoke_user, monkeypatch, capsys):
    monkeypatch.setenv("SMOKE_PASSWORD", "not the password")

    assert smoke.main([live_server.url]) == 1

    assert "smoke: FAIL sign in: sign-in (wrong SMOKE_PASSWORD" in capsys.readouterr().err


def test_an_unverified_user_cannot_pass(live_server, smoke_user, capsys):
    smoke_user.emailaddress_set.update(verified=False)
    catch_up()

    assert smoke.main([live_server.url]) == 1


def test_missing_credentials_are_named(live_server, monkeypatch, capsys):
    monkeypatch.delenv("SMOKE_EMAIL", raising=False)

    assert smoke.main([live_server.url]) == 1

    assert "set SMOKE_EMAIL and SMOKE_PASSWORD" in capsys.readouterr().err


def test_an_unreachable_site_fails_the_first_check(capsys):
    assert smoke.main(["http://127.0.0.1:9"]) == 1

    assert "smoke: FAIL ready: GET /readyz:" in capsys.readouterr().err


def test_a_url_without_a_scheme_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        smoke.main(["staging.example.com"])

    assert exit_.value.code == 2
    assert "base_url must start with http:// or https://" in capsys.readouterr().err


class _NoVersionNamed(BaseHTTPRequestHandler):
    """A server whose /api/ answers 404 without pointing to any version's docs (another app at that address)."""

    def do_GET(self) -> None:
        body = b'{"detail": "Not found."}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def no_version_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoVersionNamed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_api_that_names_no_version_fails_with_what_it_answered(no_version_server):
    session = smoke.Session(no_version_server)

    with pytest.raises(smoke.SmokeFailure, match=r"/api/ does not name the API's newest version: 404 .*Not found"):
        smoke.newest_api_version(session)
