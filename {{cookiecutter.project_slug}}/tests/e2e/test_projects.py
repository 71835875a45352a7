"""The projects pages in a real browser: accessible and fitting a phone; htmx swaps the table, a form's errors and a
deleted row; no script needed. (The example's own browser tests: scripts/remove_example.py deletes this file.)
"""

import pytest
from playwright.sync_api import expect

from {{ cookiecutter.project_slug }}.organizations import services
from {{ cookiecutter.project_slug }}.projects.models import Project

from tests.e2e.pages import sign_in, tour
from tests.factories import VerifiedUserFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organization():
    user = VerifiedUserFactory(email="founder@example.com")
    organization = services.organization_create(name="Rocket Shop", owner=user)
    for name in ("Apollo", "Gemini", "Mercury"):
        ProjectFactory(organization=organization, name=name)
    return organization


def test_the_project_pages_are_accessible_and_fit_a_phone(browser, live_server, organization):
    page = browser.new_page()
    sign_in(page, live_server.url, "founder@example.com")
    org = f"/orgs/{organization.public_id}"
    project = organization.projects.get(name="Apollo")
    paths = [f"{org}/projects/", f"{org}/projects/new/", f"{org}/projects/{project.public_id}/"]

    assert tour(page, live_server.url, paths) == []


def rows(page):
    return page.locator("#projects tbody tr td[data-label=Name] a")


def test_search_and_delete_swap_the_table_without_a_reload(browser, live_server, organization):
    page = browser.new_page()
    sign_in(page, live_server.url, "founder@example.com")
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/projects/?ordering=name")
    page.evaluate("window.notReloaded = true")

    page.fill("#id_q", "ge")
    expect(rows(page)).to_have_text(["Gemini"])
    assert "q=ge" in page.url  # the search is in the address, so a reload or a shared link keeps it
    page.fill("#id_q", "")
    expect(rows(page)).to_have_count(3)
    page.click("tr:has-text('Gemini') summary:has-text('Delete')")
    page.get_by_role("button", name="Yes, delete").click()

    expect(page.locator("#toasts .toast")).to_contain_text("Deleted Gemini.")
    expect(rows(page)).to_have_text(["Apollo", "Mercury"])
    assert page.evaluate("window.notReloaded === true"), "the page reloaded: htmx did not take the action"
    assert not Project.objects.filter(name="Gemini").exists()


def test_a_form_shows_its_errors_in_place_then_creates(browser, live_server, organization):
    page = browser.new_page()
    sign_in(page, live_server.url, "founder@example.com")
    page.goto(f"{live_server.url}/orgs/{organization.public_id}/projects/new/")
    page.evaluate("window.notReloaded = true")

    page.fill("#id_name", "Artemis")
    page.fill("#id_starts_on", "2026-05-01")
    page.fill("#id_ends_on", "2026-04-01")
    page.click("main form button:has-text('Create project')")
    expect(page.locator("#project-form .errorlist")).to_contain_text("A project cannot end before it starts.")
    assert page.evaluate("window.notReloaded === true")
    page.fill("#id_ends_on", "2026-06-01")
    page.click("main form button:has-text('Create project')")

    expect(page.locator("#toasts .toast")).to_contain_text("Created Artemis.")
    expect(page).to_have_url(f"{live_server.url}/orgs/{organization.public_id}/projects/")
    assert Project.objects.filter(organization=organization, name="Artemis").exists()


def test_everything_works_without_javascript(browser, live_server, organization):
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url, "founder@example.com")
    base = f"{live_server.url}/orgs/{organization.public_id}/projects/"
    page.goto(f"{base}?ordering=-name")

    page.fill("#id_q", "mer")
    page.click("main form[role=search] button")
    expect(rows(page)).to_have_text(["Mercury"])
    page.click("text=Mercury")
    page.fill("#id_name", "Mercury Seven")
    page.click("main form button:has-text('Save')")
    expect(page.locator("#toasts .toast")).to_contain_text("Saved Mercury Seven.")
    page.click("tr:has-text('Apollo') summary:has-text('Delete')")
    page.get_by_role("button", name="Yes, delete").click()

    expect(page.locator("#toasts .toast")).to_contain_text("Deleted Apollo.")
    assert sorted(Project.objects.values_list("name", flat=True)) == ["Gemini", "Mercury Seven"]
