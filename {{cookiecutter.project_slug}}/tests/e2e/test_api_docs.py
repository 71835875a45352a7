"""The API docs pages render with no network beyond this site: Swagger UI is served by the project, pinned."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", [*(f"/api/{version}/docs/" for version in VERSIONS.names), "/_allauth/openapi.html"])
def test_the_docs_render_their_operations_with_every_other_host_blocked(browser, live_server, path):
    site = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_this_site(route: Route) -> None:
        if urlsplit(route.request.url).netloc == site:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context = browser.new_context()
    context.route("**/*", only_this_site)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}")

    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 5
    assert elsewhere == []
