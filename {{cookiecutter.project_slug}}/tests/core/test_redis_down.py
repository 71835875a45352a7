"""With Redis down, signed-in users, sign-in and password reset keep working (docs/auth.md, "When Redis is down").

Redis is a redis-server of the test's own, stopped in the middle of each test: as the
cache in-process, and as cache and job broker of a real gunicorn in the server test.
"""

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import dramatiq
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from dramatiq.brokers.redis import RedisBroker

from {{ cookiecutter.project_slug }}.accounts.tasks import send_password_reset
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.core.jobs.sending import enqueue_unsent, send_or_keep
from {{ cookiecutter.project_slug }}.core.models import UnsentJob
from {{ cookiecutter.project_slug }}.core.sessions import SessionStore
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.webhooks.models import WebhookEndpoint

from tests.conftest import redis_cache, sign_in
from tests.factories import PASSWORD, MembershipFactory, VerifiedUserFactory
from tests.scripts.test_smoke import smoke
from tests.test_server import gunicorn

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(client: Client) -> bool:
    return bool(client.get("/").context["user"].is_authenticated)


@pytest.mark.django_db
def test_sessions_are_read_from_the_database_while_the_cache_is_down(private_redis):
    user = VerifiedUserFactory()
    with override_settings(CACHES=redis_cache(private_redis.port)):
        client = Client()
        sign_in(client, user)
        assert signed_in(client)

        private_redis.stop()

        assert signed_in(client), "the session is read from the database"
        client.post("/accounts/logout/")
        assert not signed_in(client), "and signing out works too"
        sign_in(client, user)
        assert signed_in(client), "and signing in"


@pytest.mark.django_db
def test_a_session_ended_while_the_cache_could_not_be_told_stays_ended(private_redis):
    user = VerifiedUserFactory()
    with override_settings(CACHES=redis_cache(private_redis.port)):
        thief = Client()
        sign_in(thief, user)
        key = thief.cookies["sessionid"].value
        assert signed_in(thief)  # a cached copy in Redis

        # Redis stops answering (keeping its data) while the owner ends that session.
        private_redis.pause(1500)
        SessionStore(key).delete()
        time.sleep(1.7)

        assert not Session.objects.filter(session_key=key).exists()
        assert not signed_in(thief), "the stale copy in Redis is checked against the database"


@pytest.mark.django_db
def test_sign_in_stays_rate_limited_in_this_process_while_the_cache_is_down(private_redis):
    user = VerifiedUserFactory()
    with override_settings(CACHES=redis_cache(private_redis.port)):
        private_redis.stop()
        stranger = Client(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            assert stranger.post("/accounts/login/", {"login": user.email, "password": "nope"}).status_code == 200

        refused = stranger.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

        assert "Too many failed login attempts" in refused.content.decode(), "counted in this process's memory"
        owner = Client(REMOTE_ADDR="198.51.100.7")
        assert owner.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_job_enqueued_while_the_broker_is_down_is_kept_and_sent_once_it_is_back(private_redis):
    broker = RedisBroker(url=private_redis.url, namespace="redis-down-test")
    broker.declare_actor(send_password_reset)
    configured, send_password_reset.broker = send_password_reset.broker, broker
    try:
        private_redis.stop()
        send_or_keep(send_password_reset, email="someone@example.com", origin="http://testserver/")
        assert UnsentJob.objects.count() == 1

        private_redis.start()
        dramatiq.set_broker(broker)
        assert enqueue_unsent() == 1
    finally:
        send_password_reset.broker = configured
        dramatiq.set_broker(configured)

    assert not UnsentJob.objects.exists()
    assert broker.do_qsize("default") == 1


# --- A real server whose Redis (cache and broker) goes down ---------------------------


class Server:
    def __init__(self, url: str) -> None:
        self.url = url

    def json(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json", **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def browser(self) -> Any:
        return smoke.Session(self.url)


@pytest.fixture
def server_on_private_redis(private_redis, tmp_path) -> Iterator[Server]:
    """One gunicorn worker on the test database, its cache and job broker on the private Redis."""
    database = connection.settings_dict
    credentials = quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else "")
    environ = {
        "DATABASE_URL": f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "DATABASE_REPLICA_URLS": "",
        "REDIS_URL": private_redis.url,
        "JOBS_BROKER_URL": private_redis.url,
        "TEST_RUN_ID": f"redis-down-{private_redis.port}",
    }
    with gunicorn(tmp_path, workers=1, **environ) as running:
        yield Server(running.url)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_server_whose_redis_goes_down_keeps_users_signed_in_and_lets_them_sign_in_and_reset(
    server_on_private_redis, private_redis, monkeypatch
):
    server = server_on_private_redis
    owner = MembershipFactory(role=Role.OWNER)
    email = owner.user.email
    monkeypatch.setenv("SMOKE_EMAIL", email)
    monkeypatch.setenv("SMOKE_PASSWORD", PASSWORD)
    browser = server.browser()
    smoke.check_sign_in(browser)
    status, body = server.json("POST", "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    token = body["meta"]["session_token"]
    webhooks = f"/api/{VERSIONS.latest.name}/organizations/{owner.organization.public_id}/webhooks/"

    private_redis.stop()

    # Signed-in users: pages, the API by session and by app token, the headless session.
    assert browser.request("GET", "/accounts/profile/").status == 200
    assert browser.request("GET", f"/orgs/{owner.organization.public_id}/").status == 200
    assert smoke.check_api(browser)  # the API by session
    assert server.json("GET", webhooks, **{"X-Session-Token": token})[0] == 200
    assert server.json("GET", "/_allauth/app/v1/auth/session", **{"X-Session-Token": token})[0] == 200
    # Signing in, in the browser and in an app.
    assert smoke.check_sign_in(server.browser())
    assert server.json("POST", "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD})[0] == 200
    # A password reset: answered as usual; its job waits in the database for the broker.
    reset = server.browser()
    token = CSRF.search(reset.request("GET", "/accounts/password/reset/").body).group(1)
    answer = reset.request("POST", "/accounts/password/reset/", {"csrfmiddlewaretoken": token, "email": email})
    assert answer.status == 302, answer.body[:500]
    assert UnsentJob.objects.count() == 1
    # A change that emits a webhook event: its delivery waits in the database too.
    WebhookEndpoint.objects.create(
        organization=owner.organization,
        url="https://hooks.example.com/in",
        event_types=["organization.updated"],
        secret="whsec_x",
    )
    settings_page = f"/orgs/{owner.organization.public_id}/settings/"
    token = CSRF.search(browser.request("GET", settings_page).body).group(1)
    renamed = browser.request("POST", settings_page, {"csrfmiddlewaretoken": token, "name": "Renamed"})
    assert renamed.status == 302, renamed.body[:500]
    assert UnsentJob.objects.count() == 2
    # Readiness reports the outage without taking the pod out of service.
    ready = smoke.Session(server.url).request("GET", "/readyz")
    assert ready.status == 200
    assert json.loads(ready.body)["status"] == "degraded"
