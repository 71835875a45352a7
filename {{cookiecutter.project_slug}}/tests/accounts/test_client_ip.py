"""Rate limits see the real client behind a load balancer, and a client cannot spoof its address."""

import pytest
from allauth.core.internal.httpkit import get_client_ip
from django.test import RequestFactory, override_settings

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.5"


def request_from(xff=None, **headers):
    extra = {"REMOTE_ADDR": BALANCER, **headers}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().post("/accounts/login/", **extra)


def test_without_trusted_proxies_the_socket_address_counts():
    assert get_client_ip(request_from("198.51.100.7")) == BALANCER


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_appended_counts():
    assert get_client_ip(request_from("198.51.100.7")) == "198.51.100.7"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_client_cannot_spoof_its_address_with_its_own_header():
    # The client sends "X-Forwarded-For: 1.2.3.4"; the balancer appends the real address.
    assert get_client_ip(request_from("1.2.3.4, 198.51.100.7")) == "198.51.100.7"


@override_settings(ALLAUTH_TRUSTED_CLIENT_IP_HEADER="CF-Connecting-IP")
def test_an_edge_that_sets_a_client_ip_header_can_be_trusted_instead():
    assert get_client_ip(request_from("1.2.3.4", HTTP_CF_CONNECTING_IP="203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_failed_logins_are_limited_per_client_not_per_balancer(client):
    def attempt(ip, email):
        response = client.post(
            "/accounts/login/",
            {"login": email, "password": "wrong password"},
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR=ip,
        )
        return response.content.decode()

    # One client guesses across many accounts (10 failures a minute per address).
    for number in range(10):
        attempt("198.51.100.7", f"victim{number}@example.com")
    attacker_now = attempt("198.51.100.7", "victim99@example.com")
    someone_else = attempt("198.51.100.8", "me@example.com")

    assert "Too many failed login attempts" in attacker_now
    assert "Too many failed login attempts" not in someone_else
