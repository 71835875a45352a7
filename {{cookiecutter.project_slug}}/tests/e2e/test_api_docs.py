"""The API docs pages render with no network beyond this site: Swagger UI is served by the project, pinned."""

from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Route, expect

from {{ cookiecutter.project_slug }}.api.contracts import schema_path
from {{ cookiecutter.project_slug }}.api.versions import VERSIONS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def pages() -> list[tuple[str, int]]:
    """Each docs page with the operations it draws at least: a version's as many as its committed contract lists.

    A version that lists none (none so far) is left out here: test_csp.py still visits its page.
    """
    found = [("/_allauth/openapi.html", 5)]
    for name in VERSIONS.names:
        paths = yaml.safe_load(schema_path(name).read_text(encoding="utf-8"))["paths"]
        if paths:
            found.append((f"/api/{name}/docs/", sum(len(operations) for operations in paths.values())))
    return found


@pytest.mark.parametrize(("path", "operations"), pages())
def test_the_docs_render_their_operations_with_every_other_host_blocked(browser, live_server, path, operations):
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
    assert page.locator(".opblock").count() >= operations
    assert elsewhere == []
