"""Every main page, signed out and signed in, at phone (360 px) and desktop widths, in a real browser.

In the light and the dark theme. On each: no horizontal scroll, no console error or CSP violation (the watched browser),
and axe-core finds no serious or critical accessibility violation. Then the shell's
interactions: the skip link, the keyboard-operable account menu, a confirmation before a
destructive action, a secret's copy button, and messages as toasts in a live region.
"""

import pytest
from playwright.sync_api import expect

from {{ cookiecutter.project_slug }}.organizations import keys, services
from {{ cookiecutter.project_slug }}.organizations.models import Role
from {{ cookiecutter.project_slug }}.webhooks.services import endpoint_create

from tests.e2e.pages import AXE, SERIOUS, WIDTHS, sign_in, tour
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIGNED_OUT = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/login/code/"]


def signed_in_pages(org: str, endpoint: str) -> list[str]:
    return [
        "/",
        "/orgs/",
        f"{org}/",
        f"{org}/members/",
        f"{org}/invitations/",
        f"{org}/api-keys/",
        f"{org}/webhooks/",
        f"{org}/webhooks/{endpoint}/",
        f"{org}/settings/",
        "/accounts/profile/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/accounts/delete/",
        "/dev/emails/",
    ]


@pytest.fixture
def founder():
    user = VerifiedUserFactory(email="founder@example.com")
    organization = services.organization_create(name="Rocket Shop", owner=user)
    keys.api_key_create(organization=organization, actor=user, name="CI", scopes=["members.view"], expires_in_days=None)
    endpoint = endpoint_create(
        organization=organization, url="https://hooks.example.com/in", event_types=["member.added"], actor=user
    )
    return user, organization, endpoint


def test_pages_signed_out_are_accessible_and_fit_a_phone(browser, live_server):
    page = browser.new_page()

    assert tour(page, live_server.url, SIGNED_OUT) == []


def test_pages_signed_in_are_accessible_and_fit_a_phone(browser, live_server, founder, settings):
    settings.DEBUG = True  # for the mail previews
    user, organization, endpoint = founder
    page = browser.new_page()
    sign_in(page, live_server.url, user.email)

    org = f"/orgs/{organization.public_id}"
    assert tour(page, live_server.url, signed_in_pages(org, str(endpoint.public_id))) == []


def test_error_pages_are_designed_and_accessible(browser, live_server):
    page = browser.new_page()
    browser.expect_console(r"404 \(Not Found\)")  # the browser logs the status of the page itself

    response = page.goto(f"{live_server.url}/no/such/page/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert [v["id"] for v in AXE.run(page).response["violations"] if v["impact"] in SERIOUS] == []


def test_the_shell_works_by_keyboard(browser, live_server, founder):
    user, organization, _ = founder
    page = browser.new_page(viewport=WIDTHS["phone"])
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/")

    page.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    menu = page.locator("header .menu")
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth"), "the open menu overflows"
    page.keyboard.press("Escape")
    expect(menu.get_by_role("button", name="Sign out")).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()


def test_a_destructive_action_asks_first_and_reports_in_a_toast(browser, live_server, founder):
    user, organization, _ = founder
    page = browser.new_page()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/api-keys/")

    page.click("summary:has-text('Revoke')")
    confirm = page.get_by_role("button", name="Yes, revoke")
    expect(confirm).to_be_visible()
    confirm.click()

    toast = page.locator("[role=status] .toasts .toast")
    expect(toast).to_contain_text("Revoked CI")
    assert keys.api_keys_of(organization=organization).get().revoked_at is not None


def test_a_new_key_is_shown_once_with_a_copy_button(browser, live_server, founder):
    user, organization, _ = founder
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/api-keys/")

    page.fill("#id_name", "Deploys")
    page.check("input[value='members.view']")
    page.click("main form button:has-text('Make key')")
    secret = page.locator("#new-key").inner_text()
    page.get_by_role("button", name="Copy API key").click()

    expect(page.get_by_role("button", name="Copy API key")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert secret.startswith("{{ cookiecutter.project_slug }}_")


def make_teammate(organization) -> None:
    teammate = VerifiedUserFactory(email="grace@example.com")
    MembershipFactory(organization=organization, user=teammate, role=Role.MEMBER)


def test_a_role_change_updates_its_row_without_a_reload(browser, live_server, founder):
    user, organization, _ = founder
    make_teammate(organization)
    page = browser.new_page()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/members/")
    page.evaluate("window.notReloaded = true")

    page.select_option("select[id^=role-]", "admin")
    page.click("form:has(select[id^=role-]) button:has-text('Change')")

    expect(page.locator("#toasts .toast")).to_contain_text("grace@example.com is now Admin")
    expect(page.locator("select[id^=role-]")).to_have_value("admin")
    assert page.evaluate("window.notReloaded === true"), "the page reloaded: htmx did not take the form"


def test_a_role_change_works_without_javascript(browser, live_server, founder):
    user, organization, _ = founder
    make_teammate(organization)
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/members/")

    page.select_option("select[id^=role-]", "admin")
    page.click("form:has(select[id^=role-]) button:has-text('Change')")

    expect(page.locator("#toasts .toast")).to_contain_text("grace@example.com is now Admin")
    expect(page.locator("select[id^=role-]")).to_have_value("admin")
