import pytest

pytestmark = pytest.mark.django_db


def test_home_page_invites_a_visitor_to_sign_up(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Create your account" in html
    assert 'href="/accounts/signup/"' in html


def test_home_page_greets_a_signed_in_user(client, user):
    client.force_login(user)

    response = client.get("/")

    assert f"Signed in as <strong>{user.email}</strong>" in response.content.decode()


def test_pages_carry_security_headers(client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_emails_name_the_product_not_example_com():
    from django.contrib.sites.models import Site

    site = Site.objects.get_current()

    assert site.domain == "{{ cookiecutter.domain_name }}"
    assert site.name == "{{ cookiecutter.project_name }}"
