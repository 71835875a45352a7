"""The journeys users take, in a real browser: sign up and verify, two-factor, passkeys, invitations."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import Page, expect

from {{ cookiecutter.project_slug }}.organizations.models import Membership, Role

from tests.conftest import code_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")


def totp_now(secret):
    """The current TOTP code, taken early enough in its 30-second period to still be valid when posted."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def last_mail_to(address, jobs):
    jobs.run()
    messages = [m for m in mail.outbox if address in m.to]
    assert messages, f"no mail to {address}"
    return messages[-1]


def sign_out(page: Page) -> None:
    page.click("header .menu summary")  # the account menu
    page.click("header button:has-text('Sign out')")


def sign_up_and_verify(page: Page, base: str, email: str, jobs) -> None:
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/confirm-email/")
    page.fill("#id_code", code_in(last_mail_to(email, jobs)))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("header")).to_contain_text("Sign out")
    expect(page.locator("main")).to_contain_text(email)


def test_sign_up_verify_two_factor_sign_in_and_invite_a_teammate(browser, live_server, jobs):
    base = live_server.url
    founder = browser.new_context().new_page()

    # Sign up, read the verification code from the outgoing mail, verify.
    founder.goto(f"{base}/accounts/signup/")
    sign_up_and_verify(founder, base, "founder@example.com", jobs)

    # Enable TOTP (the page asks for the password again first).
    founder.goto(f"{base}/accounts/2fa/totp/activate/")
    founder.fill("#id_password", PASSWORD)
    founder.click("main form button[type=submit]")
    founder.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    secret = founder.input_value("#authenticator_secret")
    founder.fill("#id_code", totp_now(secret))
    founder.click("main form button[type=submit]")
    expect(founder.locator("body")).to_contain_text("Recovery Codes")

    # Log out, then log in: password, then the TOTP code.
    sign_out(founder)
    founder.goto(f"{base}/accounts/login/")
    founder.fill("#id_login", "founder@example.com")
    founder.fill("#id_password", PASSWORD)
    founder.click("main form button[type=submit]")
    founder.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    founder.fill("#id_code", totp_now(secret))
    founder.click("main form button[type=submit]")
    expect(founder.locator("main")).to_contain_text("Signed in as founder@example.com")

    # Create an organization and invite a teammate.
    founder.goto(f"{base}/orgs/")
    founder.fill("#id_name", "Rocket Shop")
    founder.click("main form button:has-text('Create organization')")
    expect(founder.locator("h1")).to_have_text("Rocket Shop")
    founder.click("nav.tabs a:has-text('Invitations')")
    founder.fill("#id_email", "teammate@example.com")
    founder.select_option("#id_role", "member")
    founder.click("main form button:has-text('Send invitation')")
    expect(founder.locator(".messages")).to_contain_text("Invited teammate@example.com")

    # The teammate opens the link, signs up with the invited address, verifies and joins.
    link = LINK.search(last_mail_to("teammate@example.com", jobs).body).group(1)
    teammate = browser.new_context().new_page()
    teammate.goto(f"{base}{link}")
    expect(teammate.locator("h1")).to_have_text("Join Rocket Shop")
    teammate.click("a:has-text('Create an account')")
    sign_up_and_verify(teammate, base, "teammate@example.com", jobs)
    teammate.goto(f"{base}{link}")
    teammate.click("main form button:has-text('Accept and join')")
    expect(teammate.locator("h1")).to_have_text("Rocket Shop")

    membership = Membership.objects.get(user__email="teammate@example.com")
    assert membership.organization.name == "Rocket Shop"
    assert membership.role == Role.MEMBER

    # The link is spent: opening it again explains, without an error page.
    browser.expect_console(r"status of 410")
    teammate.goto(f"{base}{link}")
    expect(teammate.locator("body")).to_contain_text("already been used")


def test_a_passkey_is_added_and_signs_in_without_a_password(browser, live_server, jobs):
    base = live_server.url
    context = browser.new_context()
    page = context.new_page()
    # A virtual authenticator in the browser stands in for a phone or a security key.
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto(f"{base}/accounts/signup/")
    sign_up_and_verify(page, base, "passkey@example.com", jobs)

    page.goto(f"{base}/accounts/2fa/webauthn/add/?passwordless")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/2fa/webauthn/add/.*"))
    page.fill("#id_name", "Laptop")
    page.check("#id_passwordless")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(re.compile(r".*/accounts/2fa/(webauthn/|recovery-codes/).*"))

    sign_out(page)
    page.goto(f"{base}/accounts/login/")
    page.click("#passkey_login")
    expect(page.locator("main")).to_contain_text("Signed in as passkey@example.com")


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/orgs/", "/accounts/sessions/"])
def test_pages_fit_a_phone_screen(browser, live_server, path):
    from tests.factories import VerifiedUserFactory

    user = VerifiedUserFactory(email="phone@example.com")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    if path.startswith(("/orgs/", "/accounts/sessions/")):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_login", user.email)
        page.fill("#id_password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
    page.goto(f"{live_server.url}{path}")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    phone.close()
