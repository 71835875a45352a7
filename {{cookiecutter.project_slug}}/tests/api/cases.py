"""The API's operations, gathered from the tests of the app that serves each one.

The platform's API-wide tests (tenancy, bad input, crafted cursors) name no resource: every installed app's
tests may hold an ``api_cases`` module (``tests/<app label>/api_cases.py``) that says, for the app's endpoints:

- ``OPERATIONS``: (method, path as in the contract, body) of each operation;
- ``make(organization)``: one of each of its resources in that organization, named ``SECRET``; their ids by
  path parameter (``{"widget_id": "..."}``);
- ``unchanged(ids)``: whether those resources are still there as made;
- ``lists(version)``: (path, ordering, ordering as the version calls it, the ordering's fields) of each list.
"""

import importlib
from types import ModuleType
from typing import Any

from django.apps import apps

SECRET = "Their secret"
Operation = tuple[str, str, dict[str, Any] | None]


def modules() -> list[ModuleType]:
    """The api_cases module of every installed app whose tests have one."""
    found = []
    for config in apps.get_app_configs():
        name = f"tests.{config.label}.api_cases"
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name not in (name, f"tests.{config.label}"):
                raise
    return found


def operations() -> list[Operation]:
    return [operation for module in modules() for operation in module.OPERATIONS]


def make(organization: Any) -> dict[str, str]:
    """One of each resource of every app in the organization; every path parameter's value."""
    ids = {"organization_id": str(organization.public_id)}
    for module in modules():
        ids |= module.make(organization)
    return ids


def unchanged(ids: dict[str, str]) -> bool:
    return all(module.unchanged(ids) for module in modules())


def lists(version: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [entry for module in modules() for entry in module.lists(version)]


def fill(path: str, ids: dict[str, str]) -> str:
    """A contract's path (``/api/<version>/organizations/{organization_id}/...`` or relative) with real ids."""
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path
