"""Every main page works under the Content-Security-Policy, in a real browser, signed out and signed in.

The watched browser (conftest) fails a test on any CSP violation, uncaught
script error or console error; each page must also carry the policy, so the
tour cannot pass with the policy switched off.
"""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, Response, expect

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS
from {{ cookiecutter.project_slug }}.organizations import keys, services
from {{ cookiecutter.project_slug }}.webhooks.services import endpoint_create

from tests.e2e.pages import sign_in
from tests.factories import VerifiedUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIGNED_OUT = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/login/code/",
    "/_allauth/openapi.html",
    "/admin/login/",
    *(f"/api/{version}/docs/" for version in VERSIONS.names),
]


def visit(page: Page, url: str) -> Response:
    response = page.goto(url)
    assert response is not None
    assert response.status < 400, f"{url} answered {response.status}"
    if "/docs/" in url or url.endswith("openapi.html"):
        expect(page.locator(".swagger-ui .info .title")).to_be_visible()  # Swagger UI ran and drew the spec
    policy = response.headers.get("content-security-policy", "")
    # A nonce is named only where the page has inline code (it is made when a template asks for it).
    assert "script-src 'self'" in policy, f"{url} has no policy: {policy!r}"
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    return response


def test_every_page_signed_out_runs_under_the_policy(browser, live_server):
    page = browser.new_context().new_page()
    for path in SIGNED_OUT:
        visit(page, f"{live_server.url}{path}")


def test_every_page_signed_in_runs_under_the_policy(browser, live_server):
    user = VerifiedUserFactory(email="owner@example.com", is_staff=True, is_superuser=True)
    organization = services.organization_create(name="Rocket Shop", owner=user)
    keys.api_key_create(organization=organization, actor=user, name="CI", scopes=["members.view"], expires_in_days=None)
    endpoint = endpoint_create(
        organization=organization, url="https://hooks.example.com/in", event_types=["member.added"], actor=user
    )
    org = f"/orgs/{organization.public_id}"
    page = browser.new_context().new_page()
    sign_in(page, live_server.url, user.email)

    for path in [
        "/",
        "/orgs/",
        f"{org}/",
        f"{org}/members/",
        f"{org}/invitations/",
        f"{org}/api-keys/",
        f"{org}/settings/",
        f"{org}/billing/",
        f"{org}/webhooks/",
        f"{org}/webhooks/{endpoint.public_id}/",
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/accounts/delete/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/webauthn/",
        "/accounts/2fa/webauthn/add/?passwordless",
        "/_allauth/openapi.html",
        *(f"/api/{version}/docs/" for version in VERSIONS.names),
        "/admin/",
        "/admin/organizations/organization/",
        f"/admin/organizations/organization/{organization.pk}/change/",
        "/admin/accounts/user/",
        "/admin/billing/billingaccount/",
        "/admin/billing/entitlementoverride/",
        f"/admin/accounts/user/{user.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/webhooks/webhookendpoint/",
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
    ]:
        visit(page, f"{live_server.url}{path}")

    # With an authenticator: the recovery codes pages and their script.
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    for path in ["/accounts/2fa/", "/accounts/2fa/recovery-codes/", "/accounts/2fa/recovery-codes/generate/"]:
        visit(page, f"{live_server.url}{path}")

    # The organization switcher submits on change through the static script, not an inline handler.
    other = services.organization_create(name="Second Shop", owner=user)
    visit(page, f"{live_server.url}/orgs/")
    page.select_option("#org-switcher", str(other.public_id))
    expect(page.locator("h1")).to_have_text("Second Shop")


def test_markup_injected_into_a_page_cannot_run_script(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    browser.expect_console(r"Content Security Policy|CSP violation")
    visit(page, f"{live_server.url}/accounts/login/")

    page.evaluate(
        """() => {
        document.body.insertAdjacentHTML("beforeend", '<img src="/static/favicon.svg" onload="window.injected = 1">');
        const script = document.createElement("script");
        script.textContent = "window.injected = 2";
        document.body.append(script);
    }"""
    )
    page.wait_for_timeout(300)

    assert page.evaluate("window.injected") is None
