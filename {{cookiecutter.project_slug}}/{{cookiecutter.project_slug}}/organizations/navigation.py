"""Tabs that apps add to an organization's pages (organizations/_nav.html), so the platform names no feature app.

A feature app registers its tab in its ``ready``; deleting the app removes the tab with it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    label: str
    url_name: str  # reversed with the organization's public id
    permission: str  # shown only to those who hold it
    section: str  # the URL segment after /orgs/<id>/ that marks the tab current


_tabs: dict[str, Tab] = {}


def register_tab(*, label: str, url_name: str, permission: str, section: str) -> None:
    """Add a tab after the Dashboard tab (idempotent by url_name)."""
    _tabs[url_name] = Tab(label, url_name, permission, section)


def unregister_tab(*, url_name: str) -> None:
    _tabs.pop(url_name, None)


def registered_tabs() -> list[Tab]:
    return list(_tabs.values())
